/**
 * A wire-level check of an ONNX file before protobufjs decodes it.
 *
 * protobufjs's generated decoders read a known field by its number alone, so a
 * corrupt file whose field 1 of TypeProto.Tensor carries a length-delimited
 * value instead of a varint decodes to a different, plausible model. The C++
 * protobuf reader behind ONNX Runtime follows the wire type instead, and then
 * usually finds the message overrunning its parent. This walk refuses such a
 * file the way that reader would, naming the message and field, and also
 * refuses the corruptions it cannot parse at all (truncated varints, lengths
 * past the end, wire types 6 and 7, unbalanced groups).
 */
import { UserError } from '../compiler/errors.js';

/** v: varint; f32/f64: fixed width; s: bytes or string; *: repeated scalar, packed or not; other: a nested message. */
type FieldKind = 'v' | 'v*' | 'f32' | 'f32*' | 'f64*' | 's' | string;

/** The fields protobufjs's ONNX decoders know, by message (onnx-proto's onnx.js). */
const SCHEMA: Record<string, Record<number, FieldKind>> = {
  ModelProto: { 1: 'v', 2: 's', 3: 's', 4: 's', 5: 'v', 6: 's', 7: 'GraphProto', 8: 'OperatorSetIdProto', 14: 'StringStringEntryProto', 20: 'TrainingInfoProto', 25: 'FunctionProto' },
  OperatorSetIdProto: { 1: 's', 2: 'v' },
  StringStringEntryProto: { 1: 's', 2: 's' },
  TrainingInfoProto: { 1: 'GraphProto', 2: 'GraphProto', 3: 'StringStringEntryProto', 4: 'StringStringEntryProto' },
  FunctionProto: { 1: 's', 4: 's', 5: 's', 6: 's', 7: 'NodeProto', 8: 's', 9: 'OperatorSetIdProto', 10: 's' },
  GraphProto: { 1: 'NodeProto', 2: 's', 5: 'TensorProto', 10: 's', 11: 'ValueInfoProto', 12: 'ValueInfoProto', 13: 'ValueInfoProto', 14: 'TensorAnnotation', 15: 'SparseTensorProto' },
  TensorAnnotation: { 1: 's', 2: 'StringStringEntryProto' },
  NodeProto: { 1: 's', 2: 's', 3: 's', 4: 's', 5: 'AttributeProto', 6: 's', 7: 's' },
  AttributeProto: {
    1: 's', 2: 'f32', 3: 'v', 4: 's', 5: 'TensorProto', 6: 'GraphProto', 7: 'f32*', 8: 'v*', 9: 's', 10: 'TensorProto',
    11: 'GraphProto', 13: 's', 14: 'TypeProto', 15: 'TypeProto', 20: 'v', 21: 's', 22: 'SparseTensorProto', 23: 'SparseTensorProto',
  },
  ValueInfoProto: { 1: 's', 2: 'TypeProto', 3: 's' },
  TensorProto: {
    1: 'v*', 2: 'v', 3: 'TensorProto.Segment', 4: 'f32*', 5: 'v*', 6: 's', 7: 'v*', 8: 's', 9: 's', 10: 'f64*', 11: 'v*', 12: 's',
    13: 'StringStringEntryProto', 14: 'v',
  },
  'TensorProto.Segment': { 1: 'v', 2: 'v' },
  SparseTensorProto: { 1: 'TensorProto', 2: 'TensorProto', 3: 'v*' },
  TypeProto: { 1: 'TypeProto.Tensor', 4: 'TypeProto.Sequence', 5: 'TypeProto.Map', 6: 's', 8: 'TypeProto.Tensor', 9: 'TypeProto.Sequence' },
  'TypeProto.Tensor': { 1: 'v', 2: 'TensorShapeProto' },
  'TypeProto.Sequence': { 1: 'TypeProto' },
  'TypeProto.Map': { 1: 'v', 2: 'TypeProto' },
  TensorShapeProto: { 1: 'TensorShapeProto.Dimension' },
  'TensorShapeProto.Dimension': { 1: 'v', 2: 's', 3: 's' },
};

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit'];

