/**
 * MatMul, Gemm, Softmax and LayerNormalization. Dot products and
 * statistics accumulate in float64 and are rounded to the output type once.
 */
import { Dim, ValueType } from '../graph.js';
import { DType, Tensor, TensorData, dtypeFromOnnx, onnxDtypeName, sizeOf } from '../tensor.js';
import {
  OpCall, OpDef, broadcastDims, broadcastShapes, broadcastStrides, forEachRow, normAxis, required,
  resultConverter, rowStep,
} from './op.js';
import { registerOp } from './registry.js';
import { FLOATS, WIDE_NUMERIC, schema } from './schema.js';

// ---------------------------------------------------------------- helpers

/** Flat index into a tensor of shape `from` for each element of `to`, `from` broadcasting to `to`. */
function broadcastIndexMap(call: OpCall, from: readonly number[], to: readonly number[], what: string): Int32Array {
  const b = broadcastShapes(call, [from, to]);
  if (b.length !== to.length || b.some((d, i) => d !== to[i])) {
    call.fail(`${what} of shape [${from.join(', ')}] does not broadcast to [${to.join(', ')}]`);
  }
  const map = new Int32Array(sizeOf(to));
  const strides = broadcastStrides(from, to);
  const step = rowStep(strides), len = to.length === 0 ? 1 : to[to.length - 1];
  forEachRow(to, [strides], (start, offs) => {
    for (let j = 0; j < len; j++) map[start + j] = offs[0] + j * step;
  });
  return map;
}

function requireSameDtype(call: OpCall, a: { dtype: DType }, b: { dtype: DType }): DType {
  if (a.dtype !== b.dtype) call.fail(`inputs must share one element type, got ${a.dtype} and ${b.dtype}`);
  return a.dtype;
}

function requireRank(call: OpCall, t: { shape: readonly unknown[] }, rank: number, what: string): void {
  if (t.shape.length !== rank) call.fail(`${what} must have rank ${rank}, got rank ${t.shape.length}`);
}

// ---------------------------------------------------------------- matrix product core

/** A matrix inside a tensor's data: element (r, c) is data[offset + r*rowStride + c*colStride]. */
interface MatView {
  data: TensorData;
  offset: number;
  rowStride: number;
  colStride: number;
}

/**
 * acc (row-major M×N, float64) += A (M×K) · B (K×N). Rows of A go four at a
 * time so each element of B loaded from memory serves four rows: B can be
 * far larger than cache (a vocabulary projection) and is streamed M/4 times.
 */
function matmulAccumulate(a: MatView, b: MatView, M: number, K: number, N: number, acc: Float64Array): void {
  // B rows contiguous: accumulate scaled rows of B (i-k-j order); else B is
  // transposed and its columns are contiguous: one dot product per output.
  const [block4, block1] = b.colStride === 1 ? [axpyRows4, axpyRow] : [dotRows4, dotRow];
  let i = 0;
  for (; i + 4 <= M; i += 4) block4(a, b, i, K, N, acc);
  for (; i < M; i++) block1(a, b, i, K, N, acc);
}

type RowKernel = (a: MatView, b: MatView, i: number, K: number, N: number, acc: Float64Array) => void;

/** Rows i..i+3 of the product, B row-major; k advances two at a time. */
const axpyRows4: RowKernel = (a, b, i, K, N, acc) => {
  const ad = a.data, bd = b.data, acs = a.colStride, brs = b.rowStride;
  const q0 = a.offset + i * a.rowStride, q1 = q0 + a.rowStride, q2 = q1 + a.rowStride, q3 = q2 + a.rowStride;
  const r0 = i * N, r1 = r0 + N, r2 = r1 + N, r3 = r2 + N;
  let k = 0;
  for (; k + 2 <= K; k += 2) {
    const ka = k * acs, kb = ka + acs;
    const x0 = ad[q0 + ka], x1 = ad[q1 + ka], x2 = ad[q2 + ka], x3 = ad[q3 + ka];
    const y0 = ad[q0 + kb], y1 = ad[q1 + kb], y2 = ad[q2 + kb], y3 = ad[q3 + kb];
    const u0 = b.offset + k * brs, v0 = u0 + brs;
    for (let j = 0; j < N; j++) {
      const u = bd[u0 + j], v = bd[v0 + j];
      acc[r0 + j] += x0 * u + y0 * v;
      acc[r1 + j] += x1 * u + y1 * v;
      acc[r2 + j] += x2 * u + y2 * v;
      acc[r3 + j] += x3 * u + y3 * v;
    }
  }
  for (; k < K; k++) {
    const ka = k * acs;
    const x0 = ad[q0 + ka], x1 = ad[q1 + ka], x2 = ad[q2 + ka], x3 = ad[q3 + ka];
    const u0 = b.offset + k * brs;
    for (let j = 0; j < N; j++) {
      const u = bd[u0 + j];
      acc[r0 + j] += x0 * u;
      acc[r1 + j] += x1 * u;
      acc[r2 + j] += x2 * u;
      acc[r3 + j] += x3 * u;
    }
  }
};

