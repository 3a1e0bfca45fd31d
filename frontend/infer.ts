/**
 * Type/shape inference over the graph IR, with constant folding of the
 * shape arithmetic exporters write (Shape -> Gather -> Unsqueeze -> Concat ->
 * Reshape ...). Once symbolic dims are bound, folding makes a dynamic-axes
 * export fully static.
 */
import { UnsupportedError, UserError, bindHint } from '../compiler/errors.js';
import { Graph, Node, ValueType, describeNode, isStatic } from '../compiler/graph.js';
import { OpCall, getOp } from '../compiler/ops/index.js';
import { Tensor } from '../compiler/tensor.js';
import { checkOutputSizes, staticSize } from '../compiler/ops/limits.js';

/**
 * Folding never materializes more than this many elements per node (inputs
 * or outputs), so weights stay lazy and memory stays bounded; larger nodes
 * stay in the graph and run in the interpreter.
 */
const FOLD_LIMIT = 1 << 20;

export interface UnsupportedNode { node: string; opType: string }

export interface InferResult {
  /** Nodes whose op we do not support (inference skips them and what depends on them). */
  unsupported: UnsupportedNode[];
  folded: number;
}

export interface InferOptions {
  /** Fold nodes whose inputs are all constant (default true). */
  fold?: boolean;
  /** Throw on the first unsupported op instead of collecting them (default true). */
  strict?: boolean;
}

function unsupportedMessage(node: Node, opset: number): string {
  return `${describeNode(node)}: op ${node.opType} (opset ${opset}) is not supported by llm2hls; run 'llm2hls inspect' for the full list of unsupported nodes`;
}

/**
 * The node's outputs as constants when it can be folded: every input is a
 * constant (or it is Shape of a static tensor) and shape inference says each
 * output is static and at most FOLD_LIMIT elements, so nothing large is
 * ever allocated to find out.
 */
function tryFold(
  node: Node, call: OpCall, types: (ValueType | undefined)[], consts: (Tensor | undefined)[], outTypes: ValueType[],
): Tensor[] | undefined {
  const op = getOp(node.opType)!;
  if (node.opType === 'Shape') {
    const t = types[0];
    if (!t || !isStatic(t.shape)) return undefined;
    return op.execute(call, [shapeOnly(t)]);
  }
  if (node.inputs.some((n, i) => n && !consts[i])) return undefined;
  if (consts.reduce((s, t) => s + (t ? t.size : 0), 0) > FOLD_LIMIT) return undefined;
  if (!outTypes.every((t) => (staticSize(t) ?? Infinity) <= FOLD_LIMIT)) return undefined;
  return op.execute(call, consts);
}

/** A stand-in tensor with the right shape for Shape: its values are never read. */
function shapeOnly(t: ValueType): Tensor {
  const shape = t.shape as number[];
  return new Tensor(t.dtype, shape, () => { throw new Error('Shape read tensor values'); });
}

export function inferGraph(graph: Graph, options: InferOptions = {}): InferResult {
  const fold = options.fold ?? true;
  const strict = options.strict ?? true;
  const unsupported: UnsupportedNode[] = [];
  let folded = 0;
  const kept: Node[] = [];
  const defined = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);

  for (const node of graph.nodes) {
    for (const name of node.inputs) {
      if (name && !defined.has(name)) {
        throw new UserError(`${describeNode(node)}: input '${name}' is not produced by any earlier node, initializer or graph input`);
      }
    }
    node.outputs.forEach((o) => o && defined.add(o));
    const op = getOp(node.opType);
    if (!op) {
      if (strict) throw new UnsupportedError(unsupportedMessage(node, graph.opset));
      unsupported.push({ node: node.name, opType: node.opType });
      kept.push(node);
      continue;
    }
    const ins = node.inputs.map((n) => (n ? graph.types.get(n) : undefined));
    if (node.inputs.some((n, i) => n && !ins[i])) { kept.push(node); continue; } // downstream of an unsupported op
    const call = new OpCall(node, graph.opset);
    const consts = node.inputs.map((n) => (n ? graph.initializers.get(n) : undefined));
    const outTypes = op.infer(call, ins, consts);
    checkOutputSizes(node, outTypes);
    const values = fold ? tryFold(node, call, ins, consts, outTypes) : undefined;
    if (values) {
      values.forEach((t, i) => {
        const name = node.outputs[i];
        if (!name) return;
        graph.initializers.set(name, t);
        graph.types.set(name, { dtype: t.dtype, shape: [...t.shape] });
      });
      folded++;
      continue;
    }
    node.outputs.forEach((name, i) => { if (name && outTypes[i]) graph.types.set(name, outTypes[i]); });
    kept.push(node);
  }
  graph.nodes = kept;
  removeDeadCode(graph);
  for (const out of graph.outputs) {
    const t = graph.types.get(out.name);
    // Where inference could not tell a dim, the exporter's declared one (often a name) is kept.
    if (t) {
      out.dtype = t.dtype;
      out.shape = t.shape.length === out.shape.length ? t.shape.map((d, i) => (d === '?' ? out.shape[i] : d)) : t.shape;
    }
  }
  return { unsupported, folded };
}

