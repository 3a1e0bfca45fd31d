/** Ops that create tensors from scalars and attributes: Range, ConstantOfShape, Constant. */
import { Dim, describeNode } from '../graph.js';
import { UnsupportedError } from '../errors.js';
import { DType, Tensor, castValue } from '../tensor.js';
import { OpCall, intsOf, required } from './op.js';
import { registerOp } from './registry.js';
import { ALL, INT64, schema } from './schema.js';
import { copyTensor, vectorLength } from './shape-util.js';

// ---------------------------------------------------------------- Range

function scalarValue(call: OpCall, t: Tensor, what: string): number {
  if (t.size !== 1) call.fail(`${what} must be a scalar, got shape [${t.shape.join(', ')}]`);
  return t.data[0];
}

/** Range operands as numbers, all of the start's element type. */
function rangeOperands(call: OpCall, ts: Tensor[]): [DType, number, number, number] {
  const [start, limit, delta] = ts;
  if (limit.dtype !== start.dtype || delta.dtype !== start.dtype) {
    call.fail('start, limit and delta must share one type');
  }
  const values = [start, limit, delta].map((t, i) => scalarValue(call, t, ['start', 'limit', 'delta'][i]));
  return [start.dtype, values[0], values[1], values[2]];
}

/** max(ceil((limit - start) / delta), 0), with the difference taken in the element type as runtimes do. */
function rangeCount(call: OpCall, dtype: DType, start: number, limit: number, delta: number): number {
  if (delta === 0) call.fail('delta cannot be 0');
  const count = Math.ceil(castValue(limit - start, dtype) / delta);
  if (!Number.isFinite(count)) call.fail(`start ${start}, limit ${limit} and delta ${delta} give no element count`);
  return Math.max(count, 0);
}

registerOp('Range', {
  infer(call, ins, consts) {
    const start = required(call, ins, 0);
    const known = [0, 1, 2].map((i) => consts[i]);
    if (known.every((t): t is Tensor => t !== undefined)) {
      const [dtype, s, l, d] = rangeOperands(call, known);
      return [{ dtype, shape: [rangeCount(call, dtype, s, l, d)] }];
    }
    return [{ dtype: start.dtype, shape: ['?'] }];
  },
  execute(call, ins) {
    const [dtype, start, limit, delta] = rangeOperands(call, [0, 1, 2].map((i) => required(call, ins, i)));
    const n = rangeCount(call, dtype, start, limit, delta);
    const out = Tensor.zeros(dtype, [n]);
    // output[i] = start + i * delta, each operation rounded to the element type.
    for (let i = 0; i < n; i++) out.data[i] = castValue(start + castValue(i * delta, dtype), dtype);
    return [out];
  },
  schema: [schema(11, 'T T T', 'T', { T: ['float32', 'float64', 'int16', 'int32', 'int64'] })],
});

// ---------------------------------------------------------------- ConstantOfShape

/** The one-element fill value; float32 0 by default. */
function fillValue(call: OpCall): Tensor {
  const v = call.tensor('value');
  if (v === undefined) return Tensor.scalar('float32', 0);
  if (v.size !== 1) call.fail(`value must hold one element, got shape [${v.shape.join(', ')}]`);
  return v;
}

registerOp('ConstantOfShape', {
  infer(call, ins, consts) {
    const shapeType = required(call, ins, 0);
    const dtype = fillValue(call).dtype;
    const shape: Dim[] = consts[0]
      ? intsOf(consts[0])
      : new Array<Dim>(vectorLength(call, shapeType, 'shape')).fill('?');
    return [{ dtype, shape }];
  },
  execute(call, ins) {
    const value = fillValue(call);
    const shape = intsOf(required(call, ins, 0));
    if (shape.some((d) => d < 0)) call.fail(`invalid shape [${shape.join(', ')}]`);
    const out = Tensor.zeros(value.dtype, shape);
    out.data.fill(value.data[0]);
    return [out];
  },
  schema: [schema(9, 'I', 'T', { I: INT64, T: ALL }, { value: 'tensor' }, {
    outputTypes: (a) => ({ T: 'value' in a ? a.value as DType | undefined : 'float32' }),
  })],
});

// ---------------------------------------------------------------- Constant

/** Constant's attributes: exactly one of them holds its value. */
const CONSTANT_VALUES = {
  value: 'tensor', sparse_value: 'sparse_tensor', value_float: 'float', value_floats: 'floats', value_int: 'int', value_ints: 'ints',
  value_string: 'string', value_strings: 'strings',
} as const;

function constantValue(call: OpCall): Tensor {
  const value = call.tensor('value');
  if (value) return value;
  if (call.has('value_float')) return Tensor.scalar('float32', call.float('value_float'));
  if (call.has('value_int')) return Tensor.scalar('int64', call.int('value_int'));
  for (const [attr, dtype] of [['value_floats', 'float32'], ['value_ints', 'int64']] as const) {
    if (call.has(attr)) {
      const values = call.ints(attr);
      return Tensor.from(dtype, [values.length], values);
    }
  }
  const given = Object.keys(call.attrs).join(', ') || 'no value';
  throw new UnsupportedError(`${describeNode(call.node)}: Constant with ${given} is not supported`);
}

registerOp('Constant', {
  infer(call) {
    const t = constantValue(call);
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  },
  execute(call) {
    return [copyTensor(constantValue(call))];
  },
  schema: [schema(13, '', 'T', { T: ALL }, CONSTANT_VALUES, { oneOf: Object.keys(CONSTANT_VALUES) })],
});
