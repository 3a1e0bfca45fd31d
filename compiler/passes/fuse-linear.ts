/**
 * Linear fusion.
 *
 * - MatMul(x, W) with W a constant [K, N], plus an optional Add (either
 *   order) of a constant bias of N elements, becomes llm.Linear(x, W, b).
 *   W may also be Transpose(table) of a constant 2-D table (a tied LM head
 *   whose transpose was too large to fold): W is then the table transposed,
 *   materialized lazily. Gemm(x, B, C) with transA = 0, alpha = beta = 1 and
 *   constant B and C becomes llm.Linear too.
 * - A Split on the last axis of a Linear's output (GPT-2's fused QKV
 *   projection) becomes one Linear per piece, with the weight's columns and
 *   the bias sliced; the pieces keep the Split's output names.
 */
import { Node } from '../graph.js';
import { Tensor, allocData } from '../tensor.js';
import { GraphPass } from './pass.js';
import { addConstant, cleanup } from './graph-edit.js';
import { Fuser, Rewrite, near, otherInput } from './fusion-match.js';

/** `t` transposed ([R, C] -> [C, R]), computed when first read. */
function transposed(t: Tensor): Tensor {
  const [R, C] = t.shape;
  return new Tensor(t.dtype, [C, R], () => {
    const src = t.peek(), out = allocData(t.dtype, R * C);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = src[r * C + c];
    return out;
  });
}

/**
 * Columns [from, from + n) of a [K, N] matrix, or elements of a vector, computed when first read;
 * a matrix's rows are also readable in place from the source's file bytes (Tensor.rawRows).
 */
function columns(t: Tensor, from: number, n: number): Tensor {
  const N = t.shape[t.rank - 1], rows = t.size / N;
  return new Tensor(t.dtype, [...t.shape.slice(0, -1), n], () => {
    const src = t.peek(), out = allocData(t.dtype, rows * n);
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * N + from, r * N + from + n), r * n);
    return out;
  }, () => {
    const p = t.rawRows();
    return p && { bytes: p.bytes, stride: p.stride, offset: p.offset + from * (p.stride / N) };
  });
}

/** The weight operand: a constant [K, N], or a single-use Transpose of a constant 2-D table. */
function matchWeight(f: Fuser, value: string): { make: () => string; nodes: Node[]; N: number } | undefined {
  const w = f.constant(value);
  if (w) return w.rank === 2 ? { make: () => value, nodes: [], N: w.shape[1] } : undefined;
  const tr = f.producer(value, 'Transpose');
  const table = tr && f.constant(tr.inputs[0]);
  if (!tr || !table || table.rank !== 2 || !f.singleUse(value)) return undefined;
  const perm = tr.attrs.perm;
  if (perm !== undefined && !(Array.isArray(perm) && perm[0] === 1 && perm[1] === 0)) return undefined;
  return { make: () => addConstant(f.graph, `${tr.inputs[0]}.T`, transposed(table)), nodes: [tr], N: table.shape[0] };
}

/** A constant bias of N elements broadcasting along the last axis only (rank at most `rank`). */
function biasParam(f: Fuser, value: string, N: number, rank: number | undefined) {
  return rank === undefined ? undefined : f.vectorParam(value, N, rank);
}

function matchMatMul(f: Fuser, mm: Node): Rewrite | undefined {
  const [x, wName] = mm.inputs;
  if (f.constant(x) || mm.outputs.length !== 1) return undefined;
  const w = matchWeight(f, wName);
  if (!w) return undefined;
  const y = mm.outputs[0];
  const nodes = [mm, ...w.nodes];
  let root = mm;
  let bias: (() => string) | undefined;
  const add = f.soleConsumer(y, 'Add');
  if (add) {
    bias = biasParam(f, otherInput(add, y) ?? '', w.N, f.rank(y));
    if (bias && f.sameShape(add.outputs[0], y)) { root = add; nodes.push(add); } else bias = undefined;
  }
  return {
    root, nodes,
    build: () => [{
      name: root.name, opType: 'llm.Linear', inputs: bias ? [x, w.make(), bias()] : [x, w.make()],
      outputs: [...root.outputs], attrs: {},
    }],
  };
}

