/**
 * ReduceMean, ReduceSum, ReduceMax. The axes come from the `axes` attribute
 * in older opsets and from an optional second input in newer ones
 * (ReduceSum since 13, ReduceMean/ReduceMax since 18); both forms are read
 * whichever opset the model declares. Empty axes reduce every axis unless
 * noop_with_empty_axes is set. Accumulation is in float64.
 */
import { Dim } from '../graph.js';
import { DType, Tensor, sizeOf } from '../tensor.js';
import {
  OpCall, OpDef, broadcastStrides, forEachRow, intsOf, normAxis, required, resultConverter, rowStep,
} from './op.js';
import { registerOp } from './registry.js';
import { INT64, NUMERIC, OpSchema, WIDE_NUMERIC, schema } from './schema.js';

interface Reduction {
  schema: OpSchema[];
  init: number;
  combine: (acc: number, x: number) => number;
  /** Final value from the accumulator and the number of reduced elements. */
  finish: (acc: number, count: number) => number;
}

/** The axes moved from an attribute to an optional input in opset 13 (ReduceSum) or 18 (the others). */
function reduceSchemas(axesInputSince: number, types: (since: number) => readonly DType[]): OpSchema[] {
  return [...new Set([13, axesInputSince, 20])].map((since) => (since >= axesInputSince
    ? schema(since, 'T I?', 'T', { T: types(since), I: INT64 }, { keepdims: 'int', noop_with_empty_axes: 'int' })
    : schema(since, 'T', 'T', { T: types(since) }, { axes: 'ints', keepdims: 'int' })));
}

const REDUCTIONS: Record<string, Reduction> = {
  ReduceSum: { schema: reduceSchemas(13, () => WIDE_NUMERIC), init: 0, combine: (s, x) => s + x, finish: (s) => s },
  ReduceMean: { schema: reduceSchemas(18, () => WIDE_NUMERIC), init: 0, combine: (s, x) => s + x, finish: (s, n) => s / n },
  ReduceMax: {
    // ReduceMax also takes 8-bit integers, and bool since opset 20.
    schema: reduceSchemas(18, (since) => [...WIDE_NUMERIC, 'uint8', 'int8', ...(since >= 20 ? ['bool' as const] : [])]),
    init: -Infinity, combine: Math.max, finish: (m) => m,
  },
};

/**
 * The axes to reduce, sorted and normalized, or 'noop' for an empty list
 * under noop_with_empty_axes. `axesInput` is undefined when the input is
 * absent; null when present but not a known constant.
 */
function reductionAxes(call: OpCall, rank: number, axesInput: Tensor | undefined | null): number[] | 'noop' | null {
  let axes: number[];
  if (axesInput === null) return null;
  if (axesInput) axes = intsOf(axesInput);
  else axes = call.has('axes') ? call.ints('axes') : [];
  if (axes.length === 0) {
    if (flag(call, 'noop_with_empty_axes', 0)) return 'noop';
    return Array.from({ length: rank }, (_, i) => i);
  }
  // A repeated axis is reduced once, as ONNX Runtime does.
  const norm = new Set(axes.map((a) => normAxis(call, a, rank)));
  return [...norm].sort((a, b) => a - b);
}

/** keepdims and noop_with_empty_axes are on only when 1, as in ONNX's shape inference and ONNX Runtime (2 or -1 is off). */
function flag(call: OpCall, name: string, fallback: number): boolean {
  return call.int(name, fallback) === 1;
}

function reducedShape<D extends Dim>(shape: readonly D[], axes: readonly number[], keepdims: boolean): (D | 1)[] {
  const out: (D | 1)[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function reduceOp(r: Reduction): OpDef {
  return {
    infer(call, ins, consts) {
      const x = required(call, ins, 0);
      const keepdims = flag(call, 'keepdims', 1);
      const axesInput = ins[1] === undefined ? undefined : consts[1] ?? null;
      const axes = reductionAxes(call, x.shape.length, axesInput);
      if (axes === 'noop') return [{ dtype: x.dtype, shape: [...x.shape] }];
      if (axes === null) {
        // Unknown axes: with keepdims the rank is still known.
        if (!keepdims) call.fail('needs constant axes when keepdims is not 1');
        return [{ dtype: x.dtype, shape: x.shape.map(() => '?') }];
      }
      return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, keepdims) }];
    },
    execute(call, ins) {
      const x = required(call, ins, 0);
      const axes = reductionAxes(call, x.rank, ins[1]);
      if (axes === 'noop') return [x];
      const keepdims = flag(call, 'keepdims', 1);
      return [reduce(x, axes ?? [], keepdims, r)];
    },
    schema: r.schema,
  };
}

function reduce(x: Tensor, axes: readonly number[], keepdims: boolean, r: Reduction): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const acc = new Float64Array(sizeOf(kept)).fill(r.init);
  const accStrides = broadcastStrides(kept, x.shape);
  const step = rowStep(accStrides);
  const len = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  const data = x.data;
  forEachRow(x.shape, [accStrides], (start, offs) => {
    const base = offs[0];
    for (let j = 0; j < len; j++) {
      const k = base + j * step;
      acc[k] = r.combine(acc[k], data[start + j]);
    }
  });
  const count = sizeOf(x.shape.filter((_, i) => axes.includes(i)));
  const out = Tensor.zeros(x.dtype, keepdims ? kept : reducedShape(x.shape, axes, false));
  const conv = resultConverter(x.dtype);
  for (let i = 0; i < acc.length; i++) out.data[i] = conv(r.finish(acc[i], count));
  return out;
}

for (const [name, r] of Object.entries(REDUCTIONS)) registerOp(name, reduceOp(r));
