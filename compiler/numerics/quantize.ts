/**
 * Weight quantization (docs/numerics.md, "Weights"): symmetric integers per
 * output channel, and the requantization multipliers that fold each
 * channel's scale into the step from accumulator to activation format.
 */
import { FixedFormat, Multiplier, toFixed, toMultiplier } from './fixed.js';
import { Tensor } from '../tensor.js';
import { UserError } from '../errors.js';
import { quantizeRowsSimdBlocks, quantizeTransposedSimdBlocks } from './quantize-simd.js';
import { channelMaxAbsSimd } from './maxabs-simd.js';
import { STAGE_MAX, WriteJob, fileRows, spanOf } from '../helper-worker.js';

/**
 * A [R, C] matrix of symmetric integers with one scale per channel: per
 * column (axis 1: Linear W[K, N], channel n) or per row (axis 0: Embedding
 * tables, channel = row). value ≈ q · scale[channel]. q ∈ [−qmax, qmax],
 * qmax = 2^(bits−1) − 1 (127 for int8, 7 for int4; −2^(bits−1) is unused).
 *
 * Only the scales are kept: the integers q are a pure function of the float
 * weights and the scales, so `data` recomputes them on every read from the
 * float weights the spec was built from (attached with attachWeightSource;
 * a large model's int8 weights are never all held in memory, and they are
 * not part of the spec's JSON). Writers stream them instead
 * (quantizedRowChunks, quantizedTransposedChunks).
 */
export interface QuantWeights {
  bits: number;
  axis: 0 | 1;
  shape: [number, number];
  scale: Float64Array;
  /** q, row-major [R, C]: recomputed from the float weights on each read (not enumerable, not in JSON). */
  readonly data: Int8Array;
}

/** The float weights a QuantWeights reads: a (possibly lazy) tensor or plain values. */
export type WeightSource = Tensor | ArrayLike<number>;

const SOURCE = Symbol('llm2hls.weightSource');
type WithSource = QuantWeights & { [SOURCE]?: WeightSource };

function codesGetter(this: WithSource): Int8Array {
  const src = this[SOURCE];
  if (src === undefined) throw new Error('quantized weights have no float weights attached (attachWeightSource)');
  return quantizeCodes(src, this);
}

/** A QuantWeights over `source` (the float weights), holding only the scales. */
export function makeQuantWeights(bits: number, axis: 0 | 1, shape: [number, number], scale: Float64Array, source?: WeightSource): QuantWeights {
  const q = { bits, axis, shape, scale } as WithSource;
  Object.defineProperty(q, 'data', { get: codesGetter, enumerable: false, configurable: true });
  if (source !== undefined) attachWeightSource(q, source);
  return q;
}

/** Attaches the float weights `q.data` recomputes its integers from (e.g. to a spec read back from JSON). */
export function attachWeightSource(q: QuantWeights, source: WeightSource): void {
  const size = q.shape[0] * q.shape[1];
  const n = source instanceof Tensor ? source.size : source.length;
  if (n !== size) throw new Error(`weights of ${n} elements cannot back quantized weights of shape [${q.shape.join(', ')}]`);
  if (!Object.getOwnPropertyDescriptor(q, 'data')?.get) Object.defineProperty(q, 'data', { get: codesGetter, enumerable: false, configurable: true });
  Object.defineProperty(q, SOURCE, { value: source, enumerable: false, configurable: true, writable: true });
}

export function hasWeightSource(q: QuantWeights): boolean {
  return (q as WithSource)[SOURCE] !== undefined;
}

function sourceOf(q: QuantWeights): WeightSource {
  const src = (q as WithSource)[SOURCE];
  if (src === undefined) throw new Error('quantized weights have no float weights attached (attachWeightSource)');
  return src;
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
  const maxAbs = new Float64Array(axis === 1 ? C : R);
  channelMaxAbs(w, 0, R * C, C, axis, maxAbs);
  return makeQuantWeights(bits, axis, [R, C], scalesOf(maxAbs, qmaxOf(bits)), w);
}

/** Parts of a source in whole rows of C elements: [start, values] with values[0] the element `start`. */
function* sourceParts(src: WeightSource, C: number, part = 1 << 20): Iterable<{ start: number; values: ArrayLike<number> }> {
  if (src instanceof Tensor) { yield* src.chunks(part, Math.max(C, 1)); return; }
  if (ArrayBuffer.isView(src)) {
    const step = Math.max(C, Math.floor(part / Math.max(C, 1)) * C, 1);
    const t = src as unknown as Float32Array;
    for (let i = 0; i < t.length; i += step) yield { start: i, values: t.subarray(i, Math.min(t.length, i + step)) };
    return;
  }
  yield { start: 0, values: src };
}

/**
 * quantizeWeights of a rank-2 weight tensor: one pass over its values, read
 * in parts of whole rows without caching them (a large model's weights are
 * decoded one part at a time from the file's bytes), computing the scales;
 * the integers are recomputed from the tensor when needed.
 */
