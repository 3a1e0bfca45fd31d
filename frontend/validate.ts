/**
 * The model checker: what ONNX's checker and ONNX Runtime refuse, refused
 * here before anything runs, with one line naming the node, attribute or
 * value (exit 1). It reads the decoded protobuf, where attribute types are
 * still visible, and applies each op's declared schema (compiler/ops/schema.ts):
 *
 * - the file: IR version at most 10, one graph, one opset import per domain,
 *   at least one output;
 * - names: single assignment (inputs, initializers and node outputs defined
 *   once), every input defined before the node that reads it;
 * - nodes: input and output counts, attribute names, types and repeats,
 *   required attributes;
 * - element types: each type variable's allowed types, inputs sharing a
 *   variable agree, and the types that follow match the declared types of
 *   graph outputs and value_info.
 *
 * Ops llm2hls does not implement are left for the op table to report as
 * unsupported (exit 3); their outputs' types are then unknown and not checked.
 */
import { onnx } from './onnx-proto.js';
import { UnsupportedError, UserError } from '../compiler/errors.js';
import { getOp, getSchema } from '../compiler/ops/index.js';
import { AttrType, AttrTypesView, OpSchema, arity, slotAt } from '../compiler/ops/schema.js';
import { DType, dtypeFromOnnx } from '../compiler/tensor.js';
import { toNumber } from './onnx-tensor.js';

const AT = onnx.AttributeProto.AttributeType;
const ATTR_TYPES: Record<number, AttrType> = {
  [AT.INT]: 'int', [AT.FLOAT]: 'float', [AT.STRING]: 'string', [AT.TENSOR]: 'tensor', [AT.SPARSE_TENSOR]: 'sparse_tensor',
  [AT.INTS]: 'ints', [AT.FLOATS]: 'floats', [AT.STRINGS]: 'strings',
};
const ATTR_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AT).map(([name, code]) => [code, name.toLowerCase()]));

/** ModelProto field 7: a second copy in the file would silently replace the first when decoded. */
const GRAPH_FIELD = 7;

/** The newest IR version llm2hls reads: ONNX 1.16's, the release of opset 21 (ONNX Runtime 1.22 reads no newer either). */
export const MAX_IR_VERSION = 10;

/** Checks a decoded model (and its bytes, for what decoding hides) against ONNX's rules; `opset` is its default-domain opset. */
export function validateModel(model: onnx.ModelProto, bytes: Uint8Array, opset: number, label: string): void {
  const irVersion = toNumber(model.irVersion as number);
  if (irVersion > MAX_IR_VERSION) {
    throw new UnsupportedError(`${label}: IR version ${irVersion} is newer than llm2hls reads (up to ${MAX_IR_VERSION}, ONNX 1.16)`);
  }
  const graphs = countField(bytes, GRAPH_FIELD);
  if (graphs > 1) throw new UserError(`${label}: the file holds ${graphs} graphs; an ONNX model has exactly one`);
  const domains = new Set<string>();
  for (const o of model.opsetImport) {
    const domain = !o.domain || o.domain === 'ai.onnx' ? '' : o.domain;
    if (domains.has(domain)) throw new UserError(`${label}: the model imports the ${domain ? `'${domain}'` : 'default'} domain's opset more than once`);
    domains.add(domain);
  }
  new GraphChecker(label, opset).check(model.graph!);
}

/** How many times top-level field `field` occurs in a protobuf message (0 when the bytes do not parse). */
function countField(bytes: Uint8Array, field: number): number {
  let count = 0;
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= bytes.length) throw new RangeError('truncated');
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new RangeError('varint too long');
  };
  try {
    while (at < bytes.length) {
      const key = varint();
      if (Math.floor(key / 8) === field) count++;
      switch (key & 7) {
        case 0: varint(); break;
        case 1: at += 8; break;
        case 2: { const length = varint(); at += length; break; } // not `at += varint()`: that reads `at` first
        case 5: at += 4; break;
        default: return count; // groups: not used by ONNX; decoding reports the file
      }
    }
  } catch {
    // a truncated file: decoding has already accepted it or will report it
  }
  return count;
}

