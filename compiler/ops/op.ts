/**
 * The contract every supported op implements: type/shape inference (used by
 * the frontend, with symbolic dims) and float32 golden execution.
 */
import { AttrValue, Attrs, Dim, Node, ValueType, describeNode } from '../graph.js';
import { UserError } from '../errors.js';
import { DType, Tensor, castValue, sizeOf, stridesOf } from '../tensor.js';
import { OpSchema } from './schema.js';

/** One node being inferred or executed: its attributes, opset and error reporting. */
export class OpCall {
  constructor(readonly node: Node, readonly opset: number) {}

  get attrs(): Attrs { return this.node.attrs; }

  has(name: string): boolean { return name in this.node.attrs; }

  int(name: string, fallback?: number): number {
    const v = this.node.attrs[name];
    if (v === undefined) return fallback ?? this.fail(`missing attribute '${name}'`);
    if (typeof v !== 'number') this.fail(`attribute '${name}' must be an int`);
    return v;
  }

  float(name: string, fallback?: number): number { return this.int(name, fallback); }

  ints(name: string, fallback?: number[]): number[] {
    const v: AttrValue | undefined = this.node.attrs[name];
    if (v === undefined) return fallback ?? this.fail(`missing attribute '${name}'`);
    if (!Array.isArray(v)) this.fail(`attribute '${name}' must be a list of ints`);
    return (v as unknown[]).map(Number);
  }

  string(name: string, fallback?: string): string {
    const v = this.node.attrs[name];
    if (v === undefined) return fallback ?? this.fail(`missing attribute '${name}'`);
    if (typeof v !== 'string') this.fail(`attribute '${name}' must be a string`);
    return v;
  }

  tensor(name: string): Tensor | undefined {
    const v = this.node.attrs[name];
    return v instanceof Tensor ? v : undefined;
  }

  fail(message: string): never {
    throw new UserError(`${describeNode(this.node)}: ${message}`);
  }
}

export interface OpDef {
  /**
   * Output types. `ins[i]` is undefined for an omitted optional input;
   * `consts[i]` holds the input's value when it is a known constant (shape
   * inputs of Reshape, Slice, Expand ... are, once dims are bound). Unknown
   * output dims are '?'.
   */
  infer(call: OpCall, ins: (ValueType | undefined)[], consts: (Tensor | undefined)[]): ValueType[];
  /** float32 golden semantics; `ins[i]` is undefined for an omitted optional input. */
  execute(call: OpCall, ins: (Tensor | undefined)[]): Tensor[];
  /**
   * The ONNX signature, one entry per version (ascending `since`), checked
   * when a model loads; absent for llm2hls's own kernels (llm.*), which no
   * model file may use.
   */
  schema?: readonly OpSchema[];
}

/** Numpy-style broadcast of two shapes that may hold symbolic dims. */
export function broadcastDims(call: OpCall, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x === y) out.push(x);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (typeof x === 'number' && typeof y === 'number') {
      call.fail(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    } else if (typeof x === 'number') out.push(x);
    else if (typeof y === 'number') out.push(y);
    else if (x === '?') out.push(y); // a named dim is more useful than an unknown one
    else if (y === '?') out.push(x);
    else out.push('?');
  }
  return out;
}

/** Broadcast of any number of static shapes. */
export function broadcastShapes(call: OpCall, shapes: readonly (readonly number[])[]): number[] {
  return shapes.reduce<number[]>((acc, s) => broadcastDims(call, acc, s) as number[], []);
}

/** Normalizes a possibly negative axis against a rank, failing when out of range. */
export function normAxis(call: OpCall, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) call.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Reads a small integer tensor (shape, axes, starts ...) as plain numbers. */
export function intsOf(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

/** Requires an input to be present. */
export function required<T>(call: OpCall, ins: (T | undefined)[], i: number): T {
  const v = ins[i];
  if (v === undefined) call.fail(`input ${i} is required`);
  return v;
}

/**
 * Strides of a tensor of shape `inShape` read as if broadcast to `outShape`:
 * aligned to the output's rank, 0 along dims the input repeats.
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const lead = outShape.length - inShape.length;
  const own = stridesOf(inShape);
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : own[d - lead]));
}

/**
 * Walks a tensor of `shape` one innermost row at a time. For each row,
 * `body(start, offsets)` gets the row's flat index and, for each strides
 * list (one per operand, aligned to `shape`), the operand's offset at the
 * row start; along the row operand i advances by `strides[i][rank - 1]`.
 * A rank-0 shape is one row of length 1; a zero-size shape has no rows.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  body: (start: number, offsets: readonly number[]) => void,
): void {
  const size = sizeOf(shape);
  if (size === 0) return;
  const rank = shape.length;
  const rowLength = rank === 0 ? 1 : shape[rank - 1];
  const offsets = strides.map(() => 0);
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let start = 0; start < size; start += rowLength) {
    body(start, offsets);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < strides.length; k++) offsets[k] += strides[k][d];
      if (index[d] < shape[d]) break;
      for (let k = 0; k < strides.length; k++) offsets[k] -= strides[k][d] * shape[d];
      index[d] = 0;
    }
  }
}

/** Innermost-dim step of strides from broadcastStrides (0 for rank 0). */
export function rowStep(strides: readonly number[]): number {
  return strides.length === 0 ? 0 : strides[strides.length - 1];
}

/**
 * castValue specialized to one element type, for storing computed results:
 * skips what the typed array does on assignment (float32 rounding, integer
 * truncation and wrap-around of the narrow types).
 */
export function resultConverter(dtype: DType): (x: number) => number {
  switch (dtype) {
    case 'float32': case 'float64':
    case 'int32': case 'int16': case 'int8': case 'uint16': case 'uint8':
      return (x) => x;
    case 'uint32': return (x) => x >>> 0;
    default: return (x) => castValue(x, dtype);
  }
}
