/**
 * The raw little-endian files a project's testbench reads and writes
 * (csim/sample/, csim/in/, csim/out/): int32 token ids, int32 fixed-point
 * integers q (value = q / 2^frac), float32 fp32 values. One encoder for
 * compile (the shipped sample and its expected outputs) and sim (the user's
 * inputs), so both validate alike.
 */
import { UserError } from '../compiler/errors.js';
import { dequantizeArray, quantizeArray } from '../compiler/numerics/quantize.js';
import { Tensor } from '../compiler/tensor.js';
import type { IoInput, IoOutput } from './emit.js';

function int32Bytes(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeInt32LE(values[i], i * 4);
  return out;
}

function float32Bytes(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  return out;
}

/** Input `spec` as the bytes the testbench reads; a wrong shape, element type or token id is a UserError naming the input. */
export function encodeInput(spec: IoInput, t: Tensor): Buffer {
  const what = `input ${spec.index} (${spec.identifier})`;
  const shapeOk = t.shape.length === spec.shape.length && t.shape.every((d, i) => d === spec.shape[i]);
  if (!shapeOk) {
    throw new UserError(`${what}: the project was compiled for shape [${spec.shape.join(', ')}], the file holds [${t.shape.join(', ')}] (recompile with --bind)`);
  }
  const ids = spec.raw === 'int32' && !spec.format;
  if (ids) {
    if (!/^u?int/.test(t.dtype)) throw new UserError(`${what}: expected integer token ids, the file holds ${t.dtype}`);
    const values = t.toArray();
    const limit = spec.vocab ?? 2 ** 31;
    const bad = values.findIndex((x) => !(x >= 0 && x < limit));
    if (bad >= 0) {
      throw new UserError(`${what}: token id ${values[bad]} at position ${bad} is outside the vocabulary [0, ${limit})`);
    }
    return int32Bytes(values);
  }
  if (!/^float/.test(t.dtype)) throw new UserError(`${what}: expected floating-point values, the file holds ${t.dtype}`);
  const values = t.data as ArrayLike<number>;
  return spec.format ? int32Bytes(quantizeArray(values, spec.format)) : float32Bytes(values);
}

/** Output `spec` from the testbench's bytes: the float32 values and, in fixed point, the integers q. */
export function decodeOutput(spec: IoOutput, bytes: Buffer, file: string): { values: Tensor; q?: Int32Array } {
  if (bytes.length !== spec.count * 4) throw new UserError(`${file} has ${bytes.length} bytes, expected ${spec.count * 4}`);
  if (spec.raw === 'int32' && spec.format) {
    const q = new Int32Array(spec.count);
    for (let i = 0; i < spec.count; i++) q[i] = bytes.readInt32LE(i * 4);
    return { values: new Tensor('float32', spec.shape, dequantizeArray(q, spec.format)), q };
  }
  const data = new Float32Array(spec.count);
  for (let i = 0; i < spec.count; i++) data[i] = bytes.readFloatLE(i * 4);
  return { values: new Tensor('float32', spec.shape, data) };
}

/** Expected output `spec` as the testbench's bytes: fixed point from the golden integers q, fp32 from the golden values. */
export function encodeOutput(spec: IoOutput, values: ArrayLike<number>): Buffer {
  if (values.length !== spec.count) throw new Error(`output ${spec.index}: ${values.length} values, expected ${spec.count}`);
  return spec.raw === 'int32' ? int32Bytes(values) : float32Bytes(values);
}
