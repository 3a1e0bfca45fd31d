/**
 * Decodes an ONNX ModelProto into the graph IR: opset checks, initializers
 * (raw, typed or external), Constant nodes turned into constants, attributes
 * as plain values, and declared input/output types with symbolic dims kept
 * by name.
 */
import fs from 'node:fs';
import { onnx } from './onnx-proto.js';
import { UserError, UnsupportedError } from '../compiler/errors.js';
import { AttrValue, Attrs, Dim, Graph, Node, ValueInfo, ValueType } from '../compiler/graph.js';
import { Tensor, dtypeFromOnnx, onnxDtypeName } from '../compiler/tensor.js';
import { externalReader } from './external-data.js';
import { ExternalReader, tensorFromProto, toNumber } from './onnx-tensor.js';
import { registerModelFile } from '../compiler/helper-worker.js';
import { validateModel } from './validate.js';
import { checkOnnxWire } from './onnx-wire.js';

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

const AT = onnx.AttributeProto.AttributeType;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads and decodes a model file; every failure is one clear line naming the file. */
export function loadOnnxFile(modelPath: string): Graph {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(modelPath);
  } catch {
    throw new UserError(`${modelPath}: no such file`);
  }
  if (stat.isDirectory()) throw new UserError(`${modelPath}: is a directory, expected an .onnx file`);
  if (stat.size === 0) throw new UserError(`${modelPath}: file is empty, not an ONNX model`);
  const bytes = fs.readFileSync(modelPath);
  registerModelFile(bytes, modelPath); // a large model's weights can then be read by the helper worker
  return decodeModel(bytes, modelPath, externalReader(modelPath));
}

export function decodeModel(bytes: Uint8Array, label: string, external?: ExternalReader): Graph {
  checkOnnxWire(bytes, label);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new UserError(`${label}: not a valid ONNX model (truncated or not an ONNX protobuf: ${(e as Error).message})`);
  }
  const opset = defaultOpset(model, label);
  if (!model.graph) throw new UserError(`${label}: not a valid ONNX model (no graph)`);
  validateModel(model, bytes, opset, label);
  return convertGraph(model.graph, opset, label, external, {
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || undefined,
    irVersion: toNumber(model.irVersion as number),
  });
}

function defaultOpset(model: onnx.ModelProto, label: string): number {
  const irVersion = toNumber(model.irVersion as number);
  if (irVersion <= 0 || irVersion > 20 || model.opsetImport.length === 0) {
    throw new UserError(`${label}: not a valid ONNX model (no IR version or opset import; is it an ONNX file?)`);
  }
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new UnsupportedError(`${label}: the model imports no default-domain opset`);
  const version = toNumber(entry.version as number);
  if (version < MIN_OPSET || version > MAX_OPSET) {
    throw new UnsupportedError(`${label}: default-domain opset ${version} is not supported (llm2hls reads opsets ${MIN_OPSET} to ${MAX_OPSET}); re-export with opset_version in that range`);
  }
  return version;
}

/**
 * A declared input or output type. A missing type or element type is a
 * malformed model; a non-tensor type is unsupported. An input's dims that
 * have neither value nor name get one (`input_ids.dim1`) so they bind like
 * named dims; an input with no shape at all takes its input file's.
 */
function valueInfo(v: onnx.IValueInfoProto, label: string, isInput: boolean): ValueInfo {
  const name = v.name ?? '';
  const what = `${label}: ${isInput ? 'graph input' : 'graph output'} '${name}'`;
  const tt = v.type?.tensorType;
  if (!tt) {
    if (!v.type || !(v.type.sequenceType || v.type.mapType || v.type.optionalType || v.type.sparseTensorType)) {
      throw new UserError(`${what} has no type (a malformed model: every graph input and output needs one)`);
    }
    throw new UnsupportedError(`${label}: value '${name}' is not a tensor (sequences, maps and optionals are not supported)`);
  }
  if (!tt.elemType) throw new UserError(`${what} has no element type (elem_type 0, a malformed model)`);
  const dtype = dtypeFromOnnx(tt.elemType);
  if (!dtype) throw new UnsupportedError(`${label}: value '${name}' has element type ${onnxDtypeName(tt.elemType)}, which llm2hls does not support`);
  if (!tt.shape && isInput) return { name, dtype, shape: [], shapeUnknown: true };
  const shape: Dim[] = (tt.shape?.dim ?? []).map((d, k) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue !== null && d.dimValue !== undefined) {
      const size = toNumber(d.dimValue as number);
      // ORT ignores a declared shape it cannot use; a negative size is a corrupt model, said here once.
      if (size < 0) throw new UserError(`${what} declares dim ${k} as ${size}: a dimension is a size >= 0 or a name (ONNX IR)`);
      return size;
    }
    return isInput ? `${name}.dim${k}` : '?';
  });
  return { name, dtype, shape };
}

