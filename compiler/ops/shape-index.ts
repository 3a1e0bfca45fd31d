/**
 * Ops that select or combine parts of tensors along axes: Concat, Split,
 * Slice, Gather, Trilu.
 */
import { Dim, ValueType } from '../graph.js';
import { Tensor, stridesOf } from '../tensor.js';
import { OpCall, intsOf, normAxis, required } from './op.js';
import { registerOp } from './registry.js';
import { ALL, INDEX, INT64, schema } from './schema.js';
import {
  argInts, constArgInts, copyTensor, copyView, denseView, formatDims, mergeDim, normAxes, staticDims, sumDims,
} from './shape-util.js';

// ---------------------------------------------------------------- Concat

/** Concat output dims: the axis dims add up, every other dim must agree. */
function concatDims(call: OpCall, shapes: readonly (readonly Dim[])[]): Dim[] {
  if (shapes.length === 0) call.fail('needs at least one input');
  const rank = shapes[0].length;
  const axis = normAxis(call, call.int('axis'), rank);
  for (const s of shapes) {
    if (s.length !== rank) call.fail(`inputs ${shapes.map(formatDims).join(', ')} differ in rank`);
  }
  return shapes[0].map((_, k) =>
    k === axis ? sumDims(shapes.map((s) => s[k])) : shapes.map((s) => s[k]).reduce((a, b) => mergeDim(call, a, b)),
  );
}

function allInputs<T extends { dtype: string }>(call: OpCall, ins: (T | undefined)[]): T[] {
  const all = ins.map((_, i) => required(call, ins, i));
  if (all.some((t) => t.dtype !== all[0]?.dtype)) call.fail('inputs must share one element type');
  return all;
}

registerOp('Concat', {
  infer(call, ins) {
    const all = allInputs(call, ins);
    return [{ dtype: all[0].dtype, shape: concatDims(call, all.map((t) => t.shape)) }];
  },
  execute(call, ins) {
    const all = allInputs(call, ins);
    const out = Tensor.zeros(all[0].dtype, staticDims(call, concatDims(call, all.map((t) => t.shape))));
    const axis = normAxis(call, call.int('axis'), out.rank);
    const strides = stridesOf(out.shape);
    let at = 0;
    for (const t of all) {
      copyView(t.shape, denseView(t), { data: out.data, offset: at * strides[axis], strides });
      at += t.shape[axis];
    }
    return [out];
  },
  schema: [schema(13, 'T...', 'T', { T: ALL }, { axis: 'int!' })],
});

// ---------------------------------------------------------------- Split

/** Number of outputs, checked against num_outputs (opset 18). */
function splitCount(call: OpCall, hasSplitInput: boolean): number {
  const n = call.node.outputs.length;
  if (call.has('num_outputs')) {
    if (hasSplitInput) call.fail("give either the 'split' input or 'num_outputs', not both");
    const declared = call.int('num_outputs');
    if (declared !== n) call.fail(`num_outputs=${declared} but the node has ${n} outputs`);
  }
  return n;
}

/**
 * Output sizes along the axis: the explicit split, else chunks of
 * ceil(dim / count) with a smaller last chunk (ONNX reference semantics).
 */
function splitSizes(call: OpCall, dim: number, count: number, split: number[] | undefined): number[] {
  if (split) {
    if (split.length !== count) call.fail(`split [${split.join(', ')}] does not match ${count} outputs`);
    if (split.some((s) => s < 0) || split.reduce((a, b) => a + b, 0) !== dim) {
      call.fail(`split [${split.join(', ')}] does not add up to the axis size ${dim}`);
    }
    return split;
  }
  const chunk = Math.ceil(dim / count);
  const sizes = new Array<number>(count).fill(chunk);
  sizes[count - 1] = dim - chunk * (count - 1);
  if (sizes[count - 1] < 0) call.fail(`cannot split an axis of size ${dim} into ${count} chunks of ${chunk}`);
  return sizes;
}

