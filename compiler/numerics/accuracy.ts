/**
 * Accuracy of quantized golden models against float32: logits cosine and
 * top-1 agreement. Used by scripts/accuracy.mjs and test/quantized-accuracy.test.ts.
 */
import path from 'node:path';
import { interpret } from '../interpreter.js';
import { Tensor } from '../tensor.js';
import { PrecisionName } from './precision.js';
import { quantizeModel, namedModelTestInputs } from './run-quantized.js';
import { interpretQuantized } from './quant-interpreter.js';

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

/** Fraction of rows (over the last axis) whose argmax agrees. */
export function top1Agreement(a: Tensor, b: Tensor): number {
  const V = a.shape[a.rank - 1], rows = a.size / V;
  let same = 0;
  for (let r = 0; r < rows; r++) {
    let ia = 0, ib = 0;
    for (let j = 1; j < V; j++) {
      if (a.data[r * V + j] > a.data[r * V + ia]) ia = j;
      if (b.data[r * V + j] > b.data[r * V + ib]) ib = j;
    }
    if (ia === ib) same++;
  }
  return rows === 0 ? 1 : same / rows;
}

export function relativeError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let err = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) { err = Math.max(err, Math.abs(a[i] - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); }
  return scale > 0 ? err / scale : err;
}

export interface AccuracyRow { set: string; cosine: number; top1: number; relError: number }

/** Per input set of the model's own test inputs: output 0 of the quantized run vs float32. */
export function measureAccuracy(modelPath: string, precision: PrecisionName): AccuracyRow[] {
  return namedModelTestInputs(modelPath).map(({ name, inputs }) => {
    const { graph, spec } = quantizeModel(modelPath, inputs, precision);
    const ref = interpret(graph, inputs)[0];
    const q = interpretQuantized(graph, spec, inputs)[0];
    return {
      set: name,
      cosine: cosine(q.data, ref.data), top1: top1Agreement(q, ref), relError: relativeError(q.data, ref.data),
    };
  });
}

/** The fixtures the accuracy script and test cover. */
export function accuracyModels(root: string): { name: string; model: string }[] {
  const dir = path.join(root, 'test/fixtures/exported');
  return [
    ...['gpt2_mini', 'gpt2_mini_op17', 'llama_mini', 'encoder_mini', 'gpt2_mini_past'].map((n) => ({ name: n, model: path.join(dir, `${n}.onnx`) })),
    { name: 'tiny_gpt', model: path.join(root, 'examples/tiny_gpt.onnx') },
  ];
}
