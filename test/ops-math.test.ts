import { describe, expect, it } from 'vitest';
import '../compiler/ops/index.js';
import { getOp } from '../compiler/ops/registry.js';
import { OpCall } from '../compiler/ops/op.js';
import { Attrs, Dim, Node, ValueType } from '../compiler/graph.js';
import { DType, Tensor } from '../compiler/tensor.js';
import { UserError } from '../compiler/errors.js';

function makeNode(opType: string, nIn: number, attrs: Attrs, nOut = 1): Node {
  return {
    name: `test_${opType}`,
    opType,
    inputs: Array.from({ length: nIn }, (_, i) => `in${i}`),
    outputs: Array.from({ length: nOut }, (_, i) => `out${i}`),
    attrs,
  };
}

function run(opType: string, ins: (Tensor | undefined)[], attrs: Attrs = {}, opset = 17, nOut = 1): Tensor[] {
  const op = getOp(opType);
  if (!op) throw new Error(`${opType} not registered`);
  return op.execute(new OpCall(makeNode(opType, ins.length, attrs, nOut), opset), ins);
}

function run1(opType: string, ins: (Tensor | undefined)[], attrs: Attrs = {}, opset = 17): Tensor {
  return run(opType, ins, attrs, opset)[0];
}

function infer(
  opType: string, ins: (ValueType | undefined)[], attrs: Attrs = {},
  consts: (Tensor | undefined)[] = [], opset = 17, nOut = 1,
): ValueType[] {
  return getOp(opType)!.infer(new OpCall(makeNode(opType, ins.length, attrs, nOut), opset), ins, consts);
}

const f32 = (shape: number[], v: number[]) => Tensor.from('float32', shape, v);
const i32 = (shape: number[], v: number[]) => Tensor.from('int32', shape, v);
const i64 = (shape: number[], v: number[]) => Tensor.from('int64', shape, v);
const vt = (dtype: DType, shape: Dim[]): ValueType => ({ dtype, shape });

function expectClose(t: Tensor, expected: number[], digits = 6): void {
  expect(t.size).toBe(expected.length);
  t.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));
}