function attrValue(a: onnx.IAttributeProto, where: string, external?: ExternalReader): AttrValue | undefined {
  switch (a.type) {
    case AT.FLOAT: return a.f ?? 0;
    case AT.INT: return toNumber(a.i as number);
    case AT.STRING: return utf8.decode(a.s ?? new Uint8Array());
    case AT.TENSOR: return a.t ? tensorFromProto(a.t, `${where} attribute '${a.name}'`, external) : undefined;
    case AT.FLOATS: return [...(a.floats ?? [])];
    case AT.INTS: return (a.ints ?? []).map((i) => toNumber(i as number));
    case AT.STRINGS: return (a.strings ?? []).map((s) => utf8.decode(s));
    case AT.GRAPH: case AT.GRAPHS:
      throw new UnsupportedError(`${where}: attribute '${a.name}' holds a subgraph (If/Loop/Scan), which llm2hls does not support`);
    default: return undefined; // sparse tensors, type protos: no supported op reads them
  }
}

/** The value of a Constant node's attribute as a tensor. */
function constantValue(node: Node, where: string): Tensor {
  const a = node.attrs;
  if (a.value instanceof Tensor) return a.value;
  if (typeof a.value_float === 'number') return Tensor.from('float32', [], [a.value_float]);
  if (Array.isArray(a.value_floats)) return Tensor.from('float32', [a.value_floats.length], a.value_floats as number[]);
  if (typeof a.value_int === 'number') return Tensor.from('int64', [], [a.value_int]);
  if (Array.isArray(a.value_ints)) return Tensor.from('int64', [a.value_ints.length], a.value_ints as number[]);
  throw new UnsupportedError(`${where}: Constant with ${Object.keys(a).join(', ') || 'no value'} is not supported`);
}

function convertGraph(
  g: onnx.IGraphProto, opset: number, label: string, external: ExternalReader | undefined, meta: Graph['meta'],
): Graph {
  const initializers = new Map<string, Tensor>();
  for (const init of g.initializer ?? []) {
    initializers.set(init.name ?? '', tensorFromProto(init, `${label}: initializer '${init.name}'`, external));
  }
  meta.weightNames = [...initializers.keys()]; // before Constant nodes join them: those are not weights
  if ((g.sparseInitializer ?? []).length > 0) throw new UnsupportedError(`${label}: sparse initializers are not supported`);

  const nodes: Node[] = [];
  (g.node ?? []).forEach((n, index) => {
    const name = n.name || `${n.opType}_${index}`;
    const where = `${label}: node '${name}' (${n.opType})`;
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      throw new UnsupportedError(`${where}: custom domain '${domain}' is not supported (llm2hls reads the default ONNX domain, opsets ${MIN_OPSET}-${MAX_OPSET})`);
    }
    const attrs: Attrs = {};
    for (const a of n.attribute ?? []) {
      if (a.refAttrName) throw new UnsupportedError(`${where}: attribute references (functions) are not supported`);
      const v = attrValue(a, where, external);
      if (v !== undefined) attrs[a.name ?? ''] = v;
    }
    const node: Node = { name, opType: n.opType ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
    if (node.opType === 'Constant' && node.outputs.length === 1) initializers.set(node.outputs[0], constantValue(node, where));
    else nodes.push(node);
  });

  // Graph inputs that have an initializer are constants with a default (IR < 4 style).
  const inputs = (g.input ?? []).map((v) => valueInfo(v, label, true)).filter((v) => !initializers.has(v.name));
  const outputs = (g.output ?? []).map((v) => valueInfo(v, label, false));
  const types = new Map<string, ValueType>();
  for (const v of inputs) if (!v.shapeUnknown) types.set(v.name, { dtype: v.dtype, shape: v.shape });
  for (const [name, t] of initializers) types.set(name, { dtype: t.dtype, shape: [...t.shape] });
  return { name: g.name ?? 'graph', opset, inputs, outputs, initializers, nodes, types, meta };
}
