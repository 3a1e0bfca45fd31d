/**
 * Pattern-matching helpers shared by the fusion passes (fuse-*.ts): a
 * Fuser that applies rewrites only when every intermediate of the matched
 * pattern is read inside the pattern alone, constant matching with a
 * tolerance, and flattening of Mul/Div trees into constant × factors.
 */
import { Dim, Graph, Node, ValueType } from '../graph.js';
import { FLOAT_TYPES, Tensor } from '../tensor.js';
import { GraphIndex, addConstant, replaceNode } from './graph-edit.js';

/** Exporter constants are float32 roundings of the exact values. */
export const CONST_TOLERANCE = 1e-5;

export function near(value: number | undefined, target: number, tolerance = CONST_TOLERANCE): boolean {
  return value !== undefined && Math.abs(value - target) <= tolerance * Math.max(1, Math.abs(target));
}

export interface Rewrite {
  /** The node whose outputs the replacement produces (their names are kept). */
  root: Node;
  /** Every matched node, root included; all but the root disappear. */
  nodes: Node[];
  /** Builds the replacement once the match is accepted (may add constants). */
  build: () => Node[];
}

export class Fuser {
  readonly index: GraphIndex;
  private readonly consumed = new Set<Node>();
  private readonly graphOutputs: Set<string>;
  /** Number of rewrites applied. */
  count = 0;

  constructor(readonly graph: Graph) {
    this.index = new GraphIndex(graph);
    this.graphOutputs = new Set(graph.outputs.map((o) => o.name));
  }

  /** The producer of `value` when it has one of the op types and has not been rewritten yet. */
  producer(value: string, ...opTypes: string[]): Node | undefined {
    if (!value) return undefined;
    const p = this.index.producer(value);
    return p && !this.consumed.has(p) && (opTypes.length === 0 || opTypes.includes(p.opType)) ? p : undefined;
  }

  /** The only consumer of `value` when it has the op type (and `value` is no graph output). */
  soleConsumer(value: string, opType: string): Node | undefined {
    if (!this.index.singleUse(value)) return undefined;
    const c = this.index.consumers(value)[0];
    return c.opType === opType && !this.consumed.has(c) ? c : undefined;
  }

  singleUse(value: string): boolean { return this.index.singleUse(value); }

  constant(value: string): Tensor | undefined { return value ? this.graph.initializers.get(value) : undefined; }

  /** The value of a one-element float constant. */
  scalar(value: string): number | undefined {
    const t = this.constant(value);
    return t && t.size === 1 && FLOAT_TYPES.has(t.dtype) ? t.data[0] : undefined;
  }

  type(value: string): ValueType | undefined { return this.graph.types.get(value); }

  /** Static shape of a value when known. */
  shape(value: string): number[] | undefined {
    const t = this.type(value);
    return t && t.shape.every((d) => typeof d === 'number') ? (t.shape as number[]) : undefined;
  }

  rank(value: string): number | undefined { return this.type(value)?.shape.length; }

  lastDim(value: string): Dim | undefined {
    const s = this.type(value)?.shape;
    return s && s.length > 0 ? s[s.length - 1] : undefined;
  }

  /** True when both values have the same known static shape. */
  sameShape(a: string, b: string): boolean {
    const x = this.shape(a), y = this.shape(b);
    return x !== undefined && y !== undefined && x.length === y.length && x.every((d, i) => d === y[i]);
  }

  /**
   * True when every value computed by a pattern node other than the root is
   * read by pattern nodes only and is not a graph output.
   */
  internal(nodes: readonly Node[], root: Node): boolean {
    const set = new Set(nodes);
    for (const node of nodes) {
      if (node === root) continue;
      for (const o of node.outputs) {
        if (!o) continue;
        if (this.graphOutputs.has(o)) return false;
        if (this.index.consumers(o).some((c) => !set.has(c))) return false;
      }
    }
    return true;
  }

  /** Applies the rewrite when none of its nodes was rewritten already and its intermediates are internal. */
  apply(rewrite: Rewrite | undefined): boolean {
    if (!rewrite) return false;
    const nodes = [...new Set([...rewrite.nodes, rewrite.root])];
    if (nodes.some((n) => this.consumed.has(n))) return false;
    if (!this.internal(nodes, rewrite.root)) return false;
    const replacement = rewrite.build();
    replaceNode(this.graph, rewrite.root, replacement);
    nodes.forEach((n) => this.consumed.add(n));
    this.count++;
    return true;
  }

  /**
   * A per-channel constant for a kernel: `value` when it is a constant of
   * `length` elements whose dims before the last are all 1 (rank at most
   * `maxRank`), as a rank-1 constant name (the same one when already 1-D).
   * Returns a thunk so the reshaped constant is only added when the rewrite
   * is applied.
   */
  vectorParam(value: string, length: Dim | undefined, maxRank: number): (() => string) | undefined {
    const t = this.constant(value);
    if (!t || typeof length !== 'number' || t.rank === 0 || t.rank > maxRank) return undefined;
    if (t.shape[t.rank - 1] !== length || t.shape.slice(0, -1).some((d) => d !== 1)) return undefined;
    if (t.rank === 1) return () => value;
    return () => addConstant(this.graph, value, t.reshape([length]));
  }
}

export function otherInput(node: Node, value: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === value) return node.inputs[1];
  if (node.inputs[1] === value) return node.inputs[0];
  return undefined;
}

/** A product tree: constant coefficient × non-constant (or non-scalar) factors. */
export interface Product {
  coef: number;
  factors: string[];
  /** Mul/Div nodes flattened, the start node first. */
  nodes: Node[];
}

