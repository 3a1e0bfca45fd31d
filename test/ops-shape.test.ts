import { describe, expect, it } from 'vitest';
import { OpCall, getOp } from '../compiler/ops/index.js';
import { UserError } from '../compiler/errors.js';
import { Attrs, Dim, ValueType } from '../compiler/graph.js';
import { DType, Tensor, sizeOf } from '../compiler/tensor.js';

/** INT64_MAX / INT64_MIN as the frontend stores them (Number of the bigint). */
const INT64_MAX = Number(2n ** 63n - 1n);
const INT64_MIN = Number(-(2n ** 63n));

function opCall(op: string, attrs: Attrs, outputs: number, opset: number): OpCall {
  const names = Array.from({ length: outputs }, (_, i) => `y${i}`);
  const node = { name: 'n1', opType: op, inputs: [], outputs: names, attrs };
  return new OpCall(node, opset);
}

function run(op: string, ins: (Tensor | undefined)[], attrs: Attrs = {}, outputs = 1, opset = 17): Tensor[] {
  return getOp(op)!.execute(opCall(op, attrs, outputs, opset), ins);
}

function run1(op: string, ins: (Tensor | undefined)[], attrs: Attrs = {}, opset = 17): Tensor {
  return run(op, ins, attrs, 1, opset)[0];
}

function infer(
  op: string, ins: (ValueType | undefined)[], consts: (Tensor | undefined)[] = [], attrs: Attrs = {}, outputs = 1,
  opset = 17,
): ValueType[] {
  return getOp(op)!.infer(opCall(op, attrs, outputs, opset), ins, consts);
}

const iota = (shape: number[], dtype: DType = 'float32') => Tensor.from(dtype, shape, [...Array(sizeOf(shape)).keys()]);
const f32 = (shape: number[], values: number[]) => Tensor.from('float32', shape, values);
const i64 = (values: number[]) => Tensor.from('int64', [values.length], values);
const type = (dtype: DType, ...shape: Dim[]): ValueType => ({ dtype, shape });

describe('Transpose', () => {
  const x = iota([2, 3, 4]); // x[i][j][k] = 12i + 4j + k

  it('reverses the axes by default', () => {
    const y = run1('Transpose', [x]);
    expect(y.shape).toEqual([4, 3, 2]);
    expect(y.toArray()).toEqual([
      0, 12, 4, 16, 8, 20,
      1, 13, 5, 17, 9, 21,
      2, 14, 6, 18, 10, 22,
      3, 15, 7, 19, 11, 23,
    ]);
  });

  it('applies an explicit perm', () => {
    const a = run1('Transpose', [x], { perm: [1, 0, 2] });
    expect(a.shape).toEqual([3, 2, 4]);
    expect(a.toArray()).toEqual([0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23]);
    const b = run1('Transpose', [x], { perm: [0, 2, 1] });
    expect(b.shape).toEqual([2, 4, 3]);
    expect(b.toArray()).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23]);
  });

  it('handles scalars, zero-size tensors and bad perms', () => {
    expect(run1('Transpose', [Tensor.scalar('int64', 5)]).toArray()).toEqual([5]);
    expect(run1('Transpose', [iota([0, 3])]).shape).toEqual([3, 0]);
    expect(() => run1('Transpose', [x], { perm: [0, 0, 1] })).toThrow(UserError);
    expect(() => run1('Transpose', [x], { perm: [0, 1] })).toThrow(/n1/);
  });

  it('infers symbolic dims', () => {
    expect(infer('Transpose', [type('float32', 1, 'seq', 12, 64)], [], { perm: [0, 2, 1, 3] })[0].shape)
      .toEqual([1, 12, 'seq', 64]);
  });
});

