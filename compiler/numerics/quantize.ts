/**
 * Weight quantization (docs/numerics.md, "Weights"): symmetric integers per
 * output channel, and the requantization multipliers that fold each
 * channel's scale into the step from accumulator to activation format.
 */
import { FixedFormat, Multiplier, roundHalfEven, toFixed, toMultiplier } from './fixed.js';

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
  const channels = axis === 1 ? C : R;
  const maxAbs = new Float64Array(channels);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const ch = axis === 1 ? c : r;
      const a = Math.abs(w[r * C + c]);
      if (a > maxAbs[ch]) maxAbs[ch] = a;
    }
  }
  const scale = new Float64Array(channels);
  for (let ch = 0; ch < channels; ch++) scale[ch] = maxAbs[ch] > 0 && Number.isFinite(maxAbs[ch]) ? maxAbs[ch] / qmax : 1;
  const data = new Int8Array(R * C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const q = roundHalfEven(w[r * C + c] / scale[axis === 1 ? c : r]);
      data[r * C + c] = Number.isNaN(q) ? 0 : Math.max(-qmax, Math.min(qmax, q));
    }
  }
  return { bits, axis, shape: [R, C], data, scale };
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