class GraphChecker {
  /** Element type of every value defined so far; undefined when unknown (an unsupported op's output). */
  private readonly types = new Map<string, DType | undefined>();
  /** Which node defines each node output, for messages. */
  private readonly producers = new Map<string, string>();

  constructor(private readonly label: string, private readonly opset: number) {}

  check(g: onnx.IGraphProto): void {
    if ((g.output ?? []).length === 0) throw new UserError(`${this.label}: the graph has no outputs, so there is nothing to compute`);
    const inputs = new Set<string>();
    for (const v of g.input ?? []) {
      const name = v.name ?? '';
      if (inputs.has(name)) throw new UserError(`${this.label}: graph input '${name}' is declared twice`);
      inputs.add(name);
      this.types.set(name, declaredType(v));
    }
    const initializers = new Set<string>();
    for (const t of g.initializer ?? []) {
      const name = t.name ?? '';
      if (initializers.has(name)) throw new UserError(`${this.label}: initializer '${name}' is defined twice`);
      initializers.add(name);
      this.types.set(name, dtypeFromOnnx(t.dataType ?? 0));
    }
    (g.node ?? []).forEach((n, index) => this.checkNode(n, index));
    for (const v of g.output ?? []) {
      const name = v.name ?? '';
      if (!this.types.has(name)) throw new UserError(`${this.label}: graph output '${name}' is not computed by any node, initializer or graph input`);
      this.checkDeclared(v, 'graph output');
    }
    for (const v of g.valueInfo ?? []) if (this.types.has(v.name ?? '')) this.checkDeclared(v, 'value');
  }

  /** A declared element type must be the one that the graph computes. */
  private checkDeclared(v: onnx.IValueInfoProto, what: string): void {
    const name = v.name ?? '';
    const declared = declaredType(v), computed = this.types.get(name);
    if (declared && computed && declared !== computed) {
      const by = this.producers.get(name);
      throw new UserError(`${this.label}: ${what} '${name}' is declared ${declared}, but ${by ?? 'the graph'} computes ${computed}`);
    }
  }

  private checkNode(n: onnx.INodeProto, index: number): void {
    const opType = n.opType ?? '';
    const node = `node '${n.name || `${opType}_${index}`}' (${opType})`; // named as the loader names it
    const where = `${this.label}: ${node}`;
    const inputs = n.input ?? [], outputs = n.output ?? [];
    for (const name of inputs) {
      if (name && !this.types.has(name)) {
        throw new UserError(`${where}: input '${name}' is not produced by any earlier node, initializer or graph input (ONNX requires nodes in topological order)`);
      }
    }
    const attrs = n.attribute ?? [];
    const seen = new Set<string>();
    for (const a of attrs) {
      if (seen.has(a.name ?? '')) throw new UserError(`${where}: attribute '${a.name}' appears more than once`);
      seen.add(a.name ?? '');
    }
    const custom = n.domain && n.domain !== 'ai.onnx';
    const s = custom ? undefined : getSchema(opType, this.opset);
    if (!custom && !s && getOp(opType)) {
      const why = getOp(opType)!.schema ? `is not in opset ${this.opset}` : 'is an llm2hls kernel, not an ONNX op';
      throw new UnsupportedError(`${where}: op ${opType} ${why}`);
    }
    const outTypes = s ? checkSignature(where, `${opType}-${s.since}`, s, n, inputs.map((i) => (i ? this.types.get(i) : undefined))) : [];
    outputs.forEach((name, i) => {
      if (!name) return;
      if (this.types.has(name)) throw new UserError(`${where}: output '${name}' is already defined (ONNX values are assigned once)`);
      this.types.set(name, outTypes[i]);
      this.producers.set(name, node);
    });
  }
}