export function quantizeTensorWeights(t: Tensor, bits: number, axis: 0 | 1, precomputed?: Float64Array): QuantWeights {
  if (t.rank !== 2) throw new Error(`weights must be rank 2, got [${t.shape.join(', ')}]`);
  const [R, C] = t.shape;
  // `precomputed`: the same maxima from the helper worker (compiler/helper-worker.ts).
  if (precomputed) return makeQuantWeights(bits, axis, [R, C], scalesOf(precomputed, qmaxOf(bits)), t);
  const maxAbs = new Float64Array(axis === 1 ? C : R);
  // float32 weights still in the model file: SIMD, straight from the file's bytes (no decoded copy).
  const rows = t.dtype === 'float32' ? t.rawRows() : undefined;
  if (!(rows && channelMaxAbsSimd(rows, R, C, axis, maxAbs))) {
    for (const { start, values } of t.chunks(1 << 20, Math.max(C, 1))) channelMaxAbs(values, start, values.length, C, axis, maxAbs);
  }
  return makeQuantWeights(bits, axis, [R, C], scalesOf(maxAbs, qmaxOf(bits)), t);
}

export type SharedQuantJob = Omit<WriteJob, 'file' | 'position'>;

/**
 * What the helper worker needs to write `q` as quantizedTransposedChunks (axis 1) or
 * quantizedRowChunks (axis 0) would, when those take their SIMD path on float32 rows of a
 * large model file the worker can stage; undefined otherwise (the main thread writes it).
 */
export function sharedQuantJob(q: QuantWeights): SharedQuantJob | undefined {
  const src = sourceOf(q);
  if (!(src instanceof Tensor) || src.dtype !== 'float32' || q.bits > 8) return undefined;
  const rows = fileRows(src.rawRows());
  const [R, C] = q.shape;
  // Row-major weights are staged a block of rows at a time; transposed ones whole.
  if (!rows || (q.axis === 1 && spanOf(rows, R, C) > STAGE_MAX)) return undefined;
  return { rows, layout: q.axis === 1 ? 'transposed' : 'rows', R, C, scale: q.scale, qmax: qmaxOf(q.bits) };
}

/** q of `q`'s float weights, row-major [R, C] (a fresh array). */
function quantizeCodes(src: WeightSource, q: QuantWeights): Int8Array {
  const [R, C] = q.shape;
  const qmax = qmaxOf(q.bits);
  const data = new Int8Array(R * C);
  for (const { start, values } of sourceParts(src, C)) quantizeInto(values, start, values.length, C, q.axis, q.scale, qmax, data, start);
  return data;
}

/**
 * q in row-major order, in parts of whole rows (at most about `maxElements` each). Per-row
 * (axis 0) float32 weights still in the model file take the WebAssembly SIMD kernel (the same
 * integers; its chunks are views of the module's memory, each valid until the next is asked for).
 */
export function* quantizedRowChunks(q: QuantWeights, maxElements = 1 << 20): Iterable<Int8Array> {
  const [R, C] = q.shape;
  const qmax = qmaxOf(q.bits);
  const src = sourceOf(q);
  const rows = q.axis === 0 && src instanceof Tensor && src.dtype === 'float32' ? src.rawRows() : undefined;
  const fast = rows && quantizeRowsSimdBlocks(rows, q.scale, qmax, R, C);
  if (fast) { yield* fast; return; }
  for (const { start, values } of sourceParts(src, C, maxElements)) {
    const out = new Int8Array(values.length);
    quantizeInto(values, start, values.length, C, q.axis, q.scale, qmax, out, 0);
    yield out;
  }
}

/**
 * q of a Linear W [K, N] (axis 1) stored transposed as [N][K], in blocks of
 * whole stored rows: quantization and transposition in one tiled pass over
 * the float weights (read once as a view of the file, or one transient copy).
 * float32 weights still in the model file take the WebAssembly SIMD kernel
 * (the same integers; its chunks are views of the module's memory, each
 * valid until the next is asked for).
 */
export function* quantizedTransposedChunks(q: QuantWeights, colsPerChunk?: number): Iterable<Int8Array> {
  const [K, N] = q.shape;
  if (q.axis !== 1) throw new Error('quantizedTransposedChunks: per-column (axis 1) weights only');
  const src = sourceOf(q);
  const qmax0 = qmaxOf(q.bits);
  const raw = src instanceof Tensor && src.dtype === 'float32' ? src.rawRows() : undefined;
  const v = raw ? undefined : src instanceof Tensor ? src.peek() : src;
  const rows = raw ?? (v instanceof Float32Array ? { bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength), stride: N * 4, offset: 0 } : undefined);
  const fast = rows && quantizeTransposedSimdBlocks(rows, q.scale, qmax0, K, N);
  if (fast) { yield* fast; return; }
  if (v === undefined) { yield* quantizedTransposedChunks(makeQuantWeights(q.bits, q.axis, q.shape, q.scale, (src as Tensor).peek()), colsPerChunk); return; }
  const cols = colsPerChunk ?? Math.max(1, Math.floor((1 << 20) / Math.max(K, 1)));
  const qmax = qmaxOf(q.bits);
  for (let c0 = 0; c0 < N; c0 += cols) {
    const c1 = Math.min(N, c0 + cols);
    const out = new Int8Array((c1 - c0) * K);
    quantizeTranspose(v, out, K, N, c0, c1, q.scale, qmax);
    yield out;
  }
}