/** Row i of the product, B row-major. */
const axpyRow: RowKernel = (a, b, i, K, N, acc) => {
  const ad = a.data, bd = b.data, q = a.offset + i * a.rowStride, r = i * N;
  for (let k = 0; k < K; k++) {
    const x = ad[q + k * a.colStride], u0 = b.offset + k * b.rowStride;
    for (let j = 0; j < N; j++) acc[r + j] += x * bd[u0 + j];
  }
};

/** Rows i..i+3 of the product, B with contiguous columns. */
const dotRows4: RowKernel = (a, b, i, K, N, acc) => {
  const ad = a.data, bd = b.data, acs = a.colStride, brs = b.rowStride;
  const q0 = a.offset + i * a.rowStride, q1 = q0 + a.rowStride, q2 = q1 + a.rowStride, q3 = q2 + a.rowStride;
  for (let j = 0; j < N; j++) {
    const c = b.offset + j * b.colStride;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < K; k++) {
      const u = bd[c + k * brs], ka = k * acs;
      s0 += ad[q0 + ka] * u;
      s1 += ad[q1 + ka] * u;
      s2 += ad[q2 + ka] * u;
      s3 += ad[q3 + ka] * u;
    }
    acc[i * N + j] += s0;
    acc[(i + 1) * N + j] += s1;
    acc[(i + 2) * N + j] += s2;
    acc[(i + 3) * N + j] += s3;
  }
};

/** Row i of the product, B with contiguous columns. */
const dotRow: RowKernel = (a, b, i, K, N, acc) => {
  const ad = a.data, bd = b.data, q = a.offset + i * a.rowStride;
  for (let j = 0; j < N; j++) {
    const c = b.offset + j * b.colStride;
    let s = 0;
    for (let k = 0; k < K; k++) s += ad[q + k * a.colStride] * bd[c + k * b.rowStride];
    acc[i * N + j] += s;
  }
};

// ---------------------------------------------------------------- MatMul

/** Operand shapes with numpy's 1-D promotion: [K] is [1, K] on the left, [K, 1] on the right. */
function matmulShapes<D extends Dim>(call: OpCall, a: readonly D[], b: readonly D[]) {
  if (a.length === 0 || b.length === 0) call.fail('operands must have rank 1 or more');
  const a2 = a.length === 1 ? [1 as D, a[0]] : [...a];
  const b2 = b.length === 1 ? [b[0], 1 as D] : [...b];
  const M = a2[a2.length - 2], K = a2[a2.length - 1], Kb = b2[b2.length - 2], N = b2[b2.length - 1];
  if (typeof K === 'number' && typeof Kb === 'number' && K !== Kb) {
    call.fail(`inner dimensions differ: [${a.join(', ')}] x [${b.join(', ')}]`);
  }
  const keep = [...(a.length > 1 ? [M] : []), ...(b.length > 1 ? [N] : [])];
  return { aBatch: a2.slice(0, -2), bBatch: b2.slice(0, -2), M, K, N, keep };
}

const matmul: OpDef = {
  infer(call, ins) {
    const a = required(call, ins, 0), b = required(call, ins, 1);
    const dtype = requireSameDtype(call, a, b);
    const s = matmulShapes(call, a.shape, b.shape);
    return [{ dtype, shape: [...broadcastDims(call, s.aBatch, s.bBatch), ...s.keep] }];
  },
  execute(call, ins) {
    const a = required(call, ins, 0), b = required(call, ins, 1);
    const dtype = requireSameDtype(call, a, b);
    const { aBatch, bBatch, M, K, N, keep } = matmulShapes(call, a.shape, b.shape);
    const batch = broadcastShapes(call, [aBatch, bBatch]);
    const aMap = broadcastIndexMap(call, aBatch, batch, 'batch'), bMap = broadcastIndexMap(call, bBatch, batch, 'batch');
    const out = Tensor.zeros(dtype, [...batch, ...keep]);
    const conv = resultConverter(dtype);
    const acc = new Float64Array(M * N);
    for (let p = 0; p < aMap.length; p++) {
      acc.fill(0);
      matmulAccumulate(
        { data: a.data, offset: aMap[p] * M * K, rowStride: K, colStride: 1 },
        { data: b.data, offset: bMap[p] * K * N, rowStride: N, colStride: 1 },
        M, K, N, acc,
      );
      const base = p * M * N;
      for (let i = 0; i < acc.length; i++) out.data[base + i] = conv(acc[i]);
    }
    return [out];
  },
};

