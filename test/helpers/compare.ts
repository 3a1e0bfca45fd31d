/** Numeric comparison used by tests: error relative to the reference's scale. */
import { Tensor } from '../../compiler/tensor.js';

/** max |a - b| / max |b| (or the absolute error when b is all zeros). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let err = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale > 0 ? err / scale : err;
}

export function expectSameShape(a: Tensor, b: Tensor): void {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`shape [${a.shape}] != [${b.shape}]`);
}
