/**
 * Elementwise ops: numpy-broadcasting binary arithmetic and comparisons,
 * unary math, Clip, variadic Max/Min, Where, Cast and Identity.
 *
 * Values are computed in float64 and stored through resultConverter, so a
 * float32 result is the correctly rounded float32 of the exact value
 * (float16 likewise), and integer results truncate and wrap like C.
 */
import { ValueType } from '../graph.js';
import { DType, FLOAT_TYPES, Tensor, dtypeFromOnnx, onnxDtypeName } from '../tensor.js';
import {
  OpCall, OpDef, broadcastDims, broadcastShapes, broadcastStrides, forEachRow, required,
  resultConverter, rowStep,
} from './op.js';
import { registerOp } from './registry.js';
import { ALL, BOOL, FLOATS, NUMERIC, OpSchema, SIGNED, WIDE_NUMERIC, schema } from './schema.js';

type Fn1 = (x: number) => number;
type Fn2 = (a: number, b: number) => number;

// ---------------------------------------------------------------- broadcasting

function rowLength(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/** `f` applied elementwise over the numpy broadcast of `a` and `b`. */
export function broadcastBinary(call: OpCall, a: Tensor, b: Tensor, outDtype: DType, f: Fn2): Tensor {
  const shape = broadcastShapes(call, [a.shape, b.shape]);
  const out = Tensor.zeros(outDtype, shape);
  const conv = resultConverter(outDtype);
  const x = a.data, y = b.data, o = out.data;
  if (x.length === o.length && y.length === o.length) {
    for (let i = 0; i < o.length; i++) o[i] = conv(f(x[i], y[i]));
    return out;
  }
  const sa = broadcastStrides(a.shape, shape), sb = broadcastStrides(b.shape, shape);
  const len = rowLength(shape), stepA = rowStep(sa), stepB = rowStep(sb);
  forEachRow(shape, [sa, sb], (start, offs) => {
    const offA = offs[0], offB = offs[1];
    for (let j = 0; j < len; j++) o[start + j] = conv(f(x[offA + j * stepA], y[offB + j * stepB]));
  });
  return out;
}

/** `f` applied elementwise; output has the input's shape and `outDtype`. */
function mapUnary(t: Tensor, outDtype: DType, f: Fn1): Tensor {
  const out = Tensor.zeros(outDtype, t.shape);
  const conv = resultConverter(outDtype);
  const x = t.data, o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = conv(f(x[i]));
  return out;
}

// ---------------------------------------------------------------- type checks

function isFloat(dtype: DType): boolean {
  return FLOAT_TYPES.has(dtype);
}

function requireSameDtype(call: OpCall, types: readonly { dtype: DType }[]): DType {
  const d = types[0].dtype;
  for (const t of types) {
    if (t.dtype !== d) call.fail(`inputs must share one element type, got ${d} and ${t.dtype}`);
  }
  return d;
}

function requireFloat(call: OpCall, dtype: DType): void {
  if (!isFloat(dtype)) call.fail(`expects a float tensor, got ${dtype}`);
}

function requireBool(call: OpCall, dtype: DType): void {
  if (dtype !== 'bool') call.fail(`expects a bool tensor, got ${dtype}`);
}

// ---------------------------------------------------------------- binary ops

interface BinarySpec {
  /** Scalar function for float element types. */
  float: Fn2;
  /** Scalar function for integer and bool element types (defaults to `float`). */
  int?: Fn2;
  /** Output is bool (comparisons) rather than the input type. */
  compare?: boolean;
  /** Inputs may differ in type; the output takes the first input's (Pow). */
  mixedTypes?: boolean;
  schema: OpSchema[];
}

/** Integer division truncates toward zero; division by zero yields 0 (C leaves it undefined). */
const intDiv: Fn2 = (a, b) => (b === 0 ? 0 : Math.trunc(a / b));

/** Add, Sub, Mul, Div: opset 14 added the 8- and 16-bit integers. */
const ARITHMETIC = [schema(13, 'T T', 'T', { T: WIDE_NUMERIC }), schema(14, 'T T', 'T', { T: NUMERIC })];
const COMPARISON = [schema(13, 'T T', 'T1', { T: NUMERIC, T1: BOOL })];

const BINARY: Record<string, BinarySpec> = {
  Add: { float: (a, b) => a + b, schema: ARITHMETIC },
  Sub: { float: (a, b) => a - b, schema: ARITHMETIC },
  Mul: { float: (a, b) => a * b, schema: ARITHMETIC },
  Div: { float: (a, b) => a / b, int: intDiv, schema: ARITHMETIC },
  Pow: { float: Math.pow, mixedTypes: true, schema: [schema(13, 'T T1', 'T', { T: ['int32', 'int64', ...FLOATS], T1: NUMERIC })] },
  Equal: { float: (a, b) => (a === b ? 1 : 0), compare: true, schema: [schema(13, 'T T', 'T1', { T: ALL, T1: BOOL })] },
  Less: { float: (a, b) => (a < b ? 1 : 0), compare: true, schema: COMPARISON },
  Greater: { float: (a, b) => (a > b ? 1 : 0), compare: true, schema: COMPARISON },
};

function binaryOp(spec: BinarySpec): OpDef {
  const outDtype = (t: DType): DType => (spec.compare ? 'bool' : t);
  return {
    infer(call, ins) {
      const a = required(call, ins, 0), b = required(call, ins, 1);
      if (!spec.mixedTypes) requireSameDtype(call, [a, b]);
      return [{ dtype: outDtype(a.dtype), shape: broadcastDims(call, a.shape, b.shape) }];
    },
    execute(call, ins) {
      const a = required(call, ins, 0), b = required(call, ins, 1);
      if (!spec.mixedTypes) requireSameDtype(call, [a, b]);
      const f = isFloat(a.dtype) ? spec.float : spec.int ?? spec.float;
      return [broadcastBinary(call, a, b, outDtype(a.dtype), f)];
    },
    schema: spec.schema,
  };
}

/** Max and Min: one or more inputs, all broadcast together. */
function variadicOp(f: Fn2): OpDef {
  const signature = [schema(13, 'T...', 'T', { T: NUMERIC })];
  return {
    infer(call, ins) {
      const types = present(call, ins);
      const dtype = requireSameDtype(call, types);
      return [{ dtype, shape: types.map((t) => t.shape).reduce((acc, s) => broadcastDims(call, acc, s)) }];
    },
    execute(call, ins) {
      const ts = present(call, ins);
      requireSameDtype(call, ts);
      return [ts.reduce((acc, t) => broadcastBinary(call, acc, t, acc.dtype, f))];
    },
    schema: signature,
  };
}

function present<T>(call: OpCall, ins: (T | undefined)[]): T[] {
  const xs = ins.filter((x): x is T => x !== undefined);
  if (xs.length === 0) call.fail('needs at least one input');
  return xs;
}

// ---------------------------------------------------------------- unary ops

interface UnarySpec {
  float: Fn1;
  /** Scalar function for integer types; absent when the op takes floats only. */
  int?: Fn1;
  schema: OpSchema[];
}

const sigmoid: Fn1 = (x) => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

const unarySchema = (since: number, types: readonly DType[]) => schema(since, 'T', 'T', { T: types });
const FLOAT_ONLY = [unarySchema(13, FLOATS)];
const SIGNED_OR_FLOAT = [...SIGNED, ...FLOATS];

const UNARY: Record<string, UnarySpec> = {
  Sqrt: { float: Math.sqrt, schema: FLOAT_ONLY },
  Reciprocal: { float: (x) => 1 / x, schema: FLOAT_ONLY },
  Neg: { float: (x) => -x, int: (x) => -x, schema: [unarySchema(13, SIGNED_OR_FLOAT)] },
  Exp: { float: Math.exp, schema: FLOAT_ONLY },
  Erf: { float: erf, int: erf, schema: [unarySchema(13, NUMERIC)] },
  Tanh: { float: Math.tanh, schema: FLOAT_ONLY },
  Sigmoid: { float: sigmoid, schema: FLOAT_ONLY },
  Relu: {
    float: (x) => (x > 0 || Number.isNaN(x) ? x : 0), int: (x) => (x > 0 ? x : 0),
    schema: [unarySchema(13, FLOATS), unarySchema(14, SIGNED_OR_FLOAT)],
  },
};

function unaryOp(spec: UnarySpec): OpDef {
  const pick = (call: OpCall, dtype: DType): Fn1 => {
    if (isFloat(dtype)) return spec.float;
    if (!spec.int || dtype === 'bool') call.fail(`does not accept ${dtype} tensors`);
    return spec.int;
  };
  return {
    infer(call, ins) {
      const x = required(call, ins, 0);
      pick(call, x.dtype);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    execute(call, ins) {
      const x = required(call, ins, 0);
      return [mapUnary(x, x.dtype, pick(call, x.dtype))];
    },
    schema: spec.schema,
  };
}

// ---------------------------------------------------------------- Erf

// W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969), as in his CALERF routine; float64 accuracy.
const ERF_A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const ERF_B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const ERF_C = [
  5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
  8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
  2.15311535474403846e-8,
];
const ERF_D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
  3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];
const ERF_P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const ERF_Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const INV_SQRT_PI = 5.6418958354775628695e-1;

/** The error function, accurate to a few float64 ulps. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) {
    const z = y > 1.11e-16 ? y * y : 0;
    let num = ERF_A[4] * z, den = z;
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]) * z;
      den = (den + ERF_B[i]) * z;
    }
    return (x * (num + ERF_A[3])) / (den + ERF_B[3]);
  }
  const complement = y >= 26.543 ? 0 : scaledErfc(y) * expMinusSquare(y);
  const r = 0.5 - complement + 0.5;
  return x < 0 ? -r : r;
}

/** erfc(y) * exp(y²) for y > 0.46875. */
function scaledErfc(y: number): number {
  if (y <= 4) {
    let num = ERF_C[8] * y, den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]) * y;
      den = (den + ERF_D[i]) * y;
    }
    return (num + ERF_C[7]) / (den + ERF_D[7]);
  }
  const z = 1 / (y * y);
  let num = ERF_P[5] * z, den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + ERF_P[i]) * z;
    den = (den + ERF_Q[i]) * z;
  }
  const r = (z * (num + ERF_P[4])) / (den + ERF_Q[4]);
  return (INV_SQRT_PI - r) / y;
}