registerOp('Split', {
  infer(call, ins, consts) {
    const x = required(call, ins, 0);
    const axis = normAxis(call, call.int('axis', 0), x.shape.length);
    const split = constArgInts(call, ins, consts, 1, 'split');
    const count = splitCount(call, ins[1] !== undefined);
    const dim = x.shape[axis];
    let sizes: Dim[];
    if (count === 1) sizes = [dim];
    else if (split === 'unknown') sizes = new Array<Dim>(count).fill('?');
    else if (typeof dim === 'number') sizes = splitSizes(call, dim, count, split);
    else if (split) sizes = splitSizes(call, split.reduce((a, b) => a + b, 0), count, split);
    else sizes = new Array<Dim>(count).fill('?');
    return sizes.map((size) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => (k === axis ? size : d)) }));
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const axis = normAxis(call, call.int('axis', 0), x.rank);
    const count = splitCount(call, ins[1] !== undefined);
    const sizes = splitSizes(call, x.shape[axis], count, argInts(call, ins, 1, 'split'));
    const xs = stridesOf(x.shape);
    let at = 0;
    return sizes.map((size) => {
      const out = Tensor.zeros(x.dtype, x.shape.map((d, k) => (k === axis ? size : d)));
      copyView(out.shape, { data: x.data, offset: at * xs[axis], strides: xs }, denseView(out));
      at += size;
      return out;
    });
  },
  schema: [13, 18].map((since) => schema(since, 'T I?', 'T...', { T: ALL, I: INT64 }, { axis: 'int', ...(since >= 18 ? { num_outputs: 'int' } : {}) })),
});

// ---------------------------------------------------------------- Slice

interface AxisRange { start: number; end: number; step: number }

/** Slice's requested ranges by normalized axis (inputs since opset 10, attributes before). */
function sliceRanges(
  call: OpCall, rank: number, starts: number[], ends: number[], axes?: number[], steps?: number[],
): Map<number, AxisRange> {
  const ax = normAxes(call, axes ?? starts.map((_, i) => i), rank);
  if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    call.fail('starts, ends, axes and steps must have the same length');
  }
  const ranges = new Map<number, AxisRange>();
  ax.forEach((a, i) => {
    const step = steps ? steps[i] : 1;
    if (step === 0) call.fail('slice step cannot be 0');
    ranges.set(a, { start: starts[i], end: ends[i], step });
  });
  return ranges;
}

/**
 * ONNX clamping of one range on an axis of size d: negative indices count from
 * the end; huge values (INT64_MAX/MIN arrive as +-9.22e18) clamp to the ends.
 */
function clampRange(d: number, r: AxisRange): { start: number; size: number } {
  let start = r.start < 0 ? r.start + d : r.start;
  let end = r.end < 0 ? r.end + d : r.end;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (r.step > 0) {
    start = clamp(start, 0, d);
    end = clamp(end, 0, d);
  } else {
    start = clamp(start, 0, d - 1);
    end = clamp(end, -1, d - 1);
  }
  return { start, size: Math.max(0, Math.ceil((end - start) / r.step)) };
}

/** Beyond any real dim: treated as "to the end" on symbolic axes. */
const HUGE = 2 ** 31 - 1;

/** Whether a range keeps a whole axis whatever its size (x[:], x[::-1]). */
function keepsWholeAxis(r: AxisRange): boolean {
  if (r.step === 1) return (r.start === 0 || r.start <= -HUGE) && r.end >= HUGE;
  if (r.step === -1) return (r.start === -1 || r.start >= HUGE) && r.end <= -HUGE;
  return false;
}

function slicedDim(d: Dim, r: AxisRange | undefined): Dim {
  if (r === undefined) return d;
  if (typeof d === 'number') return clampRange(d, r).size;
  return keepsWholeAxis(r) ? d : '?';
}

/** Axes a Slice with non-constant operands may touch: the given axes, else the first len(starts). */
function touchedAxes(
  call: OpCall, ins: (ValueType | undefined)[], axes: number[] | undefined | 'unknown', rank: number,
): number[] {
  if (Array.isArray(axes)) return normAxes(call, axes, rank);
  const n = axes === undefined ? ins[1]?.shape[0] : undefined;
  return [...Array(typeof n === 'number' ? Math.min(n, rank) : rank).keys()];
}

/** Slice inputs 1-4; before opset 10 they were attributes of the same names. */
const SLICE_OPERANDS = ['starts', 'ends', 'axes', 'steps'] as const;

