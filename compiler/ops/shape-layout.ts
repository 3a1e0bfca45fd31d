/**
 * Ops that rearrange or reinterpret a whole tensor: Transpose, Reshape,
 * Squeeze, Unsqueeze, Expand, Shape. Each computes its output dims with one
 * function over (possibly symbolic) dims, used by both infer and execute.
 */
import { Dim, isStatic } from '../graph.js';
import { Tensor, sizeOf, stridesOf } from '../tensor.js';
import { OpCall, broadcastDims, intsOf, required } from './op.js';
import { registerOp } from './registry.js';
import { ALL, INT64, schema } from './schema.js';
import {
  argInts, constArgInts, copyTensor, copyView, denseView, formatDims, normAxes, quotientDim, staticDims,
  vectorLength,
} from './shape-util.js';

// ---------------------------------------------------------------- Transpose

function transposePerm(call: OpCall, rank: number): number[] {
  const perm = call.ints('perm', [...Array(rank).keys()].reverse());
  if (perm.length !== rank || normAxes(call, perm, rank).some((p, i) => p !== perm[i])) {
    call.fail(`perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  return perm;
}

registerOp('Transpose', {
  infer(call, ins) {
    const x = required(call, ins, 0);
    const perm = transposePerm(call, x.shape.length);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const perm = transposePerm(call, x.rank);
    const out = Tensor.zeros(x.dtype, perm.map((p) => x.shape[p]));
    const xs = stridesOf(x.shape);
    copyView(out.shape, { data: x.data, offset: 0, strides: perm.map((p) => xs[p]) }, denseView(out));
    return [out];
  },
  schema: [schema(13, 'T', 'T', { T: ALL }, { perm: 'ints' })],
});

// ---------------------------------------------------------------- Reshape

/** Output dims of Reshape: 0 copies the input dim (unless allowzero=1), one -1 is inferred. */
function reshapeDims(call: OpCall, input: readonly Dim[], target: readonly number[]): Dim[] {
  const allowZero = call.int('allowzero', 0) === 1;
  if (allowZero && target.includes(0) && target.includes(-1)) {
    call.fail('the shape may not hold both 0 and -1 when allowzero=1');
  }
  const out: Dim[] = target.map((t, i) => {
    if (t < -1) call.fail(`invalid target dim ${t} in shape [${target.join(', ')}]`);
    if (t !== 0 || allowZero) return t;
    if (i >= input.length) call.fail(`shape [${target.join(', ')}] copies dim ${i} of a rank-${input.length} input`);
    return input[i];
  });
  const inferred = target.indexOf(-1);
  if (inferred !== target.lastIndexOf(-1)) call.fail(`shape [${target.join(', ')}] has more than one -1`);
  const others = out.filter((_, i) => i !== inferred);
  if (inferred >= 0) out[inferred] = quotientDim(input, others);
  if (isStatic(input) && isStatic(others) && !(isStatic(out) && sizeOf(out) === sizeOf(input))) {
    call.fail(`cannot reshape ${formatDims(input)} (${sizeOf(input)} elements) to [${target.join(', ')}]`);
  }
  return out;
}

registerOp('Reshape', {
  infer(call, ins, consts) {
    const x = required(call, ins, 0);
    const shapeType = required(call, ins, 1);
    const target = consts[1];
    const shape = target
      ? reshapeDims(call, x.shape, intsOf(target))
      : new Array<Dim>(vectorLength(call, shapeType, 'shape')).fill('?');
    return [{ dtype: x.dtype, shape }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const target = intsOf(required(call, ins, 1));
    return [copyTensor(x, staticDims(call, reshapeDims(call, x.shape, target)))];
  },
  schema: [schema(13, 'T I', 'T', { T: ALL, I: INT64 }), schema(14, 'T I', 'T', { T: ALL, I: INT64 }, { allowzero: 'int' })],
});

// ---------------------------------------------------------------- Squeeze / Unsqueeze

/** Squeeze: drops the listed axes (each must be 1), or every dim that is 1; symbolic dims are assumed not 1. */
function squeezeDims(call: OpCall, input: readonly Dim[], axes: number[] | undefined): Dim[] {
  if (axes === undefined) return input.filter((d) => d !== 1);
  const drop = normAxes(call, axes, input.length);
  for (const a of drop) {
    if (typeof input[a] === 'number' && input[a] !== 1) call.fail(`cannot squeeze axis ${a} of size ${input[a]}`);
  }
  return input.filter((_, i) => !drop.includes(i));
}

/** Unsqueeze: inserts 1-dims at the listed axes of the output. */
function unsqueezeDims(call: OpCall, input: readonly Dim[], axes: number[]): Dim[] {
  const rank = input.length + axes.length;
  const add = normAxes(call, axes, rank);
  const out: Dim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(add.includes(i) ? 1 : input[next++]);
  return out;
}

registerOp('Squeeze', {
  infer(call, ins, consts) {
    const x = required(call, ins, 0);
    const axes = constArgInts(call, ins, consts, 1, 'axes');
    if (axes !== 'unknown') return [{ dtype: x.dtype, shape: squeezeDims(call, x.shape, axes) }];
    const n = vectorLength(call, ins[1]!, 'axes');
    return [{ dtype: x.dtype, shape: new Array<Dim>(x.shape.length - n).fill('?') }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    return [copyTensor(x, staticDims(call, squeezeDims(call, x.shape, argInts(call, ins, 1, 'axes'))))];
  },
  schema: [schema(13, 'T I?', 'T', { T: ALL, I: INT64 })],
});

registerOp('Unsqueeze', {
  infer(call: OpCall, ins, consts) {
    const x = required(call, ins, 0);
    const axes = constArgInts(call, ins, consts, 1, 'axes');
    if (axes === undefined) call.fail('axes are required');
    if (axes !== 'unknown') return [{ dtype: x.dtype, shape: unsqueezeDims(call, x.shape, axes) }];
    const n = vectorLength(call, ins[1]!, 'axes');
    return [{ dtype: x.dtype, shape: new Array<Dim>(x.shape.length + n).fill('?') }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const axes = argInts(call, ins, 1, 'axes') ?? call.fail('axes are required');
    return [copyTensor(x, staticDims(call, unsqueezeDims(call, x.shape, axes)))];
  },
  schema: [schema(13, 'T I', 'T', { T: ALL, I: INT64 })],
});

// ---------------------------------------------------------------- Expand

registerOp('Expand', {
  infer(call, ins, consts) {
    const x = required(call, ins, 0);
    const shapeType = required(call, ins, 1);
    const target: Dim[] = consts[1]
      ? intsOf(consts[1])
      : new Array<Dim>(vectorLength(call, shapeType, 'shape')).fill('?');
    return [{ dtype: x.dtype, shape: broadcastDims(call, x.shape, target) }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const target = intsOf(required(call, ins, 1));
    const out = Tensor.zeros(x.dtype, staticDims(call, broadcastDims(call, x.shape, target)));
    // Input dims align to the right; broadcast (size-1) and missing dims read with stride 0.
    const lead = out.rank - x.rank;
    const xs = stridesOf(x.shape);
    const strides = out.shape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : xs[i - lead]));
    copyView(out.shape, { data: x.data, offset: 0, strides }, denseView(out));
    return [out];
  },
  schema: [schema(13, 'T I', 'T', { T: ALL, I: INT64 })],
});

// ---------------------------------------------------------------- Shape

/** Shape's [start, end) window (opset 15): negative counts from the back, both clamped to [0, rank]. */
function shapeWindow(call: OpCall, rank: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(call.int('start', 0));
  const end = clamp(call.int('end', rank));
  return [start, Math.max(start, end)];
}

registerOp('Shape', {
  infer(call, ins) {
    const x = required(call, ins, 0);
    const [start, end] = shapeWindow(call, x.shape.length);
    return [{ dtype: 'int64', shape: [end - start] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const [start, end] = shapeWindow(call, x.rank);
    const dims = x.shape.slice(start, end);
    return [Tensor.from('int64', [dims.length], dims)];
  },
  schema: [schema(13, 'T', 'I', { T: ALL, I: INT64 }), schema(15, 'T', 'I', { T: ALL, I: INT64 }, { start: 'int', end: 'int' })],
});