// ---------------------------------------------------------------- Gemm

/** Y = alpha · A' · B' + beta · C, A' = transA ? Aᵀ : A, likewise B'; C broadcasts to [M, N]. */
const gemm: OpDef = {
  infer(call, ins) {
    const a = required(call, ins, 0), b = required(call, ins, 1), c = ins[2];
    const dtype = requireSameDtype(call, a, b);
    const { M, K, Kb, N } = gemmDims(call, a.shape, b.shape);
    if (typeof K === 'number' && typeof Kb === 'number' && K !== Kb) call.fail(`inner dimensions differ: ${K} and ${Kb}`);
    if (c) broadcastDims(call, c.shape, [M, N]);
    return [{ dtype, shape: [M, N] }];
  },
  execute(call, ins) {
    const a = required(call, ins, 0), b = required(call, ins, 1), c = ins[2];
    const dtype = requireSameDtype(call, a, b);
    const { M, K, Kb, N } = gemmDims(call, a.shape, b.shape);
    if (K !== Kb) call.fail(`inner dimensions differ: ${K} and ${Kb}`);
    const transA = call.int('transA', 0) !== 0, transB = call.int('transB', 0) !== 0;
    const acc = new Float64Array(M * N);
    matmulAccumulate(
      { data: a.data, offset: 0, rowStride: transA ? 1 : K, colStride: transA ? M : 1 },
      { data: b.data, offset: 0, rowStride: transB ? 1 : N, colStride: transB ? K : 1 },
      M, K, N, acc,
    );
    const alpha = call.float('alpha', 1), beta = call.float('beta', 1);
    // Like ONNX Runtime, beta = 0 ignores C entirely (no NaN from C leaks through).
    const useC = c !== undefined && beta !== 0;
    const cMap = useC ? broadcastIndexMap(call, c.shape, [M, N], 'C') : new Int32Array(0);
    const cd = useC ? c.data : undefined;
    const out = Tensor.zeros(dtype, [M, N]);
    const conv = resultConverter(dtype);
    for (let i = 0; i < acc.length; i++) {
      out.data[i] = conv(alpha * acc[i] + (cd ? beta * cd[cMap[i]] : 0));
    }
    return [out];
  },
};

function gemmDims<D extends Dim>(call: OpCall, a: readonly D[], b: readonly D[]) {
  requireRank(call, { shape: a }, 2, 'A');
  requireRank(call, { shape: b }, 2, 'B');
  const transA = call.int('transA', 0) !== 0, transB = call.int('transB', 0) !== 0;
  return {
    M: transA ? a[1] : a[0], K: transA ? a[0] : a[1],
    Kb: transB ? b[1] : b[0], N: transB ? b[0] : b[1],
  };
}

// ---------------------------------------------------------------- Softmax

/**
 * The softmax groups as [outer, n, inner]: opset 13+ normalizes along one
 * axis (default -1); earlier opsets flatten dims from `axis` (default 1) on.
 */
function softmaxLayout(call: OpCall, shape: readonly number[]): { outer: number; n: number; inner: number } {
  const rank = shape.length;
  if (call.opset >= 13) {
    const axis = normAxis(call, call.int('axis', -1), rank);
    return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
  }
  const axis = normAxis(call, call.int('axis', 1), rank);
  return { outer: sizeOf(shape.slice(0, axis)), n: sizeOf(shape.slice(axis)), inner: 1 };
}

const softmax: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    const axis = call.int('axis', call.opset >= 13 ? -1 : 1);
    normAxis(call, axis, x.shape.length);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const { outer, n, inner } = softmaxLayout(call, x.shape);
    const out = Tensor.zeros(x.dtype, x.shape);
    const conv = resultConverter(x.dtype);
    const xd = x.data, od = out.data, e = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
      for (let q = 0; q < inner; q++) {
        const base = o * n * inner + q;
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = Math.max(max, xd[base + k * inner]);
        let sum = 0;
        for (let k = 0; k < n; k++) sum += e[k] = Math.exp(xd[base + k * inner] - max);
        for (let k = 0; k < n; k++) od[base + k * inner] = conv(e[k] / sum);
      }
    }
    return [out];
  },
};

