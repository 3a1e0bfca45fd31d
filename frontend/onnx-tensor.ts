/**
 * Conversion between ONNX TensorProto messages and our Tensor, in both
 * directions. Raw little-endian bytes are decoded lazily so large weights
 * stay as views of the file buffer until an op reads them.
 */
import { onnx } from './onnx-proto.js';
import { UserError, UnsupportedError } from '../compiler/errors.js';
import {
  DType, Tensor, TensorData, TensorSource, allocData, castValue, dtypeFromOnnx, dtypeToOnnx, floatToHalfBits,
  halfBitsToFloat, onnxDtypeName, sizeOf,
} from '../compiler/tensor.js';

/** Supplies the bytes of a tensor stored outside the model file. */
export type ExternalReader = (tensorName: string, entries: onnx.IStringStringEntryProto[], byteLength: number) => () => Uint8Array;

export function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function elementBytes(dtype: DType): number {
  switch (dtype) {
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float16': case 'int16': case 'uint16': return 2;
    default: return 1;
  }
}

/** Decodes little-endian bytes into our storage for `dtype`. */
export function decodeRaw(dtype: DType, bytes: Uint8Array, n: number): TensorData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = allocData(dtype, n);
  switch (dtype) {
    case 'float32':
      // A straight copy when the bytes are aligned; the common case for external data.
      if (bytes.byteOffset % 4 === 0) (out as Float32Array).set(new Float32Array(bytes.buffer, bytes.byteOffset, n));
      else if (LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset, n * 4).set(bytes.subarray(0, n * 4));
      else for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = halfBitsToFloat(view.getUint16(i * 2, true)); break;
    case 'float64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true); break;
    case 'int64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true)); break;
    case 'uint64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true)); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); break;
    case 'uint32': for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true); break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true); break;
    case 'uint16': for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = view.getInt8(i); break;
    case 'uint8': out.set(bytes.subarray(0, n)); break;
    case 'bool': for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0; break;
  }
  return out;
}

/** A lazy tensor's source: little-endian bytes decoded on demand (float32 read in place when aligned). */
function rawSource(dtype: DType, bytes: () => Uint8Array): TensorSource {
  return {
    bytes,
    decode: (b, n) => decodeRaw(dtype, b, n),
    elementBytes: elementBytes(dtype),
    view: dtype === 'float32' && LITTLE_ENDIAN
      ? (b, n) => (b.byteOffset % 4 === 0 ? new Float32Array(b.buffer, b.byteOffset, n) : undefined)
      : undefined,
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typedFieldValues(dtype: DType, t: onnx.ITensorProto): ArrayLike<number | { toNumber(): number }> {
  switch (dtype) {
    case 'float32': return t.floatData ?? [];
    case 'float64': return t.doubleData ?? [];
    case 'int64': return (t.int64Data ?? []) as ArrayLike<number>;
    case 'uint32': case 'uint64': return (t.uint64Data ?? []) as ArrayLike<number>;
    default: return t.int32Data ?? []; // int8/16/32, uint8/16, bool, and float16 as bit patterns
  }
}

/** Converts a TensorProto; `what` names it in errors (e.g. "initializer 'w'"). */
export function tensorFromProto(t: onnx.ITensorProto, what: string, external?: ExternalReader): Tensor {
  const code = t.dataType ?? 0;
  const dtype = dtypeFromOnnx(code);
  if (code === 0) throw new UserError(`${what} has no element type (data_type 0, a malformed model)`);
  if (!dtype) throw new UnsupportedError(`${what} has element type ${onnxDtypeName(code)}, which llm2hls does not support`);
  const shape = (t.dims ?? []).map((d) => toNumber(d as number));
  if (shape.some((d) => d < 0 || !Number.isSafeInteger(d))) throw new UserError(`${what} has invalid dims [${shape.join(', ')}]`);
  const n = sizeOf(shape);
  const byteLength = n * elementBytes(dtype);

  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    if (!external) throw new UserError(`${what} uses external data, which is not allowed here`);
    const read = external(t.name ?? what, t.externalData ?? [], byteLength);
    return new Tensor(dtype, shape, rawSource(dtype, read));
  }
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== byteLength) {
      throw new UserError(`${what} has ${raw.length} bytes of raw data, shape [${shape.join(', ')}] of ${dtype} needs ${byteLength}`);
    }
    return new Tensor(dtype, shape, rawSource(dtype, () => raw));
  }
  const values = typedFieldValues(dtype, t);
  if (values.length !== n) {
    throw new UserError(`${what} has ${values.length} values, shape [${shape.join(', ')}] needs ${n}`);
  }
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = toNumber(values[i]);
    out[i] = dtype === 'float16' ? halfBitsToFloat(v & 0xffff) : castValue(v, dtype);
  }
  return new Tensor(dtype, shape, out);
}

/** Encodes a tensor as a TensorProto with little-endian raw data. */
export function tensorToProto(t: Tensor, name: string): onnx.TensorProto {
  const n = t.size;
  const bytes = new Uint8Array(n * elementBytes(t.dtype));
  const view = new DataView(bytes.buffer);
  const d = t.data;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    switch (t.dtype) {
      case 'float32': view.setFloat32(i * 4, v, true); break;
      case 'float16': view.setUint16(i * 2, floatToHalfBits(v), true); break;
      case 'float64': view.setFloat64(i * 8, v, true); break;
      case 'int64': view.setBigInt64(i * 8, BigInt(Math.trunc(v)), true); break;
      case 'uint64': view.setBigUint64(i * 8, BigInt(Math.trunc(v)), true); break;
      case 'int32': view.setInt32(i * 4, v, true); break;
      case 'uint32': view.setUint32(i * 4, v, true); break;
      case 'int16': view.setInt16(i * 2, v, true); break;
      case 'uint16': view.setUint16(i * 2, v, true); break;
      case 'int8': view.setInt8(i, v); break;
      case 'uint8': case 'bool': view.setUint8(i, v); break;
    }
  }
  return onnx.TensorProto.create({ name, dims: [...t.shape], dataType: dtypeToOnnx(t.dtype), rawData: bytes });
}