/** exp(-y²) without the rounding error of forming y² directly. */
function expMinusSquare(y: number): number {
  const hi = Math.trunc(y * 16) / 16;
  const del = (y - hi) * (y + hi);
  return Math.exp(-hi * hi) * Math.exp(-del);
}

// ---------------------------------------------------------------- other ops

/** Clip-11+: optional scalar inputs min and max (attributes before opset 11). */
const clip: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    requireSameDtype(call, ins.filter((t): t is ValueType => t !== undefined));
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    const lo = clipBound(call, ins[1], 'min', -Infinity);
    const hi = clipBound(call, ins[2], 'max', Infinity);
    // min(max(x, lo), hi): every value becomes hi when lo > hi, as in ONNX.
    return [mapUnary(x, x.dtype, (v) => Math.min(Math.max(v, lo), hi))];
  },
  schema: [schema(13, 'T T? T?', 'T', { T: NUMERIC })],
};

function clipBound(call: OpCall, t: Tensor | undefined, attr: string, fallback: number): number {
  if (t) {
    if (t.size !== 1) call.fail(`${attr} must be a scalar, got shape [${t.shape.join(', ')}]`);
    return t.data[0];
  }
  return call.has(attr) ? call.float(attr) : fallback;
}

const not: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    requireBool(call, x.dtype);
    return [{ dtype: 'bool', shape: [...x.shape] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    requireBool(call, x.dtype);
    return [mapUnary(x, 'bool', (v) => (v ? 0 : 1))];
  },
  schema: [schema(1, 'T', 'T', { T: BOOL })],
};

