/**
 * fuse-rope: rotary position embeddings as the exporters write them on a
 * head-split tensor X4 = Transpose(0,2,1,3)(Reshape(x, [B, T, H, hd])):
 *
 *   X4·cos + Concat(−Slice(X4, hd/2:), Slice(X4, :hd/2), axis −1)·sin
 *
 * with constant (folded) cos/sin tables of shape [.., T, hd]. llm.RoPE works
 * token-major, so the head split moves after it:
 *
 *   y = llm.RoPE(x, cos[T, hd], sin[T, hd]) {heads: H}
 *   root = Transpose(0,2,1,3)(Reshape(y, [B, T, H, hd]))
 *
 * and fuse-attention then sees an ordinary head split of a token-major value.
 */
import { Graph, Node } from '../graph.js';
import { DType, Tensor } from '../tensor.js';
import { GraphIndex, addConstant, cleanup } from './graph-edit.js';
import { GraphPass } from './pass.js';
import {
  HeadSplit, Names, internalOnly, matchHeadSplit, normalizedAxis, intAttr, replacePattern, sameShape, scopedName,
  shapeOf, sliceRange,
} from './head-patterns.js';

interface RopeMatch {
  root: Node;
  head: HeadSplit;
  cos: string;
  sin: string;
  nodes: Node[];
}

/** The non-constant and the constant operand of a two-input node. */
function constOperand(ix: GraphIndex, node: Node | undefined): [string, string] | undefined {
  if (!node || node.inputs.length !== 2) return undefined;
  const [a, b] = node.inputs;
  if (ix.constant(b) && !ix.constant(a)) return [a, b];
  if (ix.constant(a) && !ix.constant(b)) return [b, a];
  return undefined;
}

/** A cos/sin table that broadcasts over batch and heads: [.., T, hd] with leading ones. */
function isTable(t: Tensor | undefined, T: number, hd: number): t is Tensor {
  if (!t || t.dtype === 'bool' || t.rank < 2 || t.rank > 4) return false;
  const s = t.shape;
  return s[s.length - 2] === T && s[s.length - 1] === hd && s.slice(0, -2).every((d) => d === 1);
}

function matchRope(ix: GraphIndex, root: Node): RopeMatch | undefined {
  if (root.opType !== 'Add' || root.inputs.length !== 2) return undefined;
  const g = ix.graph;
  const muls = root.inputs.map((v) => ix.producerOfType(v, 'Mul'));
  for (const [mc, ms] of [[muls[0], muls[1]], [muls[1], muls[0]]]) {
    const xc = constOperand(ix, mc), xs = constOperand(ix, ms);
    if (!mc || !ms || mc === ms || !xc || !xs) continue;
    const [x4, cos] = xc, [rotated, sin] = xs;
    const cat = ix.producerOfType(rotated, 'Concat');
    if (!cat || cat.inputs.length !== 2 || normalizedAxis(intAttr(cat, 'axis'), 4) !== 3) continue;
    const neg = ix.producerOfType(cat.inputs[0], 'Neg');
    const lo = ix.producerOfType(cat.inputs[1], 'Slice');
    const hi = neg && ix.producerOfType(neg.inputs[0], 'Slice');
    if (!neg || !lo || !hi || lo.inputs[0] !== x4 || hi.inputs[0] !== x4) continue;
    const head = matchHeadSplit(ix, x4);
    if (!head || head.hd % 2 !== 0) continue;
    const { B, S: T, heads: H, hd } = head;
    const shape4 = [B, H, T, hd];
    const half = hd / 2;
    const rl = sliceRange(ix, lo, 3, 4, hd), rh = sliceRange(ix, hi, 3, 4, hd);
    if (!rl || !rh || rl[0] !== 0 || rl[1] !== half || rh[0] !== half || rh[1] !== hd) continue;
    if (!isTable(ix.constant(cos), T, hd) || !isTable(ix.constant(sin), T, hd)) continue;
    // Nothing broadcasts beyond X4's shape.
    if (![root.outputs[0], mc.outputs[0], ms.outputs[0], rotated, x4].every((v) => sameShape(shapeOf(g, v), shape4))) continue;
    const nodes = [root, mc, ms, cat, neg, lo, hi, ...head.nodes];
    if (!internalOnly(ix, nodes, root)) continue;
    return { root, head, cos, sin, nodes };
  }
  return undefined;
}

/** The table as [T, hd] of x's type: the constant itself when it already is (one copy per table otherwise). */
function table2d(graph: Graph, names: Names, tables: Map<string, string>, name: string, dtype: DType, T: number, hd: number): string {
  const t = graph.initializers.get(name)!;
  if (t.rank === 2 && t.dtype === dtype) return name;
  let made = tables.get(name);
  if (!made) {
    made = addConstant(graph, names.fresh(`${name}_2d`), Tensor.from(dtype, [T, hd], t.data));
    tables.set(name, made);
  }
  return made;
}

function rewrite(graph: Graph, names: Names, tables: Map<string, string>, m: RopeMatch): void {
  const { root, head } = m;
  const { B, S: T, heads: H, hd, x } = head;
  const out = root.outputs[0];
  const dtype = graph.types.get(x)?.dtype ?? 'float32';
  const nodeName = names.fresh(scopedName(root, 'RoPE'));
  const y = names.fresh(`${nodeName}_output_0`);
  const y4 = names.fresh(`${nodeName}/Reshape_output_0`);
  const shape = addConstant(graph, names.fresh(`${nodeName}/heads_shape`), Tensor.from('int64', [4], [B, T, H, hd]));
  graph.types.set(y, { dtype, shape: [B, T, H * hd] });
  graph.types.set(y4, { dtype, shape: [B, T, H, hd] });
  const nodes: Node[] = [
    {
      name: nodeName, opType: 'llm.RoPE', inputs: [x, table2d(graph, names, tables, m.cos, dtype, T, hd), table2d(graph, names, tables, m.sin, dtype, T, hd)],
      outputs: [y], attrs: { heads: H },
    },
    { name: `${nodeName}/Reshape`, opType: 'Reshape', inputs: [y, shape], outputs: [y4], attrs: {} },
    { name: `${nodeName}/Transpose`, opType: 'Transpose', inputs: [y4], outputs: [out], attrs: { perm: [0, 2, 1, 3] } },
  ];
  replacePattern(graph, root, m.nodes, nodes);
}

/** Fuses every RoPE pattern; returns how many. */
export function fuseRopeIn(graph: Graph): number {
  const ix = new GraphIndex(graph);
  const claimed = new Set<Node>();
  const matches: RopeMatch[] = [];
  for (const node of graph.nodes) {
    const m = matchRope(ix, node);
    if (!m || m.nodes.some((n) => claimed.has(n))) continue;
    m.nodes.forEach((n) => claimed.add(n));
    matches.push(m);
  }
  const names = new Names(graph);
  const tables = new Map<string, string>();
  for (const m of matches) rewrite(graph, names, tables, m);
  cleanup(graph);
  return matches.length;
}

export const fuseRope: GraphPass = { name: 'fuse-rope', run: (graph) => { fuseRopeIn(graph); } };
