/**
 * fuse-attention: scaled dot-product attention as the exporters write it,
 * rooted at the Reshape that merges the heads back:
 *
 *   Q4 = heads(q)                              Transpose(0,2,1,3)(Reshape(q, [B, T, H, hd]))
 *   KT = Transpose(0,2,3,1)(Reshape(k))        or Transpose(0,1,3,2)(K4)
 *   K4, V4 = [repeat](  [Concat(past, ·, axis 2)](  heads(k | v)  ))
 *   scores = MatMul(Q4, KT), scaled by Mul/Div constants (on the scores, Q4 or KT),
 *            masked by Where(bool const, ·, -inf) or Add(·, 0/-inf const)
 *   y = Reshape(Transpose(0,2,1,3)(MatMul(Softmax(scores, last axis), V4)), [B, T, H·hd])
 *
 * "repeat" is the grouped-query repetition of K/V heads (Unsqueeze(2) +
 * Expand + Reshape, or repeat_interleave's Split/Unsqueeze/Expand/Reshape/
 * Concat per KV head); a single KV head may also be broadcast by the MatMuls.
 * The mask is a constant or computed from constants only (a [T, L] Slice of
 * a [context, context] buffer too big for the frontend to fold); checked
 * element by element, it must be exactly the causal rule of llm.Attention
 * (causal 1) or mask nothing (causal 0); otherwise nothing is fused.
 * KV-cache Concats whose results are graph outputs (or, without a past
 * input, head-split K/V that are graph outputs) become the kernel's
 * present_k/present_v outputs under the same names.
 */
import { Graph, Node } from '../graph.js';
import { Tensor } from '../tensor.js';
import { broadcastStrides } from '../ops/op.js';
import { GraphIndex, cleanup } from './graph-edit.js';
import { GraphPass } from './pass.js';
import {
  Names, internalOnly, intAttr, isMaskedValue, isPerm, matchHeadSplit, matchScale, normalizedAxis, replacePattern,
  sameShape, scopedName, shapeOf,
} from './head-patterns.js';

/** K or V resolved back to its token-major value. */
interface KV {
  x: string;
  kvHeads: number;
  rep: number;
  hd: number;
  /** New keys/values S and total length P + S. */
  S: number;
  L: number;
  past?: string;
  /** The Concat result when it is a graph output (becomes present_k / present_v). */
  present?: string;
  nodes: Node[];
}

interface AttentionMatch {
  root: Node;
  q: string;
  k: KV;
  v: KV;
  heads: number;
  scale: number;
  causal: 0 | 1;
  nodes: Node[];
}

/** One GQA repetition Reshape(Expand(Unsqueeze(inner) [B,h,1,L,d]) [B,h,r,L,d]) [B,h·r,L,d]. */
function matchRepeatOnce(ix: GraphIndex, value: string): { inner: string; rep: number; nodes: Node[] } | undefined {
  const g = ix.graph;
  const rs = ix.producerOfType(value, 'Reshape');
  const ex = rs && ix.producerOfType(rs.inputs[0], 'Expand');
  const un = ex && ix.producerOfType(ex.inputs[0], 'Unsqueeze');
  if (!rs || !ex || !un) return undefined;
  const s = shapeOf(g, un.inputs[0]), su = shapeOf(g, un.outputs[0]), se = shapeOf(g, ex.outputs[0]), sr = shapeOf(g, rs.outputs[0]);
  if (!s || !su || !se || !sr || s.length !== 4) return undefined;
  const [B, h, L, d] = s;
  const rep = se[2];
  if (!sameShape(su, [B, h, 1, L, d]) || !sameShape(se, [B, h, rep, L, d]) || !sameShape(sr, [B, h * rep, L, d])) return undefined;
  return { inner: un.inputs[0], rep, nodes: [rs, ex, un] };
}

/** Strips the GQA repetition of a [B, H, L, d] value: the [B, Hk, L, d] value it repeats and H/Hk. */
function peelRepeat(ix: GraphIndex, value: string): { inner: string; rep: number; nodes: Node[] } {
  const once = matchRepeatOnce(ix, value);
  if (once) return once;
  // repeat_interleave: Concat(axis 1) over Split(axis 1) of the KV heads, each part repeated.
  const cat = ix.producerOfType(value, 'Concat');
  if (cat && normalizedAxis(intAttr(cat, 'axis'), 4) === 1) {
    const parts = cat.inputs.map((v) => matchRepeatOnce(ix, v));
    const split = parts[0] && ix.producerOfType(parts[0].inner, 'Split');
    if (split && normalizedAxis(intAttr(split, 'axis', 0), 4) === 1 && split.outputs.length === parts.length
      && parts.every((p, i) => p && p.rep === parts[0]!.rep && p.inner === split.outputs[i])) {
      return { inner: split.inputs[0], rep: parts[0]!.rep, nodes: [cat, split, ...parts.flatMap((p) => p!.nodes)] };
    }
  }
  return { inner: value, rep: 1, nodes: [] };
}