// ---------------------------------------------------------------- LayerNormalization

function stashDtype(call: OpCall): DType {
  const code = call.int('stash_type', 1);
  return dtypeFromOnnx(code) ?? call.fail(`unsupported stash_type ${onnxDtypeName(code)}`);
}

/** Shape of Mean and InvStdDev: X's dims before `axis`, then ones. */
function statsShape<D extends Dim>(shape: readonly D[], axis: number): (D | 1)[] {
  return shape.map((d, i) => (i < axis ? d : 1));
}

/**
 * Index of a Scale/B element for each normalized element: per position in
 * the normalized block when the parameter spans only normalized dims (the
 * usual case), else per element of X.
 */
function paramIndex(call: OpCall, p: Tensor, xShape: readonly number[], axis: number, what: string) {
  let lead = 0;
  while (lead < p.rank && p.shape[lead] === 1) lead++;
  const core = p.shape.slice(lead);
  if (core.length <= xShape.length - axis) {
    return { map: broadcastIndexMap(call, core, xShape.slice(axis), what), perRow: false };
  }
  return { map: broadcastIndexMap(call, p.shape, xShape, what), perRow: true };
}

const layerNorm: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    required(call, ins, 1);
    const axis = normAxis(call, call.int('axis', -1), x.shape.length);
    const stats: ValueType = { dtype: stashDtype(call), shape: statsShape(x.shape, axis) };
    const y: ValueType = { dtype: x.dtype, shape: [...x.shape] };
    return [y, stats, stats].slice(0, Math.max(1, call.node.outputs.length));
  },
  execute(call, ins) {
    const x = required(call, ins, 0), scale = required(call, ins, 1), bias = ins[2];
    const axis = normAxis(call, call.int('axis', -1), x.rank);
    const eps = call.float('epsilon', 1e-5);
    const n = sizeOf(x.shape.slice(axis)), rows = sizeOf(x.shape.slice(0, axis));
    const s = paramIndex(call, scale, x.shape, axis, 'Scale');
    const b = bias ? paramIndex(call, bias, x.shape, axis, 'B') : undefined;
    const stash = stashDtype(call);
    const y = Tensor.zeros(x.dtype, x.shape);
    const mean = Tensor.zeros(stash, statsShape(x.shape, axis));
    const invStd = Tensor.zeros(stash, statsShape(x.shape, axis));
    const conv = resultConverter(x.dtype), convStats = resultConverter(stash);
    const xd = x.data, yd = y.data, sd = scale.data, bd = bias?.data;
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += xd[base + j];
      const mu = sum / n;
      let sq = 0;
      for (let j = 0; j < n; j++) sq += (xd[base + j] - mu) ** 2;
      const inv = 1 / Math.sqrt(sq / n + eps);
      mean.data[r] = convStats(mu);
      invStd.data[r] = convStats(inv);
      const sOff = s.perRow ? base : 0, bOff = b?.perRow ? base : 0;
      for (let j = 0; j < n; j++) {
        const shift = b && bd ? bd[b.map[bOff + j]] : 0;
        yd[base + j] = conv((xd[base + j] - mu) * inv * sd[s.map[sOff + j]] + shift);
      }
    }
    return [y, mean, invStd].slice(0, Math.max(1, call.node.outputs.length));
  },
};

// ---------------------------------------------------------------- registration

registerOp('MatMul', { ...matmul, schema: [schema(13, 'T T', 'T', { T: WIDE_NUMERIC })] });
registerOp('Gemm', {
  ...gemm,
  schema: [schema(13, 'T T T?', 'T', { T: WIDE_NUMERIC }, { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' })],
});
registerOp('Softmax', { ...softmax, schema: [schema(13, 'T', 'T', { T: FLOATS }, { axis: 'int' })] });
// ONNX added LayerNormalization in opset 17 with float32 statistics; ONNX Runtime accepts it in older
// default-domain opsets too (its own version, statistics of any float type), and so do we.
registerOp('LayerNormalization', {
  ...layerNorm,
  schema: [1, 17].map((since) => schema(since, 'T T T?', 'T U? U?', { T: FLOATS, U: since >= 17 ? ['float32'] : FLOATS }, {
    axis: 'int', epsilon: 'float', stash_type: 'int',
  }, {
    outputTypes: (a) => ({ U: a.stash_type === undefined ? 'float32' : dtypeFromOnnx(a.stash_type as number) }),
  })),
});
