/**
 * Tensors of the graph IR and the float32 golden interpreter.
 *
 * Storage per element type: float32/float16 in Float32Array (float16 values
 * are rounded to half precision when produced), float64 in Float64Array,
 * int64/uint32 in Float64Array (exact up to 2^53, which covers every index
 * and shape value a transformer uses), the narrower integers and bool in
 * their own typed arrays.
 */
export type DType =
  | 'float32' | 'float16' | 'float64'
  | 'int64' | 'int32' | 'int16' | 'int8'
  | 'uint64' | 'uint32' | 'uint16' | 'uint8' | 'bool';

export type TensorData =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array
  | Uint32Array | Uint16Array | Uint8Array;

export const FLOAT_TYPES: ReadonlySet<DType> = new Set(['float32', 'float16', 'float64']);
export const INT_TYPES: ReadonlySet<DType> = new Set(['int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8']);

/** Bytes per element in an ONNX file, for parameter statistics. */
export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4, float16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1,
  uint64: 8, uint32: 4, uint16: 2, uint8: 1, bool: 1,
};

export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32': case 'float16': return new Float32Array(n);
    case 'float64': case 'int64': case 'uint64': case 'uint32': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/**
 * Where a lazily loaded tensor's values come from: its little-endian bytes
 * as stored in the model file (a view of the file buffer, or read from
 * external data on each call), decoded on demand.
 */
export interface TensorSource {
  /** The raw little-endian bytes (not cached by the tensor). */
  bytes: () => Uint8Array;
  /** Decodes `n` elements from (a part of) those bytes into our storage. */
  decode: (bytes: Uint8Array, n: number) => TensorData;
  /** Bytes per element in the file. */
  elementBytes: number;
  /** The values as a view of `bytes` when their layout allows it (aligned float32), else undefined. */
  view?: (bytes: Uint8Array, n: number) => TensorData | undefined;
}

/**
 * The rows of a rank-2 tensor as little-endian bytes in place: row r is
 * bytes[offset + r·stride, + C·elementBytes). The tensor's own file bytes
 * (stride = one row), or a column slice of a wider tensor's.
 */
export interface StridedRows { bytes: Uint8Array; stride: number; offset: number }

export class Tensor {
  private stored: TensorData | undefined;
  private load: (() => TensorData) | undefined;
  private source: TensorSource | undefined;
  private rowsSource: (() => StridedRows | undefined) | undefined;

  /**
   * `data` may be a loader, called on first use: weights of a large model
   * stay in the file's buffer (or on disk) until an op needs them, so
   * inspecting a model never holds a second copy of its weights. A
   * `TensorSource` is such a loader that can also be read in parts and
   * without caching (peek, chunks, rawBytes).
   */
  constructor(readonly dtype: DType, readonly shape: readonly number[], data: TensorData | (() => TensorData) | TensorSource,
    rows?: () => StridedRows | undefined) {
    this.rowsSource = rows;
    if (typeof data === 'function') this.load = data;
    else if (isSource(data)) { this.source = data; this.load = () => data.decode(data.bytes(), sizeOf(shape)); }
    else { this.stored = data; this.check(data); }
  }

  private check(data: TensorData): void {
    if (data.length !== sizeOf(this.shape)) {
      throw new Error(`tensor data has ${data.length} elements, shape [${this.shape.join(', ')}] needs ${sizeOf(this.shape)}`);
    }
  }

  get data(): TensorData {
    if (this.stored === undefined) {
      const data = this.load!();
      this.check(data);
      this.stored = data;
      this.load = undefined;
    }
    return this.stored;
  }

  /** True once the values are in memory (always, unless built from a loader). */
  get loaded(): boolean { return this.stored !== undefined; }

  /**
   * The values without caching them: the stored data once loaded, else a
   * fresh decode (a view of the file buffer when the bytes allow it, see
   * decodeRaw). For one-pass readers of large weights (weight files,
   * calibration, quantization) that must not keep a decoded copy of every
   * weight alive; treat the result as read-only.
   */
  peek(): TensorData {
    if (this.stored !== undefined) return this.stored;
    if (this.source?.view) {
      const v = this.source.view(this.source.bytes(), this.size);
      if (v) { this.check(v); return v; }
    }
    const data = this.load!();
    this.check(data);
    return data;
  }

  /**
   * The little-endian bytes as the model file stores them, when this tensor
   * still reads from the file (not yet decoded): lets writers copy float32
   * weights straight from the file view. Not cached.
   */
  rawBytes(): Uint8Array | undefined {
    return this.stored === undefined ? this.source?.bytes() : undefined;
  }