/** K4 or V4 [B, H, L, d] back to its token-major value, through GQA repetition, KV-cache Concat and head split. */
function resolveKV(ix: GraphIndex, value: string): KV | undefined {
  const g = ix.graph;
  const { inner, rep, nodes } = peelRepeat(ix, value);
  let cur = inner, past: string | undefined, present: string | undefined;
  const cat = ix.producerOfType(inner, 'Concat');
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  if (cat && cat.inputs.length === 2 && normalizedAxis(intAttr(cat, 'axis'), 4) === 2 && graphInputs.has(cat.inputs[0])) {
    past = cat.inputs[0];
    cur = cat.inputs[1];
    if (g.outputs.some((o) => o.name === cat.outputs[0])) present = cat.outputs[0];
    nodes.push(cat);
  } else if (g.outputs.some((o) => o.name === inner)) {
    // A cache without past input (prefill-only export): the heads themselves are the present output.
    present = inner;
  }
  const head = matchHeadSplit(ix, cur);
  if (!head) return undefined;
  const full = shapeOf(g, inner);
  if (!full || full.length !== 4) return undefined;
  const L = full[2];
  if (past) {
    const ps = shapeOf(g, past);
    if (!sameShape(ps, [head.B, head.heads, L - head.S, head.hd])) return undefined;
  }
  return { x: head.x, kvHeads: head.heads, rep, hd: head.hd, S: head.S, L, past, present, nodes: [...nodes, ...head.nodes] };
}

/** Strips Mul/Div-by-constant scales off a value, multiplying them into `scale.value`. */
function peelScales(ix: GraphIndex, value: string, scale: { value: number }, nodes: Node[]): string {
  for (let m = matchScale(ix, value); m; m = matchScale(ix, value)) {
    scale.value *= m.factor;
    nodes.push(m.node);
    value = m.inner;
  }
  return value;
}

/** A mask found on the scores: which entries it keeps visible, as a function of the constant's value. */
interface Mask { tensor: Tensor; visible: (x: number) => boolean }

/** causal 1 when the mask is exactly llm.Attention's causal rule on [B, H, T, L], 0 when it masks nothing. */
function maskCausal(mask: Mask | undefined, shape: readonly number[]): 0 | 1 | undefined {
  if (!mask) return 0;
  const t = mask.tensor;
  if (t.rank > shape.length) return undefined;
  const lead = shape.length - t.rank;
  if (t.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) return undefined;
  const [B, H, T, L] = shape;
  const st = broadcastStrides(t.shape, shape);
  if (st.length !== 4) return undefined;
  const data = t.data;
  let causal = true, none = true;
  // The rule does not depend on batch or head: only dims the mask really has need checking.
  const [Bm, Hm] = [st[0] ? B : 1, st[1] ? H : 1];
  for (let b = 0; b < Bm; b++) for (let h = 0; h < Hm; h++) for (let i = 0; i < T; i++) for (let j = 0; j < L; j++) {
    const vis = mask.visible(data[b * st[0] + h * st[1] + i * st[2] + j * st[3]]);
    if (vis !== (j <= i + L - T)) causal = false;
    if (!vis) none = false;
    if (!causal && !none) return undefined;
  }
  return causal ? 1 : 0;
}

/** Where(cond, s, fill) / Where(cond, fill, s) with a bool constant cond and a masked-value fill. */
function whereMask(ix: GraphIndex, node: Node): { inner: string; mask: Mask } | undefined {
  const [cond, a, b] = node.inputs;
  const c = ix.constantValue(cond);
  if (!c || c.dtype !== 'bool' || node.inputs.length !== 3) return undefined;
  const fa = ix.constant(a), fb = ix.constant(b);
  const fillOk = (t: Tensor | undefined) => !!t && t.toArray().every(isMaskedValue);
  if (!fa && fillOk(fb)) return { inner: a, mask: { tensor: c, visible: (x) => x !== 0 } };
  if (!fb && fillOk(fa)) return { inner: b, mask: { tensor: c, visible: (x) => x === 0 } };
  return undefined;
}

/** Add(s, m) / Add(m, s) with a constant m of zeros (visible) and masked values. */
function addMask(ix: GraphIndex, node: Node): { inner: string; mask: Mask } | undefined {
  if (node.inputs.length !== 2) return undefined;
  const [a, b] = node.inputs;
  const ca = ix.constantValue(a), cb = ix.constantValue(b);
  const [inner, m] = cb && !ca ? [a, cb] : ca && !cb ? [b, ca] : [undefined, undefined];
  if (!inner || !m || m.dtype === 'bool' || !m.toArray().every((x) => x === 0 || isMaskedValue(x))) return undefined;
  return { inner, mask: { tensor: m, visible: (x) => x === 0 } };
}