/* out[(c - c0) * K + k] = q(v[k * N + c]) for c in [c0, c1), in 32x32 tiles (the scalar fallback of quantize-simd.ts). */
function quantizeTranspose(v: ArrayLike<number>, out: Int8Array, K: number, N: number, c0: number, c1: number, scale: Float64Array, qmax: number): void {
  for (let k0 = 0; k0 < K; k0 += 32) {
    const k1 = Math.min(K, k0 + 32);
    for (let cb = c0; cb < c1; cb += 32) {
      const ce = Math.min(c1, cb + 32);
      for (let k = k0; k < k1; k++) {
        const base = k * N;
        for (let c = cb; c < ce; c++) out[(c - c0) * K + k] = roundClamp(v[base + c] / scale[c], qmax);
      }
    }
  }
}

/**
 * Σ_k |q[k, n]| per column n of a Linear's quantized W [K, N] (axis 1), in
 * one pass over the float weights computing q without storing it.
 */
export function quantizedColumnAbsSums(q: QuantWeights): Float64Array {
  const [, N] = q.shape;
  if (q.axis !== 1) throw new Error('quantizedColumnAbsSums: per-column (axis 1) weights only');
  const qmax = qmaxOf(q.bits);
  const sums = new Float64Array(N);
  for (const { values } of sourceParts(sourceOf(q), N)) {
    for (let o = 0; o < values.length; o += N) {
      for (let c = 0; c < N; c++) { const r = roundClamp(values[o + c] / q.scale[c], qmax); sums[c] += r < 0 ? -r : r; }
    }
  }
  return sums;
}
function scalesOf(maxAbs: Float64Array, qmax: number): Float64Array {
  const scale = new Float64Array(maxAbs.length);
  for (let ch = 0; ch < maxAbs.length; ch++) {
    // A NaN or infinite weight has no integer code: refuse rather than quantize it to something.
    if (!Number.isFinite(maxAbs[ch])) throw new UserError(`a weight of channel ${ch} is ${maxAbs[ch]}: fixed-point precisions need finite weights (fix the model, or use --precision fp32)`);
    scale[ch] = maxAbs[ch] > 0 ? maxAbs[ch] / qmax : 1;
  }
  return scale;
}

/**
 * max |w| per channel over elements [start, start + n) of a row-major [R, C]
 * array (`w` holds just those, from index 0). Large float32 weights take the
 * SIMD path (maxabs-simd.ts); this loop serves small and non-float32 ones.
 */
function channelMaxAbs(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, maxAbs: Float64Array): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) { const a = Math.abs(w[i]); if (a > maxAbs[c] || a !== a) maxAbs[c] = a; }
    } else {
      let m = maxAbs[row];
      for (; i < rowEnd; i++) { const a = Math.abs(w[i]); if (a > m || a !== a) m = a; } // NaN sticks: scalesOf refuses it
      maxAbs[row] = m;
    }
  }
}

/** 1.5·2^52: for |x| < 2^51, (x + ROUNDER) − ROUNDER is x rounded to an integer, ties to even (IEEE default rounding). */
const ROUNDER = 6755399441055744;

/* roundHalfEven(x) clamped to ±qmax (NaN: 0). Values at or beyond ±qmax clamp first (they would round to at least qmax
   in magnitude anyway), so the magic-number rounding only sees |x| < qmax and equals roundHalfEven exactly. */
function roundClamp(x: number, qmax: number): number {
  return x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
}

/**
 * q = clamp(roundHalfEven(w / scale[channel]), ±qmax) for elements [start, start + n), into data[at ...].
 * Large float32 weights take the SIMD path (quantize-simd.ts); this loop serves the rest.
 */
function quantizeInto(w: ArrayLike<number>, start: number, n: number, C: number, axis: 0 | 1, scale: Float64Array, qmax: number, data: Int8Array, at: number): void {
  for (let i = 0; i < n;) {
    const row = Math.floor((start + i) / C);
    const rowEnd = Math.min(n, (row + 1) * C - start);
    if (axis === 1) {
      for (let c = (start + i) - row * C; i < rowEnd; i++, c++) data[at + i] = roundClamp(w[i] / scale[c], qmax);
    } else {
      const s = scale[row];
      for (; i < rowEnd; i++) data[at + i] = roundClamp(w[i] / s, qmax);
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
  const data = q.data;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[r * C + c] = data[r * C + c] * q.scale[q.axis === 1 ? c : r];
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
