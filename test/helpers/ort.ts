/** ONNX Runtime as the reference: runs a model file on our tensors. */
import * as ort from 'onnxruntime-node';
import { Tensor } from '../../compiler/tensor.js';

const ORT_TYPES: Partial<Record<Tensor['dtype'], ort.Tensor.Type>> = {
  float32: 'float32', int64: 'int64', int32: 'int32', int8: 'int8', uint8: 'uint8', bool: 'bool', float64: 'float64',
};

function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`no ORT mapping for ${t.dtype}`);
  const dims = [...t.shape];
  if (type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(t.toArray(), (x) => BigInt(x)), dims);
  if (type === 'bool') return new ort.Tensor('bool', Uint8Array.from(t.toArray()), dims);
  if (type === 'float32') return new ort.Tensor('float32', Float32Array.from(t.toArray()), dims);
  return new ort.Tensor(type, t.data as never, dims);
}

/** Runs MODEL_FILE in ONNX Runtime; returns outputs in graph-output order as plain numbers. */
export async function runOrt(modelFile: string, inputs: readonly Tensor[]): Promise<{ name: string; dims: number[]; data: number[] }[]> {
  const session = await ort.InferenceSession.create(modelFile);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => { feeds[name] = toOrt(inputs[i]); });
  const result = await session.run(feeds);
  const outs = session.outputNames.map((name) => {
    const t = result[name];
    const data = Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
    return { name, dims: [...t.dims], data };
  });
  await session.release();
  return outs;
}