function matchAttention(ix: GraphIndex, root: Node): AttentionMatch | undefined {
  const g = ix.graph;
  if (root.opType !== 'Reshape') return undefined;
  const merge = ix.producerOfType(root.inputs[0], 'Transpose');
  if (!isPerm(merge, [0, 2, 1, 3])) return undefined;
  const pv = ix.producerOfType(merge.inputs[0], 'MatMul');
  const sm = pv && ix.producerOfType(pv.inputs[0], 'Softmax');
  if (!pv || !sm) return undefined;
  const nodes: Node[] = [root, merge, pv, sm];

  // Scores: Softmax on the last axis (opset < 13 flattens from `axis`, the same when it is the last).
  if (normalizedAxis(intAttr(sm, 'axis', g.opset >= 13 ? -1 : 1), 4) !== 3) return undefined;
  const scoresShape = shapeOf(g, sm.inputs[0]);
  if (!scoresShape || scoresShape.length !== 4) return undefined;
  const scale = { value: 1 };
  let mask: Mask | undefined;
  let cur = sm.inputs[0];
  let qk: Node | undefined;
  for (;;) {
    if (!sameShape(shapeOf(g, cur), scoresShape)) return undefined;
    const node = ix.producer(cur);
    if (!node) return undefined;
    if (node.opType === 'MatMul') { qk = node; break; }
    const s = matchScale(ix, cur);
    const m = mask ? undefined : node.opType === 'Where' ? whereMask(ix, node) : node.opType === 'Add' ? addMask(ix, node) : undefined;
    if (s) { scale.value *= s.factor; cur = s.inner; } else if (m) { mask = m.mask; cur = m.inner; } else return undefined;
    nodes.push(node);
  }
  nodes.push(qk);

  // Q: scales, then the head split.
  const q4 = peelScales(ix, qk.inputs[0], scale, nodes);
  const qh = matchHeadSplit(ix, q4);
  if (!qh) return undefined;
  nodes.push(...qh.nodes);
  const { B, S: T, heads: H, hd } = qh;

  // K: either one Transpose(0,2,3,1) of the head Reshape, or Transpose(0,1,3,2) of K4.
  const kt = peelScales(ix, qk.inputs[1], scale, nodes);
  let k: KV | undefined;
  const direct = matchHeadSplit(ix, kt, [0, 2, 3, 1]);
  if (direct) {
    k = { x: direct.x, kvHeads: direct.heads, rep: 1, hd: direct.hd, S: direct.S, L: direct.S, nodes: direct.nodes };
  } else {
    const tr = ix.producerOfType(kt, 'Transpose');
    if (!isPerm(tr, [0, 1, 3, 2])) return undefined;
    nodes.push(tr);
    const k4 = peelScales(ix, tr.inputs[0], scale, nodes);
    k = resolveKV(ix, k4);
  }
  const v = resolveKV(ix, pv.inputs[1]);
  if (!k || !v) return undefined;
  nodes.push(...k.nodes, ...v.nodes);

  // One KV head that MatMul broadcasts over the query heads (multi-query attention).
  for (const kv of [k, v]) if (kv.kvHeads === 1 && kv.rep === 1) kv.rep = H;

  // Everything agrees on batch, heads, lengths and head size.
  const L = k.L;
  if (k.kvHeads * k.rep !== H || v.kvHeads !== k.kvHeads || v.rep !== k.rep || k.hd !== hd) return undefined;
  if (v.L !== L || v.S !== k.S || !!k.past !== !!v.past) return undefined;
  if (!sameShape(scoresShape, [B, H, T, L])) return undefined;
  if (!sameShape(shapeOf(g, root.outputs[0]), [B, T, H * v.hd])) return undefined;
  for (const x of [k.x, v.x]) if (shapeOf(g, x)?.[0] !== B) return undefined;

  const causal = maskCausal(mask, scoresShape);
  if (causal === undefined) return undefined;
  const presents = new Set([k.present, v.present].filter((p): p is string => !!p));
  if (!internalOnly(ix, nodes, root, presents)) return undefined;
  return { root, q: qh.x, k, v, heads: H, scale: scale.value, causal, nodes: [...new Set(nodes)] };
}

function rewrite(graph: Graph, names: Names, m: AttentionMatch): void {
  const inputs = [m.q, m.k.x, m.v.x];
  if (m.k.past && m.v.past) inputs.push(m.k.past, m.v.past);
  const outputs = [m.root.outputs[0], m.k.present ?? '', m.v.present ?? ''];
  while (outputs[outputs.length - 1] === '') outputs.pop();
  const node: Node = {
    name: names.fresh(scopedName(m.root, 'Attention')),
    opType: 'llm.Attention',
    inputs,
    outputs,
    attrs: { heads: m.heads, kv_heads: m.k.kvHeads, scale: m.scale, causal: m.causal },
  };
  replacePattern(graph, m.root, m.nodes, [node]);
}

/** Fuses every attention pattern; returns how many. */
export function fuseAttentionIn(graph: Graph): number {
  const ix = new GraphIndex(graph);
  const claimed = new Set<Node>();
  const matches: AttentionMatch[] = [];
  for (const node of graph.nodes) {
    const m = matchAttention(ix, node);
    if (!m || m.nodes.some((n) => claimed.has(n))) continue;
    m.nodes.forEach((n) => claimed.add(n));
    matches.push(m);
  }
  const names = new Names(graph);
  for (const m of matches) rewrite(graph, names, m);
  cleanup(graph);
  return matches.length;
}

export const fuseAttention: GraphPass = { name: 'fuse-attention', run: (graph) => { fuseAttentionIn(graph); } };
