/**
 * Helpers for rewriting the graph IR: who produces and who reads a value,
 * constant lookups, and replacing a matched subgraph by new nodes followed
 * by dead-code removal and a topological re-sort.
 */
import { Graph, Node } from '../graph.js';
import { OpCall, getOp } from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { removeDeadCode } from '../../frontend/infer.js';

/** constantValue never computes a tensor larger than this (a 4096 x 4096 mask). */
const EVALUATE_LIMIT = 1 << 24;

export class GraphIndex {
  private readonly producerOf = new Map<string, Node>();
  private readonly consumersOf = new Map<string, Node[]>();
  private readonly outputs: Set<string>;
  /** Values computed from constants only (nodes the frontend did not fold), and those evaluated so far. */
  private readonly constantDerived = new Set<string>();
  private readonly evaluated = new Map<string, Tensor | undefined>();

  constructor(readonly graph: Graph) {
    for (const node of graph.nodes) {
      for (const o of node.outputs) if (o) this.producerOf.set(o, node);
      for (const i of node.inputs) if (i) this.consumersOf.set(i, [...(this.consumersOf.get(i) ?? []), node]);
    }
    this.outputs = new Set(graph.outputs.map((o) => o.name));
    const known = (v: string) => !v || graph.initializers.has(v) || this.constantDerived.has(v);
    for (const node of graph.nodes) {
      if (node.inputs.every(known)) for (const o of node.outputs) if (o) this.constantDerived.add(o);
    }
  }

  producer(value: string): Node | undefined { return this.producerOf.get(value); }

  /** The producer when it has the given op type. */
  producerOfType(value: string, opType: string): Node | undefined {
    const p = this.producerOf.get(value);
    return p && p.opType === opType ? p : undefined;
  }

  consumers(value: string): Node[] { return this.consumersOf.get(value) ?? []; }

  /** True when the value feeds exactly one node and is not a graph output (safe to fuse away). */
  singleUse(value: string): boolean {
    return this.consumers(value).length === 1 && !this.outputs.has(value);
  }

  constant(value: string): Tensor | undefined { return this.graph.initializers.get(value); }

  /**
   * A constant, or a value computed from constants only that the frontend left
   * unfolded because it is over the folding cap (GPT-2's causal mask sliced
   * from its [1024, 1024] buffer): evaluated once on demand. Undefined when it
   * depends on a graph input or a tensor on the way has more than 16M elements.
   */
  constantValue(value: string): Tensor | undefined {
    const c = this.graph.initializers.get(value);
    if (c || !this.constantDerived.has(value)) return c;
    if (!this.evaluated.has(value)) {
      const node = this.producerOf.get(value)!;
      const ins = node.inputs.map((i) => (i ? this.constantValue(i) : undefined));
      const op = getOp(node.opType);
      const ready = op && ins.every((t, i) => (t ? t.size <= EVALUATE_LIMIT : !node.inputs[i]));
      const outs = ready ? op.execute(new OpCall(node, this.graph.opset), ins) : [];
      node.outputs.forEach((o, i) => o && this.evaluated.set(o, outs[i] && outs[i].size <= EVALUATE_LIMIT ? outs[i] : undefined));
    }
    return this.evaluated.get(value);
  }

  /** The value of a one-element constant. */
  scalar(value: string): number | undefined {
    const t = this.graph.initializers.get(value);
    return t && t.size === 1 ? t.data[0] : undefined;
  }
}

/** Stable topological order (keeps the existing order where it is already valid). */
export function topoSort(graph: Graph): void {
  const available = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  const pending = [...graph.nodes];
  const sorted: Node[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => n.inputs.every((x) => !x || available.has(x)));
    if (i < 0) throw new Error(`graph has a cycle or an undefined value near node '${pending[0].name}'`);
    const [node] = pending.splice(i, 1);
    node.outputs.forEach((o) => o && available.add(o));
    sorted.push(node);
  }
  graph.nodes = sorted;
}

/**
 * Replaces `root` (whose outputs the new nodes must produce) by `newNodes`;
 * nodes that only fed the root disappear with dead-code removal.
 */
export function replaceNode(graph: Graph, root: Node, newNodes: Node[]): void {
  const at = graph.nodes.indexOf(root);
  if (at < 0) throw new Error(`node '${root.name}' is not in the graph`);
  graph.nodes.splice(at, 1, ...newNodes);
}

/** Call once after a pass's rewrites: drops dead nodes and constants, restores topological order. */
export function cleanup(graph: Graph): void {
  topoSort(graph);
  removeDeadCode(graph);
}

/** Adds a constant under a fresh name and returns the name. */
export function addConstant(graph: Graph, hint: string, tensor: Tensor): string {
  let name = hint;
  for (let i = 1; graph.initializers.has(name) || graph.types.has(name); i++) name = `${hint}_${i}`;
  graph.initializers.set(name, tensor);
  graph.types.set(name, { dtype: tensor.dtype, shape: [...tensor.shape] });
  return name;
}
