/** Shared checks of the transformer kernels (compiler/kernels/README.md). */
import { Dim } from '../graph.js';
import { DType, FLOAT_TYPES } from '../tensor.js';
import { OpCall } from '../ops/op.js';

export function requireFloat(call: OpCall, dtype: DType, what: string): void {
  if (!FLOAT_TYPES.has(dtype)) call.fail(`${what} must be a float tensor, got ${dtype}`);
}

export function requireSameDtype(call: OpCall, a: DType, b: DType, what: string): void {
  if (a !== b) call.fail(`${what} must have the input's element type ${a}, got ${b}`);
}

/** Two dims that must agree when both are known. */
export function requireSameDim(call: OpCall, a: Dim | undefined, b: Dim | undefined, what: string): void {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) call.fail(`${what}: ${a} != ${b}`);
}

export function lastDim(call: OpCall, shape: readonly Dim[], what: string): Dim {
  if (shape.length === 0) call.fail(`${what} must have rank 1 or more`);
  return shape[shape.length - 1];
}

/** A per-channel parameter: rank 1 with the normalized axis' length. */
export function requireVector(call: OpCall, shape: readonly Dim[], length: Dim, what: string): void {
  if (shape.length !== 1) call.fail(`${what} must have rank 1, got [${shape.join(', ')}]`);
  requireSameDim(call, shape[0], length, `${what} length differs from the last dim of x`);
}
