/**
 * Tensor files: ONNX TensorProto `.pb` (the ONNX test-data layout,
 * input_0.pb ... in graph-input order) and NumPy `.npy`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from './onnx-proto.js';
import { UserError } from '../compiler/errors.js';
import { DType, Tensor, allocData, castValue, halfBitsToFloat, sizeOf } from '../compiler/tensor.js';
import { tensorFromProto, tensorToProto } from './onnx-tensor.js';

export interface NamedTensor { name: string; tensor: Tensor }

export function readTensorFile(file: string): NamedTensor {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`${file}: cannot read tensor file`);
  }
  if (file.endsWith('.npy')) return { name: path.basename(file, '.npy'), tensor: parseNpy(bytes, file) };
  let proto: onnx.TensorProto;
  try {
    proto = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new UserError(`${file}: not an ONNX TensorProto file (${(e as Error).message})`);
  }
  const tensor = tensorFromProto(proto, file);
  tensor.data; // decode now so a malformed file fails here, naming itself
  return { name: proto.name ?? '', tensor };
}

export function writeTensorPb(file: string, tensor: Tensor, name: string): void {
  fs.writeFileSync(file, onnx.TensorProto.encode(tensorToProto(tensor, name)).finish());
}

const NPY_TYPES: Record<string, DType> = {
  f4: 'float32', f2: 'float16', f8: 'float64', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8',
  u8: 'uint64', u4: 'uint32', u2: 'uint16', u1: 'uint8', b1: 'bool',
};

/** Parses a little-endian, C-order .npy array (format versions 1 to 3). */
export function parseNpy(bytes: Uint8Array, file: string): Tensor {
  const magic = '\x93NUMPY';
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== magic) throw new UserError(`${file}: not a .npy file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new UserError(`${file}: malformed .npy header`);
  if (fortran) throw new UserError(`${file}: Fortran-order .npy arrays are not supported; save with np.ascontiguousarray`);
  if (descr.startsWith('>')) throw new UserError(`${file}: big-endian .npy arrays are not supported`);
  const dtype = NPY_TYPES[descr.replace(/^[<|=]/, '')];
  if (!dtype) throw new UserError(`${file}: .npy dtype '${descr}' is not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = sizeOf(shape);
  const body = bytes.subarray(start + headerLen);
  const width = Number(descr.slice(-1));
  if (body.length < n * width) throw new UserError(`${file}: .npy data is truncated`);
  const data = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = allocData(dtype, n);
  for (let i = 0; i < n; i++) out[i] = npyElement(data, i, dtype);
  return new Tensor(dtype, shape, out);
}

function npyElement(d: DataView, i: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return d.getFloat32(i * 4, true);
    case 'float16': return halfBitsToFloat(d.getUint16(i * 2, true));
    case 'float64': return d.getFloat64(i * 8, true);
    case 'int64': return Number(d.getBigInt64(i * 8, true));
    case 'uint64': return Number(d.getBigUint64(i * 8, true));
    case 'int32': return d.getInt32(i * 4, true);
    case 'uint32': return d.getUint32(i * 4, true);
    case 'int16': return d.getInt16(i * 2, true);
    case 'uint16': return d.getUint16(i * 2, true);
    case 'int8': return d.getInt8(i);
    default: return castValue(d.getUint8(i), dtype);
  }
}

/**
 * Reads input_0, input_1 ... (.pb or .npy) from a folder, in graph-input
 * order. Stops at the first missing index; extra unnumbered files are ignored.
 */
export function readTensorDir(dir: string, prefix = 'input'): NamedTensor[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: no such folder of ${prefix} tensors`);
  const out: NamedTensor[] = [];
  for (let i = 0; ; i++) {
    const pb = path.join(dir, `${prefix}_${i}.pb`);
    const npy = path.join(dir, `${prefix}_${i}.npy`);
    if (fs.existsSync(pb)) out.push(readTensorFile(pb));
    else if (fs.existsSync(npy)) out.push(readTensorFile(npy));
    else break;
  }
  return out;
}