/**
 * Flattens `start` (a Mul, or a Div by a scalar constant) and the
 * single-use Mul/Div nodes under it into coefficient × factors.
 */
export function flattenProduct(f: Fuser, start: Node): Product | undefined {
  if (!isProductNode(f, start)) return undefined;
  const out: Product = { coef: 1, factors: [], nodes: [] };
  const visit = (node: Node) => {
    out.nodes.push(node);
    const [a, b] = node.inputs;
    leaf(a);
    if (node.opType === 'Mul') leaf(b);
    else out.coef /= f.scalar(b)!;
  };
  const leaf = (value: string) => {
    const c = f.scalar(value);
    if (c !== undefined) { out.coef *= c; return; }
    const p = f.producer(value, 'Mul', 'Div');
    if (p && f.singleUse(value) && isProductNode(f, p)) visit(p);
    else out.factors.push(value);
  };
  visit(start);
  return out;
}

function isProductNode(f: Fuser, node: Node): boolean {
  if (node.inputs.length !== 2) return false;
  if (node.opType === 'Mul') return true;
  return node.opType === 'Div' && f.scalar(node.inputs[1]) !== undefined;
}

/** True for ReduceMean over the last axis only, keeping dims. */
export function isLastAxisMean(f: Fuser, node: Node): boolean {
  if (node.opType !== 'ReduceMean' || node.outputs.length !== 1) return false;
  if (node.attrs.keepdims === 0) return false;
  let axes: number[] | undefined;
  if (node.inputs[1]) {
    const t = f.constant(node.inputs[1]);
    axes = t ? Array.from(t.data as ArrayLike<number>) : undefined;
  } else if (Array.isArray(node.attrs.axes)) {
    axes = node.attrs.axes as number[];
  }
  if (!axes || axes.length !== 1) return false;
  if (axes[0] === -1) return true;
  const rank = f.rank(node.inputs[0]);
  return rank !== undefined && axes[0] === rank - 1;
}

/** `v` when `value` is v² (Pow(v, 2) or Mul(v, v)); the squaring node too. */
export function squareOf(f: Fuser, value: string): { base: string; node: Node } | undefined {
  const p = f.producer(value, 'Pow', 'Mul');
  if (!p) return undefined;
  if (p.opType === 'Pow' && near(f.scalar(p.inputs[1]), 2, 0)) return { base: p.inputs[0], node: p };
  if (p.opType === 'Mul' && p.inputs[0] === p.inputs[1] && p.inputs[0]) return { base: p.inputs[0], node: p };
  return undefined;
}

/**
 * The normalization tail shared by LayerNorm and RMSNorm, starting at the
 * ReduceMean of a square: mean(v²) + eps -> Sqrt -> v / sqrt (as Div, or Mul
 * by Reciprocal(sqrt) or by Div(1, sqrt)), then an optional Mul by gamma.
 */
export interface NormTail {
  /** The value normalized (x for RMSNorm, x − mean(x) for LayerNorm). */
  v: string;
  epsilon: number;
  nodes: Node[];
  /** The last node of the match so far (the v / sqrt or gamma node). */
  last: Node;
  /** gamma as a rank-1 constant, or undefined when the pattern has no Mul by gamma. */
  gamma?: () => string;
}

export function matchNormTail(f: Fuser, meanSq: Node, withGamma = true): NormTail | undefined {
  if (!isLastAxisMean(f, meanSq)) return undefined;
  const sq = squareOf(f, meanSq.inputs[0]);
  if (!sq) return undefined;
  const v = sq.base;
  const add = f.soleConsumer(meanSq.outputs[0], 'Add');
  const eps = add && f.scalar(otherInput(add, meanSq.outputs[0]) ?? '');
  if (!add || eps === undefined || !(eps >= 0)) return undefined;
  const sqrt = f.soleConsumer(add.outputs[0], 'Sqrt');
  if (!sqrt || !f.singleUse(sqrt.outputs[0])) return undefined;
  const nodes = [sq.node, meanSq, add, sqrt];
  const s = sqrt.outputs[0];
  const next = f.index.consumers(s)[0];
  let last: Node;
  if (next.opType === 'Div' && next.inputs[0] === v && next.inputs[1] === s) {
    last = next;
  } else if (next.opType === 'Reciprocal' || (next.opType === 'Div' && next.inputs[1] === s && near(f.scalar(next.inputs[0]), 1, 0))) {
    const mul = f.soleConsumer(next.outputs[0], 'Mul');
    if (!mul || otherInput(mul, next.outputs[0]) !== v) return undefined;
    nodes.push(next);
    last = mul;
  } else {
    return undefined;
  }
  nodes.push(last);
  const D = f.lastDim(v), rank = f.rank(v);
  if (typeof D !== 'number' || rank === undefined) return undefined;
  const tail: NormTail = { v, epsilon: eps, nodes, last };
  if (withGamma) {
    const mul = f.soleConsumer(last.outputs[0], 'Mul');
    const gamma = mul && f.vectorParam(otherInput(mul, last.outputs[0]) ?? '', D, rank);
    if (mul && gamma) {
      nodes.push(mul);
      tail.last = mul;
      tail.gamma = gamma;
    }
  }
  return tail;
}

/** A rank-1 constant of ones (gamma of a norm the exporter wrote without one). */
export function onesVector(graph: Graph, hint: string, dtype: Tensor['dtype'], length: number): string {
  return addConstant(graph, hint, Tensor.from(dtype, [length], new Array<number>(length).fill(1)));
}
