/**
 * Weight quantization (docs/numerics.md, "Weights"): symmetric integers per
 * output channel, and the requantization multipliers that fold each
 * channel's scale into the step from accumulator to activation format.
 */
import { FixedFormat, Multiplier, toFixed, toMultiplier } from './fixed.js';
import { Tensor } from '../tensor.js';

/**
 * A [R, C] matrix of symmetric integers with one scale per channel: per
 * column (axis 1: Linear W[K, N], channel n) or per row (axis 0: Embedding
 * tables, channel = row). value ≈ q · scale[channel]. q ∈ [−qmax, qmax],
 * qmax = 2^(bits−1) − 1 (127 for int8, 7 for int4; −2^(bits−1) is unused).
 */
export interface QuantWeights {
  bits: number;
  axis: 0 | 1;
  shape: [number, number];
  data: Int8Array;
  scale: Float64Array;
}

export function qmaxOf(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/**
 * scale[c] = max|W[:, c]| / qmax (1 when the channel is all zeros);
 * q = clamp(roundHalfEven(w / scale[c]), −qmax, qmax).
 */
export function quantizeWeights(w: ArrayLike<number>, shape: readonly number[], bits: number, axis: 0 | 1): QuantWeights {
  if (shape.length !== 2) throw new Error(`weights must be rank 2, got [${shape.join(', ')}]`);
  const [R, C] = shape;
  const qmax = qmaxOf(bits);
  const maxAbs = new Float64Array(axis === 1 ? C : R);
  channelMaxAbs(w, 0, R * C, C, axis, maxAbs);
  const scale = scalesOf(maxAbs, qmax);
  const data = new Int8Array(R * C);
  quantizeInto(w, 0, R * C, C, axis, scale, qmax, data);
  return { bits, axis, shape: [R, C], data, scale };
}

/**
 * quantizeWeights of a rank-2 weight tensor, read in parts of whole rows
 * without caching its values (a large model's weights are decoded one part
 * at a time from the file's bytes). The same integers and scales.
 */
export function quantizeTensorWeights(t: Tensor, bits: number, axis: 0 | 1): QuantWeights {
  if (t.rank !== 2) throw new Error(`weights must be rank 2, got [${t.shape.join(', ')}]`);
  const [R, C] = t.shape;
  const qmax = qmaxOf(bits);
  const maxAbs = new Float64Array(axis === 1 ? C : R);
  const part = 1 << 20;
  for (const { start, values } of t.chunks(part, Math.max(C, 1))) channelMaxAbs(values, start, values.length, C, axis, maxAbs);
  const scale = scalesOf(maxAbs, qmax);
  const data = new Int8Array(R * C);
  for (const { start, values } of t.chunks(part, Math.max(C, 1))) quantizeInto(values, start, values.length, C, axis, scale, qmax, data);
  return { bits, axis, shape: [R, C], data, scale };
}

function scalesOf(maxAbs: Float64Array, qmax: number): Float64Array {
  const scale = new Float64Array(maxAbs.length);
  for (let ch = 0; ch < maxAbs.length; ch++) scale[ch] = maxAbs[ch] > 0 && Number.isFinite(maxAbs[ch]) ? maxAbs[ch] / qmax : 1;
  return scale;
}

/** max |w| per channel over elements [start, start + n) of a row-major [R, C] array (`w` holds just those, from index 0). */
function channelMaxAbs(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, maxAbs: Float64Array): void {
  if (w instanceof Float32Array) channelMaxAbsF32(w, start, n, C, axis, maxAbs);
  else channelMaxAbsAny(w, start, n, C, axis, maxAbs);
}

// One monomorphic copy per element type (Float32Array: every float32/float16 weight), a plain loop per row.
function channelMaxAbsF32(w: Float32Array, start: number, n: number, C: number, axis: 0 | 1, maxAbs: Float64Array): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) { const a = Math.abs(w[i]); if (a > maxAbs[c]) maxAbs[c] = a; }
    } else {
      let m = maxAbs[row];
      for (; i < rowEnd; i++) { const a = Math.abs(w[i]); if (a > m) m = a; }
      maxAbs[row] = m;
    }
  }
}
function channelMaxAbsAny(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, maxAbs: Float64Array): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) { const a = Math.abs(w[i]); if (a > maxAbs[c]) maxAbs[c] = a; }
    } else {
      let m = maxAbs[row];
      for (; i < rowEnd; i++) { const a = Math.abs(w[i]); if (a > m) m = a; }
      maxAbs[row] = m;
    }
  }
}