/** The element type a value_info declares; undefined when absent or one llm2hls does not read. */
function declaredType(v: onnx.IValueInfoProto): DType | undefined {
  const code = v.type?.tensorType?.elemType;
  return code ? dtypeFromOnnx(code) : undefined;
}

function list(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function countText([min, max]: [number, number]): string {
  if (min === max) return `${min}`;
  return max === Infinity ? `at least ${min}` : `${min} to ${max}`;
}

/** Checks one node against its schema version `version`; returns its outputs' element types. */
function checkSignature(
  where: string, version: string, s: OpSchema, n: onnx.INodeProto, inTypes: (DType | undefined)[],
): (DType | undefined)[] {
  const inputs = n.input ?? [], outputs = n.output ?? [];
  const attrs = n.attribute ?? [];
  const values: AttrTypesView = {};
  for (const a of attrs) {
    const name = a.name ?? '';
    if (a.refAttrName) continue; // function attribute references: the loader reports them
    const spec = s.attrs[name];
    if (spec === undefined) {
      const known = Object.keys(s.attrs);
      throw new UserError(`${where}: unknown attribute '${name}' (${version} takes ${known.length ? list(known) : 'no attributes'})`);
    }
    const expected = spec.replace('!', '');
    const actual = ATTR_TYPES[a.type ?? 0];
    if (actual !== expected) {
      throw new UserError(`${where}: attribute '${name}' is ${a.type ? `of type ${ATTR_TYPE_NAMES[a.type] ?? a.type}` : 'untyped'}, ${version} expects ${expected}`);
    }
    if (actual === 'int') values[name] = toNumber(a.i as number);
    if (actual === 'tensor') values[name] = dtypeFromOnnx(a.t?.dataType ?? 0);
  }
  for (const [name, spec] of Object.entries(s.attrs)) {
    if (spec.endsWith('!') && !attrs.some((a) => a.name === name)) throw new UserError(`${where}: required attribute '${name}' is missing`);
  }
  if (s.oneOf && attrs.filter((a) => s.oneOf!.includes(a.name ?? '')).length !== 1) {
    throw new UserError(`${where}: needs exactly one of the attributes ${list([...s.oneOf])}`);
  }

  const [inMin, inMax] = arity(s.inputs), [outMin, outMax] = arity(s.outputs);
  if (inputs.length < inMin || inputs.length > inMax) {
    throw new UserError(`${where}: has ${inputs.length} inputs, ${version} takes ${countText([inMin, inMax])}`);
  }
  if (outputs.length < outMin || outputs.length > outMax) {
    throw new UserError(`${where}: has ${outputs.length} outputs, ${version} gives ${countText([outMin, outMax])}`);
  }

  const bound = new Map<string, { dtype: DType; from: string }>();
  inputs.forEach((name, i) => {
    const slot = slotAt(s.inputs, i);
    if (!name) {
      if (!slot.optional) throw new UserError(`${where}: input ${i} is required but left empty`);
      return;
    }
    const dtype = inTypes[i];
    if (!dtype) return;
    const allowed = s.types[slot.variable];
    if (!allowed.includes(dtype)) {
      throw new UserError(`${where}: input ${i} ('${name}') is ${dtype}, but ${version} takes ${list([...allowed])} there`);
    }
    const other = bound.get(slot.variable);
    if (other && other.dtype !== dtype) {
      throw new UserError(`${where}: inputs '${other.from}' (${other.dtype}) and '${name}' (${dtype}) must have the same element type`);
    }
    bound.set(slot.variable, { dtype, from: name });
  });

  const fromAttrs = s.outputTypes?.(values) ?? {};
  return outputs.map((_, i) => {
    const variable = slotAt(s.outputs, i).variable;
    const allowed = s.types[variable];
    const dtype = bound.get(variable)?.dtype ?? fromAttrs[variable] ?? (allowed.length === 1 ? allowed[0] : undefined);
    if (dtype && !allowed.includes(dtype)) throw new UserError(`${where}: output ${i} would be ${dtype}, but ${version} gives ${list([...allowed])} there`);
    return dtype;
  });
}