describe('Reshape', () => {
  const x = iota([2, 3, 4]);

  it('copies dims for 0 and infers -1', () => {
    const y = run1('Reshape', [x, i64([0, -1])]);
    expect(y.shape).toEqual([2, 12]);
    expect(y.toArray()).toEqual(x.toArray());
    expect(run1('Reshape', [x, i64([-1, 0, 2])]).shape).toEqual([4, 3, 2]);
    expect(run1('Reshape', [x, i64([0, 0, 0])]).shape).toEqual([2, 3, 4]);
  });

  it('keeps literal zeros with allowzero=1', () => {
    expect(run1('Reshape', [iota([0, 4]), i64([4, 0])], { allowzero: 1 }).shape).toEqual([4, 0]);
    expect(() => run1('Reshape', [iota([0, 4]), i64([0, -1])], { allowzero: 1 })).toThrow(UserError);
  });

  it('handles scalars and rejects bad shapes', () => {
    expect(run1('Reshape', [Tensor.scalar('float32', 3), i64([-1])]).shape).toEqual([1]);
    expect(run1('Reshape', [f32([1], [3]), i64([])]).shape).toEqual([]);
    expect(() => run1('Reshape', [x, i64([-1, -1])])).toThrow(UserError);
    expect(() => run1('Reshape', [x, i64([5, -1])])).toThrow(UserError);
    expect(() => run1('Reshape', [x, i64([2, 3, 5])])).toThrow(UserError);
  });

  it('infers exact dims from a constant shape, cancelling symbolic dims', () => {
    const h = type('float32', 1, 'seq', 768);
    const heads = type('float32', 1, 'seq', 12, 64);
    const reshape = (x: ValueType, v: number[]) =>
      infer('Reshape', [x, type('int64', v.length)], [undefined, i64(v)])[0].shape;
    expect(reshape(h, [0, 0, 12, 64])).toEqual([1, 'seq', 12, 64]);
    expect(reshape(heads, [0, 0, -1])).toEqual([1, 'seq', 768]);
    expect(reshape(heads, [1, -1, 768])).toEqual([1, 'seq', 768]);
    expect(reshape(heads, [-1, 64])).toEqual(['?', 64]);
    expect(reshape(type('float32', 2, 3, 4), [-1, 6])).toEqual([4, 6]);
  });

  it('infers the rank from a non-constant shape input', () => {
    expect(infer('Reshape', [type('float32', 1, 'seq', 768), type('int64', 4)])[0].shape).toEqual(['?', '?', '?', '?']);
  });
});

