/**
 * Weight tensors as the chunks a bundle file is written from: typed arrays
 * converted to a storage format, transposes ([K, N] stored as [N][K]) and
 * constants broadcast to a kernel's shape.
 */
import { Tensor } from '../../compiler/tensor.js';
import type { WeightChunk, WeightFormat } from '../emit.js';
import { transposeF32SimdBlocks } from '../transpose-simd.js';

const STORAGE: Record<Exclude<WeightFormat, 'int64'>, { new (n: number): Float32Array | Int8Array | Int16Array | Int32Array }> = {
  float32: Float32Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
};

/** Values converted to a storage format, in chunks. */
export function* arrayChunks(format: WeightFormat, values: ArrayLike<number>, chunk = 1 << 18): Iterable<WeightChunk> {
  const same = format !== 'int64' && values instanceof STORAGE[format];
  for (let i = 0; i < values.length; i += chunk) {
    const n = Math.min(values.length, i + chunk) - i;
    if (same) yield (values as Float32Array | Int8Array | Int16Array | Int32Array).subarray(i, i + n);
    else if (format === 'int64') {
      const out = new BigInt64Array(n);
      for (let j = 0; j < n; j++) out[j] = BigInt(values[i + j]);
      yield out;
    } else {
      const out = new STORAGE[format](n);
      for (let j = 0; j < n; j++) out[j] = values[i + j];
      yield out;
    }
  }
}

/** A [R, C] row-major array stored as [C][R], in blocks of whole stored rows. */
function* transposedArrayChunks(format: Exclude<WeightFormat, 'int64'>, values: ArrayLike<number>, R: number, C: number, colsPerChunk = Math.max(1, Math.floor((1 << 20) / Math.max(R, 1)))): Iterable<WeightChunk> {
  const transpose = values instanceof Float32Array ? transposeBlockF32 : transposeBlockAny;
  for (let c0 = 0; c0 < C; c0 += colsPerChunk) {
    const c1 = Math.min(C, c0 + colsPerChunk);
    const out = new STORAGE[format]((c1 - c0) * R);
    transpose(values as never, out as never, R, C, c0, c1);
    yield out;
  }
}

/* out[(c - c0) * R + r] = v[r * C + c] for c in [c0, c1): in 32x32 tiles, one monomorphic copy per element type. */
function transposeBlockF32(v: Float32Array, out: Float32Array, R: number, C: number, c0: number, c1: number): void {
  for (let r0 = 0; r0 < R; r0 += 32) {
    const r1 = Math.min(R, r0 + 32);
    for (let cb = c0; cb < c1; cb += 32) {
      const ce = Math.min(c1, cb + 32);
      for (let r = r0; r < r1; r++) { const base = r * C; for (let c = cb; c < ce; c++) out[(c - c0) * R + r] = v[base + c]; }
    }
  }
}
function transposeBlockAny(v: ArrayLike<number>, out: { [i: number]: number }, R: number, C: number, c0: number, c1: number): void {
  for (let r = 0; r < R; r++) for (let c = c0; c < c1; c++) out[(c - c0) * R + r] = v[r * C + c];
}

/** A float tensor's values as float32, in chunks: straight from the file's bytes when it still reads from them. */
export function* tensorChunks(t: Tensor, chunk = 1 << 20): Iterable<WeightChunk> {
  const raw = t.dtype === 'float32' ? t.rawBytes() : undefined;
  if (raw) {
    for (let i = 0; i < raw.length; i += chunk * 4) yield raw.subarray(i, Math.min(raw.length, i + chunk * 4));
    return;
  }
  for (const { values } of t.chunks(chunk)) yield values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/**
 * W [K, N] stored as [N][K]: each output's weights contiguous (read without caching W). float32
 * weights still in the model file are transposed in WebAssembly SIMD straight from its bytes.
 */
export function* transposedChunks(t: Tensor): Iterable<WeightChunk> {
  const [K, N] = t.shape;
  const rows = t.dtype === 'float32' ? t.rawRows() : undefined;
  const fast = rows && transposeF32SimdBlocks(rows, K, N);
  if (fast) { yield* fast; return; }
  yield* transposedArrayChunks('float32', t.peek(), K, N);
}

/** A constant broadcast to `shape` (numpy rules), flattened. */
export function broadcastTensor(t: Tensor, shape: number[]): Tensor {
  const out = Tensor.zeros('float32', shape);
  const r = shape.length, cs = [...Array(r - t.rank).fill(1), ...t.shape];
  const strides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { strides[i] = cs[i] === 1 ? 0 : acc; acc *= cs[i]; }
  const idx = new Array<number>(r).fill(0), od = out.data, td = t.data;
  for (let i = 0; i < od.length; i++) {
    let off = 0;
    for (let k = 0; k < r; k++) off += idx[k] * strides[k];
    od[i] = td[off];
    for (let k = r - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
  }
  return out;
}
