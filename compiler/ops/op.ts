/**
 * The contract every supported op implements: type/shape inference (used by
 * the frontend, with symbolic dims) and float32 golden execution.
 */
import { AttrValue, Attrs, Dim, Node, ValueType, describeNode } from '../graph.js';
import { UserError } from '../errors.js';
import { Tensor } from '../tensor.js';

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