/** Drops nodes and constants that no graph output depends on. */
export function removeDeadCode(graph: Graph): void {
  const live = new Set(graph.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.outputs.some((o) => live.has(o))) {
      kept.push(node);
      node.inputs.forEach((n) => n && live.add(n));
    }
  }
  graph.nodes = kept.reverse();
  for (const name of [...graph.initializers.keys()]) if (!live.has(name)) graph.initializers.delete(name);
}

/** Names the first value whose shape still has a symbolic or unknown dim. */
export function requireStatic(graph: Graph): void {
  for (const node of graph.nodes) {
    for (const name of node.outputs) {
      const t = graph.types.get(name);
      if (t && !isStatic(t.shape)) {
        const dims = t.shape.filter((d) => typeof d === 'string');
        const named = dims.filter((d) => d !== '?');
        const hint = named.length > 0
          ? `bind them ${bindHint(named)} or pass inputs`
          : 'its size depends on data that is not constant';
        throw new UserError(`value '${name}' of ${describeNode(node)} has shape [${t.shape.join(', ')}] that is not static: ${hint}`);
      }
    }
  }
}

/**
 * A positional embedding table: a Gather from a constant [P, d] table whose
 * indices come from a Range over shape arithmetic on the graph inputs
 * (GPT-2's wpe, indexed by arange(past, past + sequence)). Its P rows bound
 * how long a sequence the model takes.
 */
export interface PositionTable {
  /** The Gather node's name. */
  node: string;
  rows: number;
  /** The Range whose start, limit and delta give the positions. */
  range: Node;
  /** Symbolic dims of the inputs the positions are computed from. */
  dims: string[];
}

/** The model's positional embedding tables, found from the graph's structure alone (no bindings needed). */
export function positionEmbeddings(graph: Graph): PositionTable[] {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const inputs = new Map(graph.inputs.map((v) => [v.name, v]));
  const tables: PositionTable[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'Gather' || ((node.attrs.axis as number | undefined) ?? 0) !== 0) continue;
    const table = graph.initializers.get(node.inputs[0]);
    if (!table || table.rank !== 2 || !node.inputs[1] || inputs.has(node.inputs[1])) continue;
    let range: Node | undefined;
    let direct = false;
    const dims = new Set<string>();
    const seen = new Set<string>();
    const stack = [node.inputs[1]];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      if (inputs.has(v)) { direct = true; break; } // the indices read an input's values: token ids, not positions
      const p = producer.get(v);
      if (!p) continue;
      if (p.opType === 'Range') range ??= p;
      if (p.opType === 'Shape') {
        const source = inputs.get(p.inputs[0]);
        source?.shape.forEach((d) => { if (typeof d === 'string' && d !== '?') dims.add(d); });
        continue;
      }
      stack.push(...p.inputs.filter(Boolean));
    }
    if (direct || !range) continue;
    tables.push({ node: node.name || `Gather of '${node.inputs[0]}'`, rows: table.shape[0], range, dims: [...dims] });
  }
  return tables;
}

/**
 * How many rows of `table` the bindings need (the largest position + 1),
 * from a small inference of only the Range's scalar inputs; undefined when
 * that cannot be told (the full inference then reports what goes wrong).
 */
export function positionsNeeded(graph: Graph, table: PositionTable, bindings: Record<string, number>): number | undefined {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const wanted = table.range.inputs.slice(0, 3);
  if (wanted.length !== 3 || wanted.some((n) => !n)) return undefined;
  const cone = new Set<Node>();
  const stack = [...wanted];
  while (stack.length > 0) {
    const p = producer.get(stack.pop()!);
    if (!p || cone.has(p)) continue;
    cone.add(p);
    if (p.opType !== 'Shape') stack.push(...p.inputs.filter(Boolean));
  }
  const types = new Map<string, ValueType>(graph.types); // the constants' types; the cone's values are re-inferred
  const inputs = graph.inputs.filter((v) => !v.shapeUnknown).map((v) => {
    const shape = v.shape.map((d) => (typeof d === 'string' && bindings[d] !== undefined ? bindings[d] : d));
    types.set(v.name, { dtype: v.dtype, shape });
    return { ...v, shape };
  });
  const sub: Graph = {
    ...graph,
    inputs,
    outputs: wanted.map((name) => ({ name, dtype: 'int64', shape: [] })),
    initializers: new Map(graph.initializers),
    nodes: graph.nodes.filter((n) => cone.has(n)),
    types,
    meta: { ...graph.meta },
  };
  try {
    inferGraph(sub, { fold: true, strict: true });
  } catch {
    return undefined;
  }
  const [start, limit, delta] = wanted.map((n) => {
    const t = sub.initializers.get(n);
    return t && t.size === 1 ? Number(t.data[0]) : NaN;
  });
  if (![start, limit, delta].every(Number.isFinite) || delta <= 0 || limit <= start) return undefined;
  const count = Math.ceil((limit - start) / delta);
  return start + (count - 1) * delta + 1;
}