  /**
   * A rank-2 tensor's rows as the model file stores them, while not decoded:
   * its own bytes, or (a lazy column slice, `rows` given to the constructor)
   * its source's bytes with that source's row stride. Lets the SIMD kernels
   * copy rows straight from the file's bytes instead of decoding a copy of a
   * misaligned or sliced weight. Not cached.
   */
  rawRows(): StridedRows | undefined {
    if (this.stored !== undefined || this.rank !== 2) return undefined;
    if (this.source) return { bytes: this.source.bytes(), stride: this.shape[1] * this.source.elementBytes, offset: 0 };
    return this.rowsSource?.();
  }

  /**
   * A tensor over the same values that never caches them in this one: the
   * same file bytes when not yet decoded (so rawBytes, chunks and peek stay
   * cheap), else this tensor itself. For one-pass readers such as calibration.
   */
  uncached(): Tensor {
    if (this.stored !== undefined || !this.source) return this.stored !== undefined ? this : new Tensor(this.dtype, this.shape, () => this.peek(), this.rowsSource);
    const src = this.source;
    return new Tensor(this.dtype, this.shape, { ...src, decode: (b, n) => src.view?.(b, n) ?? src.decode(b, n) });
  }

  /**
   * The values in consecutive parts of at most `maxElements` elements (in
   * whole multiples of `align` elements, e.g. a row length), decoding only
   * one part at a time when the tensor is not loaded. Not cached; the parts
   * may be reused views, so consume each before asking for the next.
   */
  *chunks(maxElements: number, align = 1): Iterable<{ start: number; values: TensorData }> {
    const n = this.size;
    const step = Math.max(align, Math.floor(maxElements / align) * align);
    if (this.stored === undefined && this.source) {
      const bytes = this.source.bytes(), eb = this.source.elementBytes;
      for (let i = 0; i < n; i += step) {
        const m = Math.min(n, i + step) - i;
        yield { start: i, values: this.source.decode(bytes.subarray(i * eb, (i + m) * eb), m) };
      }
      return;
    }
    const d = this.peek();
    for (let i = 0; i < n; i += step) yield { start: i, values: d.subarray(i, Math.min(n, i + step)) };
  }

  static zeros(dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(dtype, [...shape], allocData(dtype, sizeOf(shape)));
  }

  /** Builds a tensor from plain numbers, converting to the element type's storage. */
  static from(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const t = Tensor.zeros(dtype, shape);
    for (let i = 0; i < values.length; i++) t.data[i] = castValue(values[i], dtype);
    return t;
  }

  static scalar(dtype: DType, value: number): Tensor {
    return Tensor.from(dtype, [], [value]);
  }

  get size(): number { return sizeOf(this.shape); }
  get rank(): number { return this.shape.length; }

  /** Same data, new shape (no copy). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.dtype, [...shape], this.data);
  }

  toArray(): number[] { return Array.from(this.data as ArrayLike<number>); }
}

function isSource(x: unknown): x is TensorSource {
  return typeof x === 'object' && x !== null && typeof (x as TensorSource).bytes === 'function' && typeof (x as TensorSource).decode === 'function';
}

const f16buf = new Float32Array(1);
const f16bits = new Uint32Array(f16buf.buffer);

/** Rounds a float32 to the nearest float16 value (ties to even), kept as a number. */
export function roundToHalf(x: number): number {
  return halfBitsToFloat(floatToHalfBits(x));
}

export function floatToHalfBits(x: number): number {
  f16buf[0] = x;
  const b = f16bits[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Converts a number to what an element of `dtype` holds (ONNX Cast semantics). */
export function castValue(x: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return Math.fround(x);
    case 'float16': return roundToHalf(x);
    case 'float64': return x;
    case 'bool': return x !== 0 && !Number.isNaN(x) ? 1 : 0;
    default:
      // Float to integer truncates toward zero; NaN becomes 0 in our storage.
      if (!Number.isFinite(x)) return Number.isNaN(x) ? 0 : x;
      return Math.trunc(x);
  }
}

/** ONNX TensorProto.DataType numbers of the element types we support. */
const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};
const ONNX_DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};

/** The element type for an ONNX DataType number, or undefined when unsupported. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return ONNX_DTYPES[code];
}

export function onnxDtypeName(code: number): string {
  return ONNX_DTYPES[code] ?? ONNX_DTYPE_NAMES[code] ?? `type ${code}`;
}

export function dtypeToOnnx(dtype: DType): number {
  for (const [code, d] of Object.entries(ONNX_DTYPES)) if (d === dtype) return Number(code);
  throw new Error(`no ONNX type for ${dtype}`);
}