describe('elementwise binary ops', () => {
  it('broadcasts [2,1] + [3] to [2,3]', () => {
    const y = run1('Add', [f32([2, 1], [1, 2]), f32([3], [10, 20, 30])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([11, 21, 31, 12, 22, 32]);
  });

  it('broadcasts both operands: [3,1] * [1,2]', () => {
    const y = run1('Mul', [f32([3, 1], [1, 2, 3]), f32([1, 2], [10, -1])]);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([10, -1, 20, -2, 30, -3]);
  });

  it('handles rank-0 scalars and zero-size tensors', () => {
    const s = run1('Sub', [f32([], [5]), f32([], [7])]);
    expect(s.shape).toEqual([]);
    expect(s.toArray()).toEqual([-2]);
    expect(run1('Sub', [f32([2], [5, 6]), f32([], [1])]).toArray()).toEqual([4, 5]);
    const z = run1('Add', [f32([0, 3], []), f32([3], [1, 2, 3])]);
    expect(z.shape).toEqual([0, 3]);
    expect(z.size).toBe(0);
  });

  it('rounds float32 results', () => {
    const y = run1('Div', [f32([1], [1]), f32([1], [3])]);
    expect(y.toArray()).toEqual([Math.fround(1 / 3)]);
    expect(y.toArray()[0]).not.toBe(1 / 3);
  });

  it('rounds float16 results to half precision', () => {
    // 1 + 2^-11 is exactly halfway between float16 1 and 1 + 2^-10: ties to even gives 1.
    const y = run1('Add', [Tensor.from('float16', [1], [1]), Tensor.from('float16', [1], [2 ** -11])]);
    expect(y.dtype).toBe('float16');
    expect(y.toArray()).toEqual([1]);
  });

  it('truncates integer Div toward zero like C', () => {
    const a = [7, -7, 7, -7, 1], b = [2, 2, -2, -2, 3];
    expect(run1('Div', [i32([5], a), i32([5], b)]).toArray()).toEqual([3, -3, -3, 3, 0]);
    const y = run1('Div', [i64([5], a), i64([5], b)]);
    expect(y.dtype).toBe('int64');
    expect(y.toArray()).toEqual([3, -3, -3, 3, 0]);
  });

  it('wraps int32 arithmetic and keeps int64 exact', () => {
    expect(run1('Add', [i32([1], [2147483647]), i32([1], [1])]).toArray()).toEqual([-2147483648]);
    expect(run1('Mul', [i64([1], [2 ** 40]), i64([1], [1000])]).toArray()).toEqual([2 ** 40 * 1000]);
  });

  it('computes Pow for floats, integers and mixed types', () => {
    expect(run1('Pow', [f32([3], [2, 9, -2]), f32([3], [3, 0.5, 2])]).toArray()).toEqual([8, 3, 4]);
    expect(run1('Pow', [i32([3], [2, 3, -3]), i32([3], [10, 2, 3])]).toArray()).toEqual([1024, 9, -27]);
    const mixed = run1('Pow', [i64([2], [4, 10]), f32([], [0.5])]);
    expect(mixed.dtype).toBe('int64');
    expect(mixed.toArray()).toEqual([2, 3]); // sqrt(10) = 3.16 truncates to 3
  });

  it('compares into bool tensors', () => {
    const a = f32([4], [1, 2, 3, NaN]), b = f32([], [2]);
    const eq = run1('Equal', [a, b]);
    expect(eq.dtype).toBe('bool');
    expect(eq.toArray()).toEqual([0, 1, 0, 0]);
    expect(run1('Less', [a, b]).toArray()).toEqual([1, 0, 0, 0]);
    expect(run1('Greater', [a, b]).toArray()).toEqual([0, 0, 1, 0]);
    expect(run1('Equal', [i64([3], [1, 2, 3]), i64([3], [1, 0, 3])]).toArray()).toEqual([1, 0, 1]);
  });

  it('folds variadic Max and Min with broadcasting', () => {
    const ins = [f32([2], [1, 5]), f32([], [3]), f32([2, 1], [0, 10])];
    const mx = run1('Max', ins);
    expect(mx.shape).toEqual([2, 2]);
    expect(mx.toArray()).toEqual([3, 5, 10, 10]);
    expect(run1('Min', ins).toArray()).toEqual([0, 0, 1, 3]);
    expect(run1('Max', [i32([2], [-4, 4])]).toArray()).toEqual([-4, 4]);
  });

  it('rejects shapes that do not broadcast, naming the node', () => {
    expect(() => run1('Add', [f32([2, 3], new Array(6).fill(0)), f32([4], [0, 0, 0, 0])]))
      .toThrow(UserError);
    expect(() => run1('Add', [f32([2, 3], new Array(6).fill(0)), f32([4], [0, 0, 0, 0])]))
      .toThrow(/test_Add.*do not broadcast/);
  });
});

describe('elementwise unary ops', () => {
  it('computes the float math functions', () => {
    expect(run1('Sqrt', [f32([], [4])]).toArray()).toEqual([2]);
    expect(run1('Reciprocal', [f32([2], [4, -0.5])]).toArray()).toEqual([0.25, -2]);
    expect(run1('Neg', [f32([2], [1.5, -2])]).toArray()).toEqual([-1.5, 2]);
    expect(run1('Exp', [f32([2], [0, 1])]).toArray()).toEqual([1, Math.fround(Math.E)]);
    expect(run1('Tanh', [f32([3], [0, 20, -20])]).toArray()).toEqual([0, 1, -1]);
    // sigmoid(ln 3) = 3/4; huge negative inputs underflow to 0 without NaN.
    expectClose(run1('Sigmoid', [f32([4], [0, Math.log(3), -1000, 1000])]), [0.5, 0.75, 0, 1]);
    expect(run1('Relu', [f32([3], [-1, 0, 2.5])]).toArray()).toEqual([0, 0, 2.5]);
    expect(run1('Relu', [i64([2], [-7, 7])]).toArray()).toEqual([0, 7]);
  });

  it('wraps Neg of the most negative int8', () => {
    expect(run1('Neg', [Tensor.from('int8', [2], [-128, 5])]).toArray()).toEqual([-128, -5]);
  });

  it('computes Erf accurately', () => {
    // Reference values of erf from tables (to 16 digits).
    const x = [0, 0.1, 0.5, 1, -2, 3, 5];
    const ref = [0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149,
      -0.9953222650189527, 0.9999779095030014, 0.9999999999984626];
    const y = run1('Erf', [Tensor.from('float64', [7], x)]).toArray();
    y.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(ref[i]))));
    expect(run1('Erf', [f32([2], [0.5, 1])]).toArray()).toEqual([Math.fround(ref[2]), Math.fround(ref[3])]);
  });

  it('rejects integer input to float-only ops', () => {
    expect(() => run1('Sqrt', [i32([1], [4])])).toThrow(/does not accept int32/);
    expect(() => infer('Exp', [vt('int64', [2])])).toThrow(UserError);
  });

  it('negates bool with Not', () => {
    const y = run1('Not', [Tensor.from('bool', [3], [1, 0, 1])]);
    expect(y.dtype).toBe('bool');
    expect(y.toArray()).toEqual([0, 1, 0]);
  });

  it('clips with optional min and max inputs', () => {
    const x = f32([4], [-2, 0.5, 3, 0.25]);
    expect(run1('Clip', [x, f32([], [0]), f32([], [1])]).toArray()).toEqual([0, 0.5, 1, 0.25]);
    expect(run1('Clip', [x, undefined, f32([], [1])]).toArray()).toEqual([-2, 0.5, 1, 0.25]);
    expect(run1('Clip', [x, f32([], [0])]).toArray()).toEqual([0, 0.5, 3, 0.25]);
    expect(run1('Clip', [x]).toArray()).toEqual([-2, 0.5, 3, 0.25]);
    // min > max: everything becomes max.
    expect(run1('Clip', [x, f32([], [2]), f32([], [1])]).toArray()).toEqual([1, 1, 1, 1]);
    expect(run1('Clip', [i64([3], [-5, 5, 50]), i64([], [0]), i64([], [10])]).toArray()).toEqual([0, 5, 10]);
  });

  it('also reads Clip-6 min/max attributes', () => {
    expect(run1('Clip', [f32([3], [-2, 0.5, 3])], { min: -1, max: 1 }, 6).toArray()).toEqual([-1, 0.5, 1]);
  });
});