registerOp('Slice', {
  // `call: OpCall` is annotated so that call.fail() narrows (TS needs an explicit type for that).
  infer(call: OpCall, ins, consts) {
    const x = required(call, ins, 0);
    const rank = x.shape.length;
    const [starts, ends, axes, steps] = SLICE_OPERANDS.map((attr, i) => constArgInts(call, ins, consts, i + 1, attr));
    if (starts === undefined || ends === undefined) call.fail('starts and ends are required');
    if (starts === 'unknown' || ends === 'unknown' || axes === 'unknown' || steps === 'unknown') {
      const touched = touchedAxes(call, ins, axes, rank);
      return [{ dtype: x.dtype, shape: x.shape.map((d, k) => (touched.includes(k) ? '?' : d)) }];
    }
    const ranges = sliceRanges(call, rank, starts, ends, axes, steps);
    return [{ dtype: x.dtype, shape: x.shape.map((d, k) => slicedDim(d, ranges.get(k))) }];
  },
  execute(call: OpCall, ins) {
    const x = required(call, ins, 0);
    const [starts, ends, axes, steps] = SLICE_OPERANDS.map((attr, i) => argInts(call, ins, i + 1, attr));
    if (starts === undefined || ends === undefined) call.fail('starts and ends are required');
    const ranges = sliceRanges(call, x.rank, starts, ends, axes, steps);
    const xs = stridesOf(x.shape);
    let offset = 0;
    const strides: number[] = [];
    const shape = x.shape.map((d, k) => {
      const r = ranges.get(k) ?? { start: 0, end: d, step: 1 };
      const { start, size } = clampRange(d, r);
      offset += start * xs[k];
      strides.push(xs[k] * r.step);
      return size;
    });
    const out = Tensor.zeros(x.dtype, shape);
    if (out.size > 0) copyView(shape, { data: x.data, offset, strides }, denseView(out));
    return [out];
  },
  schema: [schema(13, 'T I I I? I?', 'T', { T: ALL, I: INDEX })],
});

// ---------------------------------------------------------------- Gather

function gatherDims(call: OpCall, data: readonly Dim[], indices: readonly Dim[]): Dim[] {
  const axis = normAxis(call, call.int('axis', 0), data.length);
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

registerOp('Gather', {
  infer(call, ins) {
    const data = required(call, ins, 0);
    const indices = required(call, ins, 1);
    return [{ dtype: data.dtype, shape: gatherDims(call, data.shape, indices.shape) }];
  },
  execute(call, ins) {
    const data = required(call, ins, 0);
    const indices = required(call, ins, 1);
    const out = Tensor.zeros(data.dtype, staticDims(call, gatherDims(call, data.shape, indices.shape)));
    const axis = normAxis(call, call.int('axis', 0), data.rank);
    const n = data.shape[axis];
    const picks = intsOf(indices).map((i) => {
      if (i < -n || i >= n) call.fail(`index ${i} is out of range for an axis of size ${n}`);
      return i < 0 ? i + n : i;
    });
    // Each (outer position, index) pair copies one contiguous block of the trailing dims.
    const inner = data.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = data.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    for (let o = 0; o < outer; o++) {
      picks.forEach((p, j) => {
        const src = (o * n + p) * inner;
        copyView([inner], { data: data.data, offset: src, strides: [1] },
          { data: out.data, offset: (o * picks.length + j) * inner, strides: [1] });
      });
    }
    return [out];
  },
  schema: [schema(13, 'T I', 'T', { T: ALL, I: INDEX }, { axis: 'int' })],
});

// ---------------------------------------------------------------- Trilu

registerOp('Trilu', {
  infer(call, ins) {
    const x = required(call, ins, 0);
    if (x.shape.length < 2) call.fail(`input must have rank >= 2, got ${formatDims(x.shape)}`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    if (x.rank < 2) call.fail(`input must have rank >= 2, got ${formatDims(x.shape)}`);
    const k = ins[1] ? intsOf(ins[1])[0] : 0;
    const upper = call.int('upper', 1) !== 0;
    const out = copyTensor(x);
    const [rows, cols] = x.shape.slice(-2);
    if (rows * cols === 0) return [out];
    // Upper keeps j - i >= k, lower keeps j - i <= k; the rest of each matrix is zeroed.
    for (let base = 0; base < out.size; base += rows * cols) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          if (upper ? j - i < k : j - i > k) out.data[base + i * cols + j] = 0;
        }
      }
    }
    return [out];
  },
  schema: [schema(14, 'T I?', 'T', { T: ALL, I: INT64 }, { upper: 'int' })],
});