/** The wire types a field of this kind may arrive with. */
function accepts(kind: FieldKind): number[] {
  switch (kind) {
    case 'v': return [0];
    case 'v*': return [0, 2];
    case 'f32': return [5];
    case 'f32*': return [5, 2];
    case 'f64*': return [1, 2];
    default: return [2];
  }
}

class Corrupt extends Error {}

/** Throws a UserError naming `label` when the bytes are not a well-formed ONNX ModelProto on the wire. */
export function checkOnnxWire(bytes: Uint8Array, label: string): void {
  try {
    walkMessage(bytes, 0, bytes.length, 'ModelProto', 0);
  } catch (e) {
    if (!(e instanceof Corrupt)) throw e;
    throw new UserError(`${label}: not a valid ONNX model (corrupt protobuf: ${e.message})`);
  }
}

function readVarint(b: Uint8Array, p: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) throw new Corrupt('a varint runs past the end of its message');
    const c = b[p++];
    value += (c & 0x7f) * scale;
    scale *= 128;
    if (!(c & 0x80)) return [value, p];
  }
  throw new Corrupt('a varint longer than 10 bytes');
}

const MAX_DEPTH = 100;

function walkMessage(b: Uint8Array, start: number, end: number, type: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new Corrupt(`messages nested deeper than ${MAX_DEPTH}`);
  const fields = SCHEMA[type];
  let p = start;
  while (p < end) {
    let key: number;
    [key, p] = readVarint(b, p, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new Corrupt(`${type} has a field number 0`);
    const kind = fields[field];
    if (kind !== undefined && !accepts(kind).includes(wire)) {
      throw new Corrupt(`field ${field} of ${type} arrives as ${WIRE_NAMES[wire] ?? `wire type ${wire}`}, ` +
        `not as ${WIRE_NAMES[accepts(kind)[0]]}`);
    }
    p = skipValue(b, p, end, type, field, wire, kind, depth);
  }
}

/** Steps over one field's value, descending into the nested messages the schema knows. */
function skipValue(b: Uint8Array, p: number, end: number, type: string, field: number, wire: number,
  kind: FieldKind | undefined, depth: number): number {
  switch (wire) {
    case 0: return readVarint(b, p, end)[1];
    case 1: return fixed(p, 8, end, type, field);
    case 5: return fixed(p, 4, end, type, field);
    case 2: {
      const [len, from] = readVarint(b, p, end);
      const to = from + len;
      if (to > end) throw new Corrupt(`field ${field} of ${type} is ${len} bytes long, past the end of its message`);
      if (kind !== undefined && SCHEMA[kind]) walkMessage(b, from, to, kind, depth + 1);
      return to;
    }
    case 3: return skipGroup(b, p, end, type, field, depth);
    default: throw new Corrupt(`field ${field} of ${type} has the invalid wire type ${wire}`);
  }
}

function fixed(p: number, size: number, end: number, type: string, field: number): number {
  if (p + size > end) throw new Corrupt(`field ${field} of ${type} runs past the end of its message`);
  return p + size;
}

/** A group of an unknown field: every field up to the end-group tag with the same number. */
function skipGroup(b: Uint8Array, p: number, end: number, type: string, field: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new Corrupt(`groups nested deeper than ${MAX_DEPTH}`);
  while (p < end) {
    let key: number;
    [key, p] = readVarint(b, p, end);
    const inner = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 4) {
      if (inner !== field) throw new Corrupt(`a group of field ${field} of ${type} ends as field ${inner}`);
      return p;
    }
    p = skipValue(b, p, end, type, inner, wire, undefined, depth + 1);
  }
  throw new Corrupt(`a group of field ${field} of ${type} is never closed`);
}