describe('Where, Cast, Identity', () => {
  it('broadcasts the three Where inputs', () => {
    const cond = Tensor.from('bool', [2, 1], [1, 0]);
    const y = run1('Where', [cond, f32([3], [1, 2, 3]), f32([], [-1])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([1, 2, 3, -1, -1, -1]);
  });

  it('casts float to int8 by truncation toward zero', () => {
    const y = run1('Cast', [f32([5], [1.9, -1.9, 127.5, -0.5, 0])], { to: 3 });
    expect(y.dtype).toBe('int8');
    expect(y.toArray()).toEqual([1, -1, 127, 0, 0]);
  });

  it('casts between other types', () => {
    expect(run1('Cast', [f32([3], [0, 2, -0.25])], { to: 9 }).toArray()).toEqual([0, 1, 1]);
    expect(run1('Cast', [i64([2], [3, -4])], { to: 1 }).dtype).toBe('float32');
    // float16 has 11 significant bits: 2049 is a tie between 2048 and 2050, to even: 2048.
    expect(run1('Cast', [i64([2], [2049, 2051])], { to: 10 }).toArray()).toEqual([2048, 2052]);
    expect(run1('Cast', [Tensor.from('float64', [1], [0.1])], { to: 1 }).toArray()).toEqual([Math.fround(0.1)]);
    expect(run1('Cast', [f32([2], [-1, 3.7])], { to: 7 }).toArray()).toEqual([-1, 3]);
    expect(run1('Cast', [i32([1], [-1])], { to: 12 }).toArray()).toEqual([4294967295]);
    expect(run1('Cast', [f32([], [2.5])], { to: 6 }).shape).toEqual([]);
    expect(() => run1('Cast', [f32([1], [1])], { to: 8 })).toThrow(/STRING/);
  });

  it('passes Identity through', () => {
    const x = i64([2], [1, 2]);
    expect(run1('Identity', [x])).toBe(x);
  });
});

describe('elementwise inference', () => {
  it('broadcasts symbolic dims', () => {
    expect(infer('Add', [vt('float32', ['sequence', 1]), vt('float32', [1, 32])]))
      .toEqual([vt('float32', ['sequence', 32])]);
    expect(infer('Mul', [vt('float32', ['batch', 'seq', 768]), vt('float32', [768])]))
      .toEqual([vt('float32', ['batch', 'seq', 768])]);
    expect(infer('Add', [vt('float32', ['a']), vt('float32', ['b'])])).toEqual([vt('float32', ['?'])]);
    expect(infer('Sub', [vt('float32', ['n']), vt('float32', [4])])).toEqual([vt('float32', [4])]);
  });

  it('returns bool for comparisons and the value type for Where and Cast', () => {
    expect(infer('Less', [vt('int64', ['s']), vt('int64', [])])).toEqual([vt('bool', ['s'])]);
    expect(infer('Where', [vt('bool', [1, 1, 's', 's']), vt('float32', []), vt('float32', ['b', 12, 's', 's'])]))
      .toEqual([vt('float32', ['b', 12, 's', 's'])]);
    expect(infer('Cast', [vt('float32', ['s', 3])], { to: 7 })).toEqual([vt('int64', ['s', 3])]);
    expect(infer('Max', [vt('float32', [2, 1]), vt('float32', ['n']), vt('float32', [])]))
      .toEqual([vt('float32', [2, 'n'])]);
  });

  it('rejects mismatched element types', () => {
    expect(() => infer('Add', [vt('float32', [2]), vt('int64', [2])])).toThrow(/element type/);
    expect(() => infer('Where', [vt('float32', [2]), vt('float32', [2]), vt('float32', [2])])).toThrow(/bool/);
  });
});

describe('reductions', () => {
  const x = f32([2, 2], [1, 2, 3, 4]);

  it('ReduceMean with axes as attribute (opset 13) and as input (opset 18) agree', () => {
    const attr = run1('ReduceMean', [x], { axes: [1] }, 13);
    const input = run1('ReduceMean', [x, i64([1], [1])], {}, 18);
    for (const y of [attr, input]) {
      expect(y.shape).toEqual([2, 1]);
      expect(y.toArray()).toEqual([1.5, 3.5]);
    }
    const flat = run1('ReduceMean', [x, i64([1], [-1])], { keepdims: 0 }, 18);
    expect(flat.shape).toEqual([2]);
    expect(flat.toArray()).toEqual([1.5, 3.5]);
  });

  it('ReduceSum over given, empty and no axes', () => {
    expect(run1('ReduceSum', [x, i64([1], [0])], { keepdims: 0 }).toArray()).toEqual([4, 6]);
    const all = run1('ReduceSum', [x]);
    expect(all.shape).toEqual([1, 1]);
    expect(all.toArray()).toEqual([10]);
    const none = run1('ReduceSum', [x, i64([0], [])], { keepdims: 0 });
    expect(none.shape).toEqual([]);
    expect(none.toArray()).toEqual([10]);
    expect(run1('ReduceSum', [x, i64([0], [])], { noop_with_empty_axes: 1 }).toArray()).toEqual([1, 2, 3, 4]);
    expect(run1('ReduceSum', [i64([3], [1, 2, 3])], { keepdims: 0 }).toArray()).toEqual([6]);
  });

  it('ReduceMax over the middle axis of a 3-D tensor', () => {
    // [[[1,8],[5,2],[3,3]], [[0,-1],[-2,7],[9,4]]] over axis 1
    const t = f32([2, 3, 2], [1, 8, 5, 2, 3, 3, 0, -1, -2, 7, 9, 4]);
    const y = run1('ReduceMax', [t], { axes: [1], keepdims: 0 }, 13);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([5, 8, 9, 7]);
    expect(run1('ReduceMax', [t, i64([2], [0, 2])], {}, 18).toArray()).toEqual([8, 7, 9]);
  });

  it('accumulates in float64 and rounds once', () => {
    // Summing 2^24 and 1 (x4) in float32 steps would lose every 1.
    const y = run1('ReduceSum', [f32([5], [2 ** 24, 1, 1, 1, 1])], { keepdims: 0 });
    expect(y.toArray()).toEqual([2 ** 24 + 4]);
  });

  it('handles scalars and zero-size inputs', () => {
    expect(run1('ReduceMean', [f32([], [3])]).toArray()).toEqual([3]);
    const z = run1('ReduceSum', [f32([0, 3], [])], { axes: [0] }, 13);
    expect(z.shape).toEqual([1, 3]);
    expect(z.toArray()).toEqual([0, 0, 0]);
    expect(run1('ReduceSum', [f32([3, 0], [])], { axes: [0] }, 13).shape).toEqual([1, 0]);
  });

  it('infers symbolic shapes', () => {
    const t = vt('float32', ['batch', 'seq', 768]);
    expect(infer('ReduceMean', [t], { axes: [-1] }, [], 13)).toEqual([vt('float32', ['batch', 'seq', 1])]);
    expect(infer('ReduceMean', [t, vt('int64', [1])], { keepdims: 0 }, [undefined, i64([1], [1])], 18))
      .toEqual([vt('float32', ['batch', 768])]);
    expect(infer('ReduceSum', [t, vt('int64', [1])], {}, [])).toEqual([vt('float32', ['?', '?', '?'])]);
    expect(() => infer('ReduceSum', [t, vt('int64', [1])], { keepdims: 0 }, [])).toThrow(/constant axes/);
    expect(() => infer('ReduceSum', [t], { axes: [3] }, [], 13)).toThrow(/out of range/);
  });
});

describe('MatMul', () => {
  it('multiplies 2-D matrices', () => {
    const y = run1('MatMul', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3, 2], [7, 8, 9, 10, 11, 12])]);
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([58, 64, 139, 154]);
  });

  it('broadcasts batch dims', () => {
    // A: [2,1,2,2] = [I, 2I]; B: [3,2,2] = three matrices; out[p][q] = (p+1) * B[q].
    const a = f32([2, 1, 2, 2], [1, 0, 0, 1, 2, 0, 0, 2]);
    const bv = [1, 2, 3, 4, 5, 6, 7, 8, -1, 0, 0, -1];
    const y = run1('MatMul', [a, f32([3, 2, 2], bv)]);
    expect(y.shape).toEqual([2, 3, 2, 2]);
    expect(y.toArray()).toEqual([...bv, ...bv.map((v) => 2 * v)]);
  });

  it('follows numpy for 1-D operands', () => {
    const v = f32([3], [1, 2, 3]);
    const dot = run1('MatMul', [v, f32([3], [4, 5, 6])]);
    expect(dot.shape).toEqual([]);
    expect(dot.toArray()).toEqual([32]);
    const left = run1('MatMul', [v, f32([3, 2], [1, 0, 0, 1, 1, 1])]);
    expect(left.shape).toEqual([2]);
    expect(left.toArray()).toEqual([4, 5]);
    const right = run1('MatMul', [f32([2, 3], [1, 0, 0, 1, 1, 1]), v]);
    expect(right.shape).toEqual([2]);
    expect(right.toArray()).toEqual([1, 6]); // rows [1,0,0] and [1,1,1]
    const batched = run1('MatMul', [v, f32([2, 3, 1], [1, 1, 1, 0, 0, 1])]);
    expect(batched.shape).toEqual([2, 1]);
    expect(batched.toArray()).toEqual([6, 3]);
  });

  it('agrees with a naive product on shapes that exercise every kernel path', () => {
    // M = 6 (one 4-row block + 2 single rows), K = 5 (odd), values small integers: exact.
    const M = 6, K = 5, N = 7;
    const av = Array.from({ length: M * K }, (_, i) => (i * 7) % 11 - 5);
    const bv = Array.from({ length: K * N }, (_, i) => (i * 5) % 13 - 6);
    const expected: number[] = [];
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += av[i * K + k] * bv[k * N + j];
        expected.push(s);
      }
    }
    expect(run1('MatMul', [f32([M, K], av), f32([K, N], bv)]).toArray()).toEqual(expected);
    expect(run1('MatMul', [i64([M, K], av), i64([K, N], bv)]).toArray()).toEqual(expected);
    // Same product through Gemm with both operands stored transposed.
    const at = Array.from({ length: K * M }, (_, i) => av[(i % M) * K + Math.floor(i / M)]);
    const bt = Array.from({ length: N * K }, (_, i) => bv[(i % K) * N + Math.floor(i / K)]);
    expect(run1('Gemm', [f32([K, M], at), f32([N, K], bt)], { transA: 1, transB: 1 }).toArray()).toEqual(expected);
  });

  it('handles zero-size dims', () => {
    const y = run1('MatMul', [f32([0, 3], []), f32([3, 2], [1, 2, 3, 4, 5, 6])]);
    expect(y.shape).toEqual([0, 2]);
    const k0 = run1('MatMul', [f32([2, 0], []), f32([0, 2], [])]);
    expect(k0.shape).toEqual([2, 2]);
    expect(k0.toArray()).toEqual([0, 0, 0, 0]);
  });

  it('infers symbolic shapes and checks inner dims', () => {
    expect(infer('MatMul', [vt('float32', ['batch', 'seq', 768]), vt('float32', [768, 3072])]))
      .toEqual([vt('float32', ['batch', 'seq', 3072])]);
    expect(infer('MatMul', [vt('float32', [1, 12, 'seq', 64]), vt('float32', [1, 12, 64, 'seq'])]))
      .toEqual([vt('float32', [1, 12, 'seq', 'seq'])]);
    expect(infer('MatMul', [vt('float32', [768]), vt('float32', ['n', 768, 2])]))
      .toEqual([vt('float32', ['n', 2])]);
    expect(() => infer('MatMul', [vt('float32', [2, 3]), vt('float32', [4, 2])])).toThrow(/inner dimensions/);
  });
});