function matchGemm(f: Fuser, gemm: Node): Rewrite | undefined {
  const [x, bName, cName] = gemm.inputs;
  const B = f.constant(bName);
  const num = (k: string, d: number) => (typeof gemm.attrs[k] === 'number' ? (gemm.attrs[k] as number) : d);
  if (!B || B.rank !== 2 || f.constant(x) || num('transA', 0) !== 0 || !near(num('alpha', 1), 1, 0)) return undefined;
  const transB = num('transB', 0) !== 0;
  const N = transB ? B.shape[0] : B.shape[1];
  let bias: (() => string) | undefined;
  if (cName) {
    if (!near(num('beta', 1), 1, 0)) return undefined;
    bias = f.vectorParam(cName, N, 2);
    if (!bias) return undefined;
  }
  return {
    root: gemm, nodes: [gemm],
    build: () => {
      const w = transB ? addConstant(f.graph, `${bName}.T`, transposed(B)) : bName;
      return [{ name: gemm.name, opType: 'llm.Linear', inputs: bias ? [x, w, bias()] : [x, w], outputs: [gemm.outputs[0]], attrs: {} }];
    },
  };
}

/** Piece sizes of a Split along an axis of `dim`, from its input, attribute or equal chunks. */
function splitSizes(f: Fuser, split: Node, dim: number): number[] | undefined {
  const count = split.outputs.length;
  let sizes: number[] | undefined;
  if (split.inputs[1]) {
    const t = f.constant(split.inputs[1]);
    sizes = t ? t.toArray() : undefined;
  } else if (Array.isArray(split.attrs.split)) {
    sizes = split.attrs.split as number[];
  } else {
    const chunk = Math.ceil(dim / count);
    sizes = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (!sizes || sizes.length !== count || sizes.reduce((a, b) => a + b, 0) !== dim) return undefined;
  return sizes;
}

function matchSplit(f: Fuser, split: Node): Rewrite | undefined {
  const y = split.inputs[0];
  const lin = f.producer(y, 'llm.Linear');
  if (!lin || !f.singleUse(y)) return undefined;
  const rank = f.rank(y);
  const axis = typeof split.attrs.axis === 'number' ? split.attrs.axis : 0;
  if (rank === undefined || (axis !== -1 && axis !== rank - 1)) return undefined;
  const [x, wName, bName] = lin.inputs;
  const W = f.constant(wName), b = bName ? f.constant(bName) : undefined;
  if (!W || W.rank !== 2 || (bName && !b)) return undefined;
  const sizes = splitSizes(f, split, W.shape[1]);
  if (!sizes) return undefined;
  return {
    root: split, nodes: [split, lin],
    build: () => {
      let at = 0;
      const pieces: Node[] = [];
      sizes.forEach((n, i) => {
        const out = split.outputs[i];
        const from = at;
        at += n;
        if (!out) return;
        const w = addConstant(f.graph, `${wName}.split${i}`, columns(W, from, n));
        const inputs = [x, w];
        if (b) inputs.push(addConstant(f.graph, `${bName}.split${i}`, columns(b, from, n)));
        pieces.push({ name: `${lin.name || split.name}.split${i}`, opType: 'llm.Linear', inputs, outputs: [out], attrs: {} });
      });
      return pieces;
    },
  };
}

export const fuseLinear: GraphPass = {
  name: 'fuse-linear',
  run(graph) {
    const f = new Fuser(graph);
    for (const node of [...graph.nodes]) {
      if (node.opType === 'MatMul') f.apply(matchMatMul(f, node));
      else if (node.opType === 'Gemm') f.apply(matchGemm(f, node));
    }
    // A second sweep sees the new Linear nodes.
    const g = new Fuser(graph);
    for (const node of [...graph.nodes]) if (node.opType === 'Split') g.apply(matchSplit(g, node));
    cleanup(graph);
  },
};
