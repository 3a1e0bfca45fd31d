/**
 * Pattern pieces shared by the RoPE and attention fusions: the exporters'
 * head split (Reshape [B, T, H, hd] + Transpose), scalar scales, Slice
 * ranges, and the "every intermediate stays inside the pattern" rule.
 *
 * Matchers read static shapes from graph.types (the passes run on the
 * prepared, folded graph) and return undefined when anything is unknown.
 */
import { Graph, Node, isStatic } from '../graph.js';
import { Tensor } from '../tensor.js';
import { GraphIndex } from './graph-edit.js';

/** Static shape of a value (inferred type or constant), undefined when unknown. */
export function shapeOf(graph: Graph, value: string): number[] | undefined {
  const c = graph.initializers.get(value);
  if (c) return [...c.shape];
  const t = graph.types.get(value);
  return t && isStatic(t.shape) ? [...t.shape] : undefined;
}

export function sameShape(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

export function intsAttr(node: Node, name: string): number[] | undefined {
  const v = node.attrs[name];
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

export function intAttr(node: Node, name: string, fallback?: number): number | undefined {
  const v = node.attrs[name];
  return v === undefined ? fallback : typeof v === 'number' ? v : undefined;
}

export function normalizedAxis(axis: number | undefined, rank: number): number | undefined {
  if (axis === undefined) return undefined;
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

export function isPerm(node: Node | undefined, perm: readonly number[]): node is Node {
  const p = node && intsAttr(node, 'perm');
  return !!p && p.length === perm.length && p.every((x, i) => x === perm[i]);
}

/** A head split: value = Transpose(perm)(Reshape(x)), x [B, S, H·hd], Reshape output [B, S, H, hd]. */
export interface HeadSplit {
  /** The token-major value [B, S, H·hd]. */
  x: string;
  B: number;
  S: number;
  heads: number;
  hd: number;
  nodes: Node[];
}

export function matchHeadSplit(ix: GraphIndex, value: string, perm: readonly number[] = [0, 2, 1, 3]): HeadSplit | undefined {
  const tr = ix.producerOfType(value, 'Transpose');
  if (!isPerm(tr, perm)) return undefined;
  const rs = ix.producerOfType(tr.inputs[0], 'Reshape');
  if (!rs) return undefined;
  const g = ix.graph;
  const xs = shapeOf(g, rs.inputs[0]), hs = shapeOf(g, rs.outputs[0]);
  if (!xs || !hs || xs.length !== 3 || hs.length !== 4) return undefined;
  const [B, S, C] = xs;
  if (hs[0] !== B || hs[1] !== S || hs[2] * hs[3] !== C) return undefined;
  return { x: rs.inputs[0], B, S, heads: hs[2], hd: hs[3], nodes: [tr, rs] };
}

/** Values masked out by an exporter: -inf, or a finite value so negative exp() underflows to 0 (-1e9, finfo.min). */
export function isMaskedValue(x: number): boolean {
  return x === -Infinity || x <= -1e9;
}

/** Mul(v, c), Mul(c, v) or Div(v, c) with a positive finite one-element constant c that does not broadcast v. */
export function matchScale(ix: GraphIndex, value: string): { inner: string; factor: number; node: Node } | undefined {
  const node = ix.producer(value);
  if (!node || node.inputs.length !== 2 || (node.opType !== 'Mul' && node.opType !== 'Div')) return undefined;
  const g = ix.graph;
  const [a, b] = node.inputs;
  const ca = ix.constant(a), cb = ix.constant(b);
  let inner: string, c: Tensor;
  if (node.opType === 'Div') {
    if (!cb || ca) return undefined;
    inner = a; c = cb;
  } else if (cb && !ca) { inner = a; c = cb; } else if (ca && !cb) { inner = b; c = ca; } else return undefined;
  if (c.size !== 1 || !['float32', 'float64', 'float16'].includes(c.dtype)) return undefined;
  if (!sameShape(shapeOf(g, inner), shapeOf(g, value))) return undefined;
  const v = c.data[0];
  const factor = node.opType === 'Div' ? 1 / v : v;
  if (!Number.isFinite(factor) || factor <= 0) return undefined;
  return { inner, factor, node };
}

/** The [start, end) range a step-1 Slice takes of the given axis (and no other), clamped like ONNX. */
export function sliceRange(ix: GraphIndex, node: Node, axis: number, rank: number, dim: number): [number, number] | undefined {
  if (node.opType !== 'Slice' || node.inputs.length < 3) return undefined;
  const consts = node.inputs.slice(1).map((n) => (n ? ix.constant(n) : undefined));
  if (node.inputs.slice(1).some((n, i) => n && !consts[i])) return undefined;
  const [starts, ends, axesT, stepsT] = consts;
  if (!starts || !ends || starts.size !== 1 || ends.size !== 1) return undefined;
  const axes = axesT ? Array.from(axesT.data as ArrayLike<number>) : [0];
  if (axes.length !== 1 || normalizedAxis(axes[0], rank) !== axis) return undefined;
  if (stepsT && (stepsT.size !== 1 || stepsT.data[0] !== 1)) return undefined;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + dim : x, 0), dim);
  return [clamp(starts.data[0]), clamp(ends.data[0])];
}

/**
 * True when no value computed inside the pattern escapes it: every output of
 * every node but the root is read only by pattern nodes and is not a graph
 * output (except the names in `allowOutputs`).
 */
export function internalOnly(ix: GraphIndex, nodes: readonly Node[], root: Node, allowOutputs: ReadonlySet<string> = new Set()): boolean {
  const inside = new Set(nodes);
  const graphOutputs = new Set(ix.graph.outputs.map((o) => o.name));
  for (const node of inside) {
    if (node === root) continue;
    for (const o of node.outputs) {
      if (!o) continue;
      if (graphOutputs.has(o) && !allowOutputs.has(o)) return false;
      if (!ix.consumers(o).every((c) => inside.has(c))) return false;
    }
  }
  return true;
}

/** A value or node name not used in the graph yet. */
export class Names {
  private readonly used = new Set<string>();
  constructor(graph: Graph) {
    for (const v of graph.inputs) this.used.add(v.name);
    for (const n of graph.initializers.keys()) this.used.add(n);
    for (const n of graph.types.keys()) this.used.add(n);
    for (const node of graph.nodes) {
      node.outputs.forEach((o) => this.used.add(o));
      if (node.name) this.used.add(node.name);
    }
  }

  fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** `/blocks.0/Reshape_3` -> `/blocks.0/KIND`: a new node's name in the root's scope. */
export function scopedName(root: Node, kind: string): string {
  const cut = root.name.lastIndexOf('/');
  return cut >= 0 ? `${root.name.slice(0, cut + 1)}${kind}` : root.name ? `${root.name}_${kind}` : kind;
}

/** Removes the pattern's nodes and puts `replacement` where the root was. */
export function replacePattern(graph: Graph, root: Node, nodes: readonly Node[], replacement: readonly Node[]): void {
  const drop = new Set(nodes);
  const out: Node[] = [];
  for (const n of graph.nodes) {
    if (n === root) out.push(...replacement);
    else if (!drop.has(n)) out.push(n);
  }
  graph.nodes = out;
}