describe('Gemm', () => {
  const a = f32([2, 2], [1, 2, 3, 4]);
  const bt = f32([3, 2], [1, 0, 0, 1, 1, 1]); // B stored as [N, K]

  it('computes A·Bᵀ with transB', () => {
    const y = run1('Gemm', [a, bt], { transB: 1 });
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([1, 2, 3, 3, 4, 7]);
  });

  it('applies alpha, beta and a broadcast C', () => {
    // 2 * [[1,2,3],[3,4,7]] + 0.5 * [10,20,30]
    const y = run1('Gemm', [a, bt, f32([3], [10, 20, 30])], { transB: 1, alpha: 2, beta: 0.5 });
    expect(y.toArray()).toEqual([7, 14, 21, 11, 18, 29]);
    const col = run1('Gemm', [a, bt, f32([2, 1], [100, 200])], { transB: 1 });
    expect(col.toArray()).toEqual([101, 102, 103, 203, 204, 207]);
    const scalarC = run1('Gemm', [a, bt, f32([], [1])], { transB: 1 });
    expect(scalarC.toArray()).toEqual([2, 3, 4, 4, 5, 8]);
  });

  it('computes Aᵀ·B with transA', () => {
    // Aᵀ = [[1,3],[2,4]]; times I = Aᵀ
    expect(run1('Gemm', [a, f32([2, 2], [1, 0, 0, 1])], { transA: 1 }).toArray()).toEqual([1, 3, 2, 4]);
  });

  it('infers [M, N] and rejects a C that does not broadcast', () => {
    expect(infer('Gemm', [vt('float32', ['n', 768]), vt('float32', [2304, 768]), vt('float32', [2304])], { transB: 1 }))
      .toEqual([vt('float32', ['n', 2304])]);
    expect(() => run1('Gemm', [a, bt, f32([2], [1, 2])], { transB: 1 })).toThrow(/broadcast/);
  });
});

