/**
 * A small API for writing ONNX models from TypeScript, so users and tests
 * can build models without Python:
 *
 *   const b = new ModelBuilder('tiny', 17);
 *   const x = b.input('x', 'float32', [1, 'sequence', 8]);
 *   const w = b.initializer('w', Tensor.from('float32', [8, 8], values));
 *   b.output(b.node('MatMul', [x, w]), 'float32', [1, 'sequence', 8]);
 *   b.save('tiny.onnx');
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from './onnx-proto.js';
import { AttrValue, Dim } from '../compiler/graph.js';
import { DType, Tensor, dtypeToOnnx } from '../compiler/tensor.js';
import { tensorToProto } from './onnx-tensor.js';

const AT = onnx.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  if (v instanceof Tensor) return { name, type: AT.TENSOR, t: tensorToProto(v, '') };
  if (typeof v === 'string') return { name, type: AT.STRING, s: utf8.encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { name, type: AT.INT, i: v } : { name, type: AT.FLOAT, f: v };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: AT.STRINGS, strings: (v as string[]).map((s) => utf8.encode(s)) };
  const nums = v as number[];
  return nums.every(Number.isInteger) ? { name, type: AT.INTS, ints: nums } : { name, type: AT.FLOATS, floats: nums };
}

/** Forces an attribute to be written as a float even when its value is integral (epsilon: 1, alpha: 2 ...). */
export class FloatAttr { constructor(readonly value: number | number[]) {} }

function valueInfo(name: string, dtype: DType, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dtypeToOnnx(dtype),
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface SaveOptions {
  /** Store initializers of at least this many bytes in NAME.onnx.data beside the model. */
  externalDataThreshold?: number;
}

export class ModelBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly inits: { name: string; tensor: Tensor }[] = [];
  private counter = 0;

  constructor(readonly graphName: string, readonly opset = 17) {}

  input(name: string, dtype: DType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  output(name: string, dtype: DType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, shape));
  }

  initializer(name: string, tensor: Tensor): string {
    this.inits.push({ name, tensor });
    return name;
  }

  /** A fresh value name. */
  fresh(hint: string): string { return `${hint}_${this.counter++}`; }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue | FloatAttr> = {}, name?: string): string {
    return this.nodeN(opType, inputs, 1, attrs, name)[0];
  }

  /** Adds a node with `outputs` outputs (or these exact output names). */
  nodeN(opType: string, inputs: string[], outputs: number | string[], attrs: Record<string, AttrValue | FloatAttr> = {}, name?: string): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    const attribute_ = Object.entries(attrs).map(([k, v]) => {
      if (!(v instanceof FloatAttr)) return attribute(k, v);
      return Array.isArray(v.value) ? { name: k, type: AT.FLOATS, floats: v.value } : { name: k, type: AT.FLOAT, f: v.value };
    });
    this.nodes.push({ opType, input: inputs, output: outs, attribute: attribute_, name: name ?? this.fresh(opType) });
    return outs;
  }

  private model(initializers: onnx.ITensorProto[]): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'llm2hls ModelBuilder',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: this.graphName, node: this.nodes, input: this.inputs, output: this.outputs, initializer: initializers },
    });
  }

  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(this.model(this.inits.map((i) => tensorToProto(i.tensor, i.name)))).finish();
  }

  /** Writes the model (and its external data file when asked). */
  save(file: string, options: SaveOptions = {}): void {
    const threshold = options.externalDataThreshold;
    if (threshold === undefined) { fs.writeFileSync(file, this.toBytes()); return; }
    const dataName = `${path.basename(file)}.data`;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const protos = this.inits.map(({ name, tensor }) => {
      const proto = tensorToProto(tensor, name);
      if (proto.rawData.length < threshold) return proto;
      const bytes = proto.rawData;
      const entry = [
        { key: 'location', value: dataName }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(bytes.length) },
      ];
      chunks.push(bytes);
      offset += bytes.length;
      return onnx.TensorProto.create({ ...proto, rawData: new Uint8Array(), externalData: entry, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL });
    });
    fs.writeFileSync(path.join(path.dirname(file), dataName), Buffer.concat(chunks));
    fs.writeFileSync(file, onnx.ModelProto.encode(this.model(protos)).finish());
  }
}
