/**
 * Helpers shared by the shape and data-movement ops (shape-*.ts): the one
 * strided index-mapping copy they all use, int-list operands that moved from
 * attributes to inputs across opsets, and symbolic-dim arithmetic.
 */
import { Dim, ValueType } from '../graph.js';
import { Tensor, TensorData, stridesOf } from '../tensor.js';
import { OpCall, intsOf } from './op.js';

/** A strided view of tensor storage: element `i` lives at `offset + Σ i[k] * strides[k]`. */
export interface View {
  data: TensorData;
  offset: number;
  strides: readonly number[];
}

/** The row-major view of a whole tensor, optionally starting at `offset`. */
export function denseView(t: Tensor, offset = 0): View {
  return { data: t.data, offset, strides: stridesOf(t.shape) };
}

/**
 * Copies every element of a `shape`-shaped block from one strided view into
 * another. Transpose (permuted strides), Slice (scaled strides and offset),
 * Expand (zero strides), Concat and Split (offset into the big tensor) are
 * all this loop with different views. Works for rank 0 and zero-size shapes.
 */
export function copyView(shape: readonly number[], src: View, dst: View): void {
  let n = 1;
  for (const d of shape) n *= d;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let s = src.offset;
  let d = dst.offset;
  for (let e = 0; e < n; e++) {
    dst.data[d] = src.data[s];
    for (let k = rank - 1; k >= 0; k--) {
      s += src.strides[k];
      d += dst.strides[k];
      if (++idx[k] < shape[k]) break;
      s -= src.strides[k] * shape[k];
      d -= dst.strides[k] * shape[k];
      idx[k] = 0;
    }
  }
}

/** A fresh tensor with the same contents (outputs never alias inputs). */
export function copyTensor(t: Tensor, shape: readonly number[] = t.shape): Tensor {
  return new Tensor(t.dtype, [...shape], t.data.slice());
}

function attrInts(call: OpCall, attr: string | undefined): number[] | undefined {
  return attr !== undefined && call.has(attr) ? call.ints(attr) : undefined;
}

/**
 * Execution: an int-list operand given as input `i` (opset >= 13) or, in older
 * models, as attribute `attr`; undefined when neither is given.
 */
export function argInts(call: OpCall, ins: (Tensor | undefined)[], i: number, attr?: string): number[] | undefined {
  const t = ins[i];
  return t ? intsOf(t) : attrInts(call, attr);
}

/** Inference: like argInts, but 'unknown' when the input is present but not a constant. */
export function constArgInts(
  call: OpCall, ins: (ValueType | undefined)[], consts: (Tensor | undefined)[], i: number, attr?: string,
): number[] | undefined | 'unknown' {
  if (ins[i]) {
    const c = consts[i];
    return c ? intsOf(c) : 'unknown';
  }
  return attrInts(call, attr);
}

/** Length of a 1-D input (a shape, axes list ...) when static, else fails: the output rank depends on it. */
export function vectorLength(call: OpCall, type: ValueType, what: string): number {
  const n = type.shape.length === 1 ? type.shape[0] : type.shape.length === 0 ? 1 : undefined;
  if (typeof n !== 'number') {
    call.fail(`the length of the ${what} input ${formatDims(type.shape)} must be static to know the output rank`);
  }
  return n;
}

/** Dims that the op computed from static input dims; fails if any is symbolic (an internal slip). */
export function staticDims(call: OpCall, dims: readonly Dim[]): number[] {
  for (const d of dims) if (typeof d !== 'number') call.fail(`cannot execute with symbolic dim '${d}'`);
  return dims as number[];
}

export function formatDims(dims: readonly Dim[]): string {
  return `[${dims.join(', ')}]`;
}

/** Normalizes a list of axes against a rank, rejecting duplicates. */
export function normAxes(call: OpCall, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) call.fail(`axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) call.fail(`axes [${axes.join(', ')}] repeat an axis`);
  return out;
}

/** The one dim that two values must share (Concat's non-axis dims): numbers win over names, names over '?'. */
export function mergeDim(call: OpCall, a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) call.fail(`dims ${a} and ${b} must be equal`);
    return a;
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a !== '?' ? a : b;
}

/** Sum of dims: exact when static; a lone symbolic dim plus zeros is that dim; otherwise '?'. */
export function sumDims(dims: readonly Dim[]): Dim {
  let total = 0;
  const symbolic = dims.filter((d) => typeof d !== 'number');
  for (const d of dims) if (typeof d === 'number') total += d;
  if (symbolic.length === 0) return total;
  return symbolic.length === 1 && total === 0 ? symbolic[0] : '?';
}

/**
 * Product of `dims` divided by the product of `by`, symbolically: named dims
 * that appear in both cancel. Exact number or a single remaining name, else '?'.
 */
export function quotientDim(dims: readonly Dim[], by: readonly Dim[]): Dim {
  if ([...dims, ...by].includes('?')) return '?';
  const names = dims.filter((d): d is string => typeof d === 'string');
  let num = 1;
  let den = 1;
  for (const d of dims) if (typeof d === 'number') num *= d;
  for (const d of by) {
    if (typeof d === 'number') den *= d;
    else {
      const at = names.indexOf(d);
      if (at < 0) return '?';
      names.splice(at, 1);
    }
  }
  if (names.length === 0) return den !== 0 && num % den === 0 ? num / den : '?';
  return names.length === 1 && num === den && den !== 0 ? names[0] : '?';
}