describe('Split', () => {
  it('splits unevenly with num_outputs (opset 18)', () => {
    const parts = run('Split', [iota([7])], { num_outputs: 3 }, 3, 18);
    expect(parts.map((p) => p.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const cols = run('Split', [iota([2, 5])], { axis: 1, num_outputs: 2 }, 2, 18);
    expect(cols.map((p) => p.shape)).toEqual([[2, 3], [2, 2]]);
    expect(cols.map((p) => p.toArray())).toEqual([[0, 1, 2, 5, 6, 7], [3, 4, 8, 9]]);
  });

  it('takes split sizes as an input and defaults to equal parts', () => {
    const parts = run('Split', [iota([3, 2]), i64([1, 2])], {}, 2, 13);
    expect(parts.map((p) => p.toArray())).toEqual([[0, 1], [2, 3, 4, 5]]);
    const halves = run('Split', [iota([2, 4])], { axis: -1 }, 2, 13);
    expect(halves.map((p) => p.toArray())).toEqual([[0, 1, 4, 5], [2, 3, 6, 7]]);
    const withEmpty = run('Split', [iota([3]), i64([0, 3])], {}, 2, 13);
    expect(withEmpty.map((p) => p.shape)).toEqual([[0], [3]]);
    expect(() => run('Split', [iota([3]), i64([1, 1])], {}, 2, 13)).toThrow(UserError);
    expect(() => run('Split', [iota([7])], { num_outputs: 2 }, 3, 18)).toThrow(UserError);
  });

  it('infers sizes', () => {
    const x = type('float32', 'seq', 10);
    expect(infer('Split', [x], [], { axis: 1, num_outputs: 3 }, 3, 18).map((t) => t.shape))
      .toEqual([['seq', 4], ['seq', 4], ['seq', 2]]);
    expect(infer('Split', [x], [], { num_outputs: 2 }, 2, 18).map((t) => t.shape)).toEqual([['?', 10], ['?', 10]]);
    expect(infer('Split', [x, type('int64', 2)], [undefined, i64([1, 3])], {}, 2).map((t) => t.shape))
      .toEqual([[1, 10], [3, 10]]);
  });
});

describe('Slice', () => {
  it('walks backwards with negative steps', () => {
    const x = iota([5]);
    expect(run1('Slice', [x, i64([-1]), i64([INT64_MIN]), undefined, i64([-1])]).toArray()).toEqual([4, 3, 2, 1, 0]);
    expect(run1('Slice', [x, i64([4]), i64([0]), i64([0]), i64([-2])]).toArray()).toEqual([4, 2]);
    expect(run1('Slice', [x, i64([INT64_MAX]), i64([1]), i64([0]), i64([-3])]).toArray()).toEqual([4]);
  });

  it('clamps INT64_MAX ends and negative starts', () => {
    const x = iota([3, 4]);
    const y = run1('Slice', [x, i64([1, -3]), i64([INT64_MAX, INT64_MAX]), i64([0, 1])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([5, 6, 7, 9, 10, 11]);
    const odd = run1('Slice', [x, i64([1]), i64([100]), i64([-1]), i64([2])]);
    expect(odd.toArray()).toEqual([1, 3, 5, 7, 9, 11]);
    expect(run1('Slice', [x, i64([3]), i64([1]), i64([1])]).shape).toEqual([3, 0]);
    expect(() => run1('Slice', [x, i64([0]), i64([1]), i64([0]), i64([0])])).toThrow(UserError);
  });

  it('infers exact sizes on static dims and keeps symbolic dims only for full ranges', () => {
    const x = type('float32', 'seq', 10);
    const slice = (starts: number[], ends: number[], axes: number[], steps?: number[]) => {
      const consts = [undefined, i64(starts), i64(ends), i64(axes), steps && i64(steps)];
      const ins = [x, ...consts.slice(1).map((c) => c && type('int64', c.size))];
      return infer('Slice', ins, consts)[0].shape;
    };
    expect(slice([2], [-1], [1])).toEqual(['seq', 7]);
    expect(slice([0], [INT64_MAX], [0])).toEqual(['seq', 10]);
    expect(slice([-1], [INT64_MIN], [0], [-1])).toEqual(['seq', 10]);
    expect(slice([-1], [INT64_MAX], [0])).toEqual(['?', 10]);
    expect(slice([9, 0], [INT64_MIN, 2147483647], [1, 0], [-4, 1])).toEqual(['seq', 3]);
  });

  it('infers only the touched axes as unknown for non-constant starts', () => {
    const ins = [type('float32', 'seq', 10, 4), type('int64', 1), type('int64', 1), type('int64', 1)];
    expect(infer('Slice', ins, [undefined, undefined, i64([5]), i64([-2])])[0].shape).toEqual(['seq', '?', 4]);
    expect(infer('Slice', ins.slice(0, 3))[0].shape).toEqual(['?', 10, 4]);
  });
});

describe('Gather', () => {
  it('gathers with negative indices along axis 1', () => {
    const y = run1('Gather', [iota([2, 3]), i64([-1, 0])], { axis: 1 });
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([2, 0, 5, 3]);
  });

  it('places the indices shape at the axis', () => {
    const y = run1('Gather', [iota([3, 2]), Tensor.from('int32', [2, 2], [0, -1, 1, 1])]);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([0, 1, 4, 5, 2, 3, 2, 3]);
    const row = run1('Gather', [iota([3, 4], 'int64'), Tensor.scalar('int64', -1)]);
    expect(row.dtype).toBe('int64');
    expect(row.shape).toEqual([4]);
    expect(row.toArray()).toEqual([8, 9, 10, 11]);
    expect(run1('Gather', [iota([3, 4]), i64([])], { axis: 1 }).shape).toEqual([3, 0]);
    expect(() => run1('Gather', [iota([3]), i64([3])])).toThrow(UserError);
  });

  it('infers data[:axis] + indices + data[axis+1:]', () => {
    expect(infer('Gather', [type('float16', 50257, 768), type('int64', 1, 'seq')])[0])
      .toEqual(type('float16', 1, 'seq', 768));
    expect(infer('Gather', [type('int64', 4), type('int64')])[0]).toEqual(type('int64'));
  });
});

describe('Trilu', () => {
  it('keeps the strict lower triangle with upper=0, k=-1', () => {
    const y = run1('Trilu', [iota([3, 3]), Tensor.scalar('int64', -1)], { upper: 0 });
    expect(y.toArray()).toEqual([0, 0, 0, 3, 0, 0, 6, 7, 0]);
  });

  it('defaults to upper with k=0 and works per batch matrix', () => {
    const y = run1('Trilu', [iota([2, 2, 3])]);
    expect(y.toArray()).toEqual([0, 1, 2, 0, 4, 5, 6, 7, 8, 0, 10, 11]);
    const shifted = run1('Trilu', [iota([2, 3], 'int64'), Tensor.scalar('int64', 1)]);
    expect(shifted.toArray()).toEqual([0, 1, 2, 0, 0, 5]);
    expect(run1('Trilu', [iota([2, 0, 3])]).shape).toEqual([2, 0, 3]);
  });
});

describe('Concat', () => {
  it('concatenates a zero-length KV-cache past with new keys', () => {
    const past = iota([1, 2, 0, 3]);
    const fresh = f32([1, 2, 1, 3], [1, 2, 3, 4, 5, 6]);
    const y = run1('Concat', [past, fresh], { axis: 2 });
    expect(y.shape).toEqual([1, 2, 1, 3]);
    expect(y.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('interleaves along an inner axis', () => {
    const y = run1('Concat', [iota([2, 1]), f32([2, 2], [10, 11, 12, 13])], { axis: -1 });
    expect(y.toArray()).toEqual([0, 10, 11, 1, 12, 13]);
    expect(() => run1('Concat', [iota([2, 1]), iota([3, 1])], { axis: 1 })).toThrow(UserError);
  });

  it('infers symbolic sums', () => {
    const concat = (a: Dim, b: Dim) =>
      infer('Concat', [type('float32', 1, 'heads', a, 64), type('float32', 1, 12, b, 64)], [], { axis: 2 })[0].shape;
    expect(concat('past', 'seq')).toEqual([1, 12, '?', 64]);
    expect(concat(0, 'seq')).toEqual([1, 12, 'seq', 64]);
    expect(concat(3, 4)).toEqual([1, 12, 7, 64]);
  });
});

describe('Range', () => {
  it('steps by a float delta', () => {
    const y = run1('Range', [Tensor.scalar('float32', 1), Tensor.scalar('float32', 2), Tensor.scalar('float32', 0.25)]);
    expect(y.toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    const z = run1('Range', [Tensor.scalar('float32', 0), Tensor.scalar('float32', 1), Tensor.scalar('float32', 0.3)]);
    // start + i * delta in float32: 3 * fround(0.3) is exact in float32 and differs from fround(0.9).
    expect(z.toArray()).toEqual([0, 1, 2, 3].map((i) => Math.fround(i * Math.fround(0.3))));
    expect(z.data[3]).not.toBe(Math.fround(0.9));
  });

  it('counts down with integers and gives empty ranges', () => {
    const s = (v: number) => Tensor.scalar('int64', v);
    const y = run1('Range', [s(10), s(4), s(-3)]);
    expect([y.dtype, y.toArray()]).toEqual(['int64', [10, 7]]);
    expect(run1('Range', [s(5), s(0), s(1)]).shape).toEqual([0]);
    expect(() => run1('Range', [s(0), s(4), s(0)])).toThrow(UserError);
  });

  it('infers the length only from constants', () => {
    const t = type('int32');
    const c = (v: number) => Tensor.scalar('int32', v);
    expect(infer('Range', [t, t, t], [c(0), c(10), c(3)])[0]).toEqual(type('int32', 4));
    expect(infer('Range', [t, t, t], [c(0), undefined, c(1)])[0]).toEqual(type('int32', '?'));
  });
});

describe('Squeeze and Unsqueeze', () => {
  it('squeezes every 1-dim without axes', () => {
    const y = run1('Squeeze', [iota([1, 3, 1, 2])]);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run1('Squeeze', [iota([1, 3, 1, 2]), i64([-2])]).shape).toEqual([1, 3, 2]);
    expect(run1('Squeeze', [iota([1, 1])]).shape).toEqual([]);
    expect(() => run1('Squeeze', [iota([1, 3]), i64([1])])).toThrow(UserError);
  });

  it('unsqueezes at output positions, from axes inputs or (old opsets) attributes', () => {
    expect(run1('Unsqueeze', [iota([3, 2]), i64([0, -1])]).shape).toEqual([1, 3, 2, 1]);
    expect(run1('Unsqueeze', [Tensor.scalar('int64', 7), i64([0])]).toArray()).toEqual([7]);
    expect(run1('Unsqueeze', [iota([3])], { axes: [1] }, 11).shape).toEqual([3, 1]);
    expect(() => run1('Unsqueeze', [iota([3]), i64([0, 0])])).toThrow(UserError);
  });

  it('infers with symbolic dims', () => {
    expect(infer('Squeeze', [type('float32', 1, 'seq', 1)])[0].shape).toEqual(['seq']);
    expect(infer('Unsqueeze', [type('int64', 'seq'), type('int64', 1)], [undefined, i64([0])])[0].shape)
      .toEqual([1, 'seq']);
    expect(infer('Unsqueeze', [type('int64', 'seq'), type('int64', 2)])[0].shape).toEqual(['?', '?', '?']);
  });
});

describe('Expand', () => {
  it('broadcasts both ways', () => {
    const y = run1('Expand', [f32([3, 1], [1, 2, 3]), i64([2, 1, 4])]);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(y.toArray()).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(run1('Expand', [f32([3, 1], [1, 2, 3]), i64([1])]).shape).toEqual([3, 1]);
    expect(run1('Expand', [Tensor.scalar('bool', 1), i64([2, 0])]).shape).toEqual([2, 0]);
    expect(() => run1('Expand', [iota([3]), i64([2])])).toThrow(UserError);
  });

  it('infers dims of the right rank for a non-constant shape', () => {
    expect(infer('Expand', [type('float32', 4, 1), type('int64', 3)])[0].shape).toEqual(['?', 4, '?']);
    expect(infer('Expand', [type('float32', 1, 'seq'), type('int64', 2)], [undefined, i64([3, 1])])[0].shape)
      .toEqual([3, 'seq']);
  });
});

describe('Shape, ConstantOfShape and Constant', () => {
  it('reads shapes with start/end windows', () => {
    const x = iota([2, 3, 4, 5]);
    expect(run1('Shape', [x]).toArray()).toEqual([2, 3, 4, 5]);
    expect(run1('Shape', [x], { start: 1, end: -1 }, 15).toArray()).toEqual([3, 4]);
    expect(run1('Shape', [x], { start: -10, end: 100 }, 15).toArray()).toEqual([2, 3, 4, 5]);
    expect(run1('Shape', [x], { start: 3, end: 1 }, 15).shape).toEqual([0]);
    expect(infer('Shape', [type('float32', 1, 'sequence')])[0]).toEqual(type('int64', 2));
  });

  it('fills shapes with a value', () => {
    const y = run1('ConstantOfShape', [i64([2, 3])], { value: Tensor.from('int64', [1], [7]) });
    expect([y.dtype, y.shape, y.toArray()]).toEqual(['int64', [2, 3], [7, 7, 7, 7, 7, 7]]);
    const z = run1('ConstantOfShape', [i64([])]);
    expect([z.dtype, z.shape, z.toArray()]).toEqual(['float32', [], [0]]);
    expect(run1('ConstantOfShape', [i64([0, 4])]).size).toBe(0);
    expect(infer('ConstantOfShape', [type('int64', 3)])[0]).toEqual(type('float32', '?', '?', '?'));
  });

  it('turns Constant attributes into tensors', () => {
    const ints = run1('Constant', [], { value_ints: [1, -2] });
    expect([ints.dtype, ints.shape, ints.toArray()]).toEqual(['int64', [2], [1, -2]]);
    expect(run1('Constant', [], { value_float: 0.5 }).shape).toEqual([]);
    expect(infer('Constant', [], [], { value: Tensor.from('float16', [2, 2], [1, 2, 3, 4]) })[0])
      .toEqual(type('float16', 2, 2));
    expect(() => run1('Constant', [], { value_string: 'x' })).toThrow(UserError);
  });
});

describe('every dtype', () => {
  const dtypes: DType[] = ['float32', 'float16', 'float64', 'int64', 'int32', 'int16', 'int8',
    'uint64', 'uint32', 'uint16', 'uint8', 'bool'];
  for (const dtype of dtypes) {
    it(`moves ${dtype} data`, () => {
      const x = Tensor.from(dtype, [2, 2], [1, 0, 0, 1]);
      expect(run1('Transpose', [Tensor.from(dtype, [2, 2], [1, 1, 0, 0])]).toArray()).toEqual([1, 0, 1, 0]);
      const cat = run1('Concat', [x, x], { axis: 0 });
      expect([cat.dtype, cat.toArray()]).toEqual([dtype, [1, 0, 0, 1, 1, 0, 0, 1]]);
      expect(run1('Slice', [x, i64([1]), i64([2])]).toArray()).toEqual([0, 1]);
      expect(run1('Gather', [x, i64([1])], { axis: 1 }).toArray()).toEqual([0, 1]);
      expect(run1('Expand', [x, i64([2, 2, 2])]).data).toBeInstanceOf(x.data.constructor);
    });
  }
});
