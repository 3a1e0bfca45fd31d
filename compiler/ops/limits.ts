/**
 * How large a tensor llm2hls will create. Every op's output size is known
 * from shape inference before the op runs, so constant folding and the
 * golden interpreter check it first and never start an allocation that
 * cannot succeed (a ConstantOfShape of [2^40], a Range with a step of 1e-12).
 */
import { UserError } from '../errors.js';
import { Node, ValueType, describeNode, formatShape } from '../graph.js';
import { DTYPE_BYTES } from '../tensor.js';

/** A tensor llm2hls refuses to create; `shape` lets a caller name the binding that sized it. */
export class TensorSizeError extends UserError {
  constructor(message: string, readonly shape: readonly number[], readonly bytes = Infinity) {
    super(message);
    this.name = 'TensorSizeError';
  }
}

/** One tensor may hold at most 2 GiB; anything larger is refused (exit 1) before it is allocated. */
export const MAX_TENSOR_BYTES = 2 ** 31;

function formatBytes(n: number): string {
  const [value, unit] = n >= 2 ** 30 ? [n / 2 ** 30, 'GiB'] : [n / 2 ** 20, 'MiB'];
  return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ${unit}`;
}

/**
 * Fails, naming the node and output, when a static output shape holds a dim
 * that is not a non-negative integer or needs more than MAX_TENSOR_BYTES.
 * Symbolic dims pass: they are checked once bound.
 */
export function checkOutputSizes(node: Node, types: readonly (ValueType | undefined)[]): void {
  types.forEach((t, i) => {
    if (!t) return;
    const name = node.outputs[i] || `output ${i}`;
    let elements = 1;
    for (const d of t.shape) {
      if (typeof d !== 'number') return;
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new TensorSizeError(`${describeNode(node)}: output '${name}' would have shape ${formatShape(t.shape)}, and ${d} is not a valid dim`, t.shape as number[]);
      }
      elements *= d;
    }
    const bytes = elements * DTYPE_BYTES[t.dtype];
    if (bytes > MAX_TENSOR_BYTES) {
      throw new TensorSizeError(
        `${describeNode(node)}: output '${name}' would have shape ${formatShape(t.shape)} (${elements} ${t.dtype} elements, ${formatBytes(bytes)}), `
        + `more than the ${formatBytes(MAX_TENSOR_BYTES)} llm2hls allows for one tensor`,
        t.shape as number[], bytes,
      );
    }
  });
}

/** Elements of a static shape, or undefined when a dim is symbolic. */
export function staticSize(t: ValueType): number | undefined {
  let n = 1;
  for (const d of t.shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}