describe('Softmax', () => {
  it('normalizes the last axis by default', () => {
    // exp(0) : exp(ln 2) : exp(ln 3) = 1 : 2 : 3
    const y = run1('Softmax', [f32([2, 3], [0, Math.log(2), Math.log(3), 5, 5, 5])]);
    expectClose(y, [1 / 6, 1 / 3, 1 / 2, 1 / 3, 1 / 3, 1 / 3]);
    const rowSums = [0, 1].map((r) => y.toArray().slice(3 * r, 3 * r + 3).reduce((s, v) => s + v, 0));
    rowSums.forEach((s) => expect(s).toBeCloseTo(1, 6));
  });

  it('is stable for large inputs and honors axis', () => {
    expect(run1('Softmax', [f32([2], [1000, 1000])]).toArray()).toEqual([0.5, 0.5]);
    const y = run1('Softmax', [f32([2, 2], [0, 0, Math.log(3), 0])], { axis: 0 });
    expectClose(y, [0.25, 0.5, 0.75, 0.5]);
  });

  it('uses the flattening semantics before opset 13', () => {
    const y = run1('Softmax', [f32([2, 2], [0, 0, 0, 0])], { axis: 0 }, 11);
    expect(y.toArray()).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('handles zero-size tensors and infers the input type', () => {
    expect(run1('Softmax', [f32([0, 4], [])]).shape).toEqual([0, 4]);
    expect(infer('Softmax', [vt('float32', ['b', 12, 's', 's'])])).toEqual([vt('float32', ['b', 12, 's', 's'])]);
  });
});

describe('LayerNormalization', () => {
  it('normalizes a known vector with scale and bias', () => {
    // x = [1,2,3,4]: mean 2.5, variance 1.25, 1/sqrt(1.25) = 0.894427191
    const [y, mean, inv] = run(
      'LayerNormalization', [f32([1, 4], [1, 2, 3, 4]), f32([4], [1, 2, 1, 1]), f32([4], [0, 0, 0, 1])],
      { epsilon: 0 }, 17, 3,
    );
    expect(y.shape).toEqual([1, 4]);
    expectClose(y, [-1.3416407865, -0.894427191, 0.4472135955, 2.3416407865]);
    expect(mean.shape).toEqual([1, 1]);
    expect(mean.toArray()).toEqual([2.5]);
    expectClose(inv, [0.894427191]);
  });

  it('uses epsilon 1e-5 by default and normalizes each row', () => {
    // Row 1: inv = 1/sqrt(1.25 + 1e-5) = 0.8944236; row 2 is constant: y = bias, inv = 1/sqrt(1e-5).
    const out = run(
      'LayerNormalization', [f32([2, 4], [1, 2, 3, 4, 5, 5, 5, 5]), f32([4], [1, 1, 1, 1]), f32([4], [0, 0, 0, 1])],
      {}, 17, 3,
    );
    expect(out).toHaveLength(3);
    expectClose(out[0], [-1.5 * 0.8944236, -0.5 * 0.8944236, 0.5 * 0.8944236, 1.5 * 0.8944236 + 1, 0, 0, 0, 1], 5);
    expectClose(out[2], [0.8944236, 316.227766], 3);
    expect(out[1].toArray()).toEqual([2.5, 5]);
  });

  it('normalizes over several trailing axes without bias', () => {
    // axis 1 of [1,2,2]: all four values form one group.
    const [y] = run('LayerNormalization', [f32([1, 2, 2], [1, 2, 3, 4]), f32([2, 2], [1, 1, 1, 1])], { axis: 1, epsilon: 0 });
    expectClose(y, [-1.3416407865, -0.4472135955, 0.4472135955, 1.3416407865]);
  });

  it('returns only the outputs the node lists', () => {
    const ys = run('LayerNormalization', [f32([3], [1, 2, 3]), f32([3], [1, 1, 1])]);
    expect(ys).toHaveLength(1);
  });

  it('infers Y and the stash-typed statistics', () => {
    const types = infer('LayerNormalization', [vt('float16', ['b', 's', 768]), vt('float16', [768]), vt('float16', [768])],
      {}, [], 17, 3);
    expect(types).toEqual([
      vt('float16', ['b', 's', 768]), vt('float32', ['b', 's', 1]), vt('float32', ['b', 's', 1]),
    ]);
  });
});
