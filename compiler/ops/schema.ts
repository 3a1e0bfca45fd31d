/**
 * Each op's ONNX signature, declared next to its definition and applied by
 * one checker (frontend/validate.ts) before anything runs, as ONNX's checker
 * and ONNX Runtime do: input and output counts, attribute names and types,
 * and the element types each type variable allows. Taken from the ONNX
 * operator specs (onnx.ai/onnx/operators), restricted to the element types
 * llm2hls reads (no bfloat16, string or float8: the loader refuses those).
 */
import { DType } from '../tensor.js';

export type AttrType = 'int' | 'float' | 'string' | 'tensor' | 'sparse_tensor' | 'ints' | 'floats' | 'strings';

/** Decoded attribute values the output-type hooks read: numbers, or a tensor attribute's element type. */
export type AttrTypesView = Record<string, number | DType | undefined>;

export interface OpSchema {
  /** First opset of this version of the op; the version a model gets is the last with since <= its opset. */
  since: number;
  /** Type variable per input slot: 'T', 'T?' optional, 'T...' variadic (one or more, last slot only). */
  inputs: readonly string[];
  outputs: readonly string[];
  /** Attribute name -> type; a trailing '!' marks a required attribute. */
  attrs: Readonly<Record<string, AttrType | `${AttrType}!`>>;
  /** Allowed element types of each type variable. */
  types: Readonly<Record<string, readonly DType[]>>;
  /** Exactly one of these attributes must be given (Constant). */
  oneOf?: readonly string[];
  /** Element types of output variables no input fixes (Cast's T2), from the attributes. */
  outputTypes?: (attrs: AttrTypesView) => Record<string, DType | undefined>;
}

export const FLOATS: readonly DType[] = ['float16', 'float32', 'float64'];
export const SIGNED: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];
export const UNSIGNED: readonly DType[] = ['uint8', 'uint16', 'uint32', 'uint64'];
export const NUMERIC: readonly DType[] = [...UNSIGNED, ...SIGNED, ...FLOATS];
export const ALL: readonly DType[] = [...NUMERIC, 'bool'];
export const INDEX: readonly DType[] = ['int32', 'int64'];
export const INT64: readonly DType[] = ['int64'];
export const BOOL: readonly DType[] = ['bool'];
/** The types of the arithmetic ops before opset 14 and of MatMul, Gemm and most reductions. */
export const WIDE_NUMERIC: readonly DType[] = ['uint32', 'uint64', 'int32', 'int64', ...FLOATS];

/**
 * One version of a signature: `inputs` and `outputs` as space-separated type
 * variables ('T T Tind? Tind?'), e.g. schema(14, 'T T', 'T', { T: NUMERIC }).
 */
export function schema(
  since: number, inputs: string, outputs: string, types: OpSchema['types'], attrs: OpSchema['attrs'] = {},
  extra: Pick<OpSchema, 'oneOf' | 'outputTypes'> = {},
): OpSchema {
  const slots = (s: string) => s.split(' ').filter(Boolean);
  return { since, inputs: slots(inputs), outputs: slots(outputs), types, attrs, ...extra };
}

export interface Slot { variable: string; optional: boolean; variadic: boolean }

export function parseSlot(s: string): Slot {
  if (s.endsWith('...')) return { variable: s.slice(0, -3), optional: false, variadic: true };
  if (s.endsWith('?')) return { variable: s.slice(0, -1), optional: true, variadic: false };
  return { variable: s, optional: false, variadic: false };
}

/** [min, max] number of entries a slot list accepts. */
export function arity(slots: readonly string[]): [number, number] {
  const parsed = slots.map(parseSlot);
  const min = parsed.filter((s) => !s.optional).length;
  return [min, parsed.some((s) => s.variadic) ? Infinity : parsed.length];
}

/** The slot entry `i` of a node fills. */
export function slotAt(slots: readonly string[], i: number): Slot {
  return parseSlot(slots[Math.min(i, slots.length - 1)]);
}

/** The version of a schema list that applies at `opset`, or undefined when the op is newer than the model. */
export function schemaAt(versions: readonly OpSchema[] | undefined, opset: number): OpSchema | undefined {
  let found: OpSchema | undefined;
  for (const v of versions ?? []) if (v.since <= opset) found = v;
  return found;
}