const where: OpDef = {
  infer(call, ins) {
    const c = required(call, ins, 0), x = required(call, ins, 1), y = required(call, ins, 2);
    requireBool(call, c.dtype);
    const dtype = requireSameDtype(call, [x, y]);
    return [{ dtype, shape: broadcastDims(call, broadcastDims(call, c.shape, x.shape), y.shape) }];
  },
  execute(call, ins) {
    const c = required(call, ins, 0), x = required(call, ins, 1), y = required(call, ins, 2);
    requireBool(call, c.dtype);
    const dtype = requireSameDtype(call, [x, y]);
    const shape = broadcastShapes(call, [c.shape, x.shape, y.shape]);
    const out = Tensor.zeros(dtype, shape);
    const strides = [c.shape, x.shape, y.shape].map((s) => broadcastStrides(s, shape));
    const [sc, sx, sy] = strides.map(rowStep);
    const len = rowLength(shape), cd = c.data, xd = x.data, yd = y.data, o = out.data;
    forEachRow(shape, strides, (start, offs) => {
      for (let j = 0; j < len; j++) {
        o[start + j] = cd[offs[0] + j * sc] ? xd[offs[1] + j * sx] : yd[offs[2] + j * sy];
      }
    });
    return [out];
  },
  schema: [schema(9, 'B T T', 'T', { B: BOOL, T: ALL })],
};

function castTarget(call: OpCall): DType {
  const code = call.int('to');
  return dtypeFromOnnx(code) ?? call.fail(`cannot cast to ${onnxDtypeName(code)}`);
}

/** Cast: float to integer truncates toward zero and wraps; anything nonzero is true. */
const cast: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    return [{ dtype: castTarget(call), shape: [...x.shape] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0);
    return [mapUnary(x, castTarget(call), (v) => v)];
  },
  schema: [13, 19].map((since) => schema(since, 'T1', 'T2', { T1: ALL, T2: ALL }, {
    to: 'int!', ...(since >= 19 ? { saturate: 'int' } : {}),
  }, { outputTypes: (a) => ({ T2: typeof a.to === 'number' ? dtypeFromOnnx(a.to) : undefined }) })),
};

const identity: OpDef = {
  infer(call, ins) {
    const x = required(call, ins, 0);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  execute(call, ins) {
    return [required(call, ins, 0)];
  },
  schema: [schema(13, 'V', 'V', { V: ALL })],
};

// ---------------------------------------------------------------- registration

for (const [name, spec] of Object.entries(BINARY)) registerOp(name, binaryOp(spec));
for (const [name, spec] of Object.entries(UNARY)) registerOp(name, unaryOp(spec));
registerOp('Max', variadicOp(Math.max));
registerOp('Min', variadicOp(Math.min));
registerOp('Clip', clip);
registerOp('Not', not);
registerOp('Where', where);
registerOp('Cast', cast);
registerOp('Identity', identity);