/** q = clamp(roundHalfEven(w / scale[channel]), ±qmax) for elements [start, start + n), into data[start ...]. */
function quantizeInto(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, scale: Float64Array, qmax: number, data: Int8Array): void {
  if (w instanceof Float32Array) quantizeIntoF32(w, start, n, C, axis, scale, qmax, data);
  else quantizeIntoAny(w, start, n, C, axis, scale, qmax, data);
}

/** 1.5·2^52: for |x| < 2^51, (x + ROUNDER) − ROUNDER is x rounded to an integer, ties to even (IEEE default rounding). */
const ROUNDER = 6755399441055744;

/* roundHalfEven(x) clamped to ±qmax (NaN: 0). Values at or beyond ±qmax clamp first (they would round to at least qmax
   in magnitude anyway), so the magic-number rounding only sees |x| < qmax and equals roundHalfEven exactly. */
function roundClamp(x: number, qmax: number): number {
  return x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
}

function quantizeIntoF32(w: Float32Array, start: number, n: number, C: number, axis: 0 | 1, scale: Float64Array, qmax: number, data: Int8Array): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) data[start + i] = roundClamp(w[i] / scale[c], qmax);
    } else {
      const s = scale[row];
      for (; i < rowEnd; i++) data[start + i] = roundClamp(w[i] / s, qmax);
    }
  }
}
function quantizeIntoAny(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, scale: Float64Array, qmax: number, data: Int8Array): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) data[start + i] = roundClamp(w[i] / scale[c], qmax);
    } else {
      const s = scale[row];
      for (; i < rowEnd; i++) data[start + i] = roundClamp(w[i] / s, qmax);
    }
  }
}

/** Σ_k |q[k, n]| per column n of a row-major [K, N] integer matrix. */
export function columnAbsSums(q: Int8Array, K: number, N: number): Float64Array {
  const sumAbs = new Float64Array(N);
  for (let k = 0; k < K; k++) { const o = k * N; for (let n = 0; n < N; n++) { const v = q[o + n]; sumAbs[n] += v < 0 ? -v : v; } }
  return sumAbs;
}

export function dequantizeWeights(q: QuantWeights): Float64Array {
  const [R, C] = q.shape;
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[r * C + c] = q.data[r * C + c] * q.scale[q.axis === 1 ? c : r];
  return out;
}

/** Per-channel multipliers m·2^−shift ≈ scale[c] · 2^(toFrac − fromFrac), stored as two integer arrays. */
export interface ChannelMultipliers { m: Int32Array; shift: Int32Array }

export function channelMultipliers(scale: ArrayLike<number>, fromFrac: number, toFrac: number): ChannelMultipliers {
  const n = scale.length;
  const m = new Int32Array(n), shift = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const mult = toMultiplier(scale[c] * 2 ** (toFrac - fromFrac));
    m[c] = mult.m;
    shift[c] = mult.shift;
  }
  return { m, shift };
}

export function channelMultiplier(cm: ChannelMultipliers, c: number): Multiplier {
  return { m: cm.m[c], shift: cm.shift[c] };
}

/** Quantizes a float array into one format (round half to even, saturate). */
export function quantizeArray(x: ArrayLike<number>, f: FixedFormat): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = toFixed(x[i], f);
  return out;
}

export function dequantizeArray(q: ArrayLike<number>, f: FixedFormat): Float32Array {
  const out = new Float32Array(q.length);
  const s = 2 ** -f.frac;
  for (let i = 0; i < q.length; i++) out[i] = q[i] * s;
  return out;
}
