/**
 * Broken and invalid models (issue #7 items 20 and 21): each is refused
 * through the real CLI with one line naming the node or attribute, exit 1,
 * before anything large is allocated and without writing outputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpret } from '../compiler/interpreter.js';
import { AttrValue, Graph } from '../compiler/graph.js';
import * as ort from 'onnxruntime-node';
import { getOp, supportedOps } from '../compiler/ops/index.js';
import { OpSchema, parseSlot } from '../compiler/ops/schema.js';
import { DType, Tensor, dtypeToOnnx } from '../compiler/tensor.js';
import { decodeModel } from '../frontend/onnx-load.js';
import { onnx } from '../frontend/onnx-proto.js';
import { tensorToProto } from '../frontend/onnx-tensor.js';
import { FloatAttr, ModelBuilder } from '../frontend/onnx-writer.js';
import { readTensorFile, writeTensorPb } from '../frontend/tensor-files.js';
import { expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

/** A model y = Identity(x) with x float32[2], plus whatever `extra` adds. */
function save(name: string, extra: (b: ModelBuilder) => void, opset = 17): { file: string; inputs: string } {
  const dir = tempDir();
  const b = new ModelBuilder(name, opset);
  const x = b.input('x', 'float32', [2]);
  b.output(b.node('Identity', [x]), 'float32', [2]);
  extra(b);
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(file, b.toBytes());
  const inputs = path.join(dir, 'inputs');
  fs.mkdirSync(inputs);
  writeTensorPb(path.join(inputs, 'input_0.pb'), Tensor.from('float32', [2], [1, 2]), 'x');
  return { file, inputs };
}

/** inspect, run and compile all refuse the model with exit 1 and write nothing. */
async function expectRefused(model: { file: string; inputs: string }, pattern: RegExp): Promise<void> {
  const dir = tempDir();
  const runOut = path.join(dir, 'run'), compileOut = path.join(dir, 'project');
  for (const args of [['inspect', model.file], ['run', model.file, '--inputs', model.inputs, '--out', runOut], ['compile', model.file, '-o', compileOut]]) {
    const r = await llm2hls(...args);
    expectCleanFailure(r, pattern, expect);
    expect(r.exitCode, `${args[0]}: ${r.stderr}`).toBe(1);
  }
  expect(fs.existsSync(runOut)).toBe(false);
  expect(fs.existsSync(compileOut)).toBe(false);
}

const int64 = (values: number[]) => Tensor.from('int64', [values.length], values);
const scalar = (v: number) => Tensor.scalar('float32', v);

describe('sizes are checked before anything is allocated (item 20)', () => {
  it('an unused ConstantOfShape of [2^40]', async () => {
    const m = save('cos40', (b) => { b.node('ConstantOfShape', [b.initializer('s', int64([2 ** 40]))], {}, 'huge'); });
    await expectRefused(m, /node 'huge' \(ConstantOfShape\): output '\w+' would have shape \[1099511627776\].*more than the 2 GiB/);
  });

  it('a ConstantOfShape of [2^31] that is a graph output', async () => {
    const m = save('cos31', (b) => { b.output(b.node('ConstantOfShape', [b.initializer('s', int64([2 ** 31]))], {}, 'big'), 'float32', [2 ** 31]); });
    await expectRefused(m, /node 'big' \(ConstantOfShape\).*8 GiB/);
  });

  it('an unused Range(0, 1, 1e-12)', async () => {
    const m = save('range', (b) => { b.node('Range', [b.initializer('a', scalar(0)), b.initializer('l', scalar(1)), b.initializer('d', scalar(1e-12))], {}, 'steps'); });
    await expectRefused(m, /node 'steps' \(Range\): output .* would have shape \[\d{12,}\]/);
  });

  it('a Range with a NaN delta', async () => {
    const m = save('range_nan', (b) => { b.node('Range', [b.initializer('a', scalar(0)), b.initializer('l', scalar(1)), b.initializer('d', scalar(NaN))], {}, 'nan'); });
    await expectRefused(m, /node 'nan' \(Range\): start 0, limit 1 and delta NaN give no element count/);
  });

  it('an unused Expand to [65536, 65536]', async () => {
    const m = save('expand', (b) => { b.node('Expand', [b.initializer('one', scalar(1)), b.initializer('sh', int64([65536, 65536]))], {}, 'wide'); });
    await expectRefused(m, /node 'wide' \(Expand\).*\[65536, 65536\].*16 GiB/);
  });

  it('a ConstantOfShape with a negative dim', async () => {
    const m = save('negative', (b) => { b.output(b.node('ConstantOfShape', [b.initializer('s', int64([2, -3]))], {}, 'neg'), 'float32', [2, 3]); });
    await expectRefused(m, /node 'neg' \(ConstantOfShape\).*\[2, -3\], and -3 is not a valid dim/);
  });

  it('folds small constants but leaves larger ones to the interpreter', async () => {
    const m = save('large', (b) => {
      const filled = b.node('ConstantOfShape', [b.initializer('s', int64([1 << 21]))], {}, 'fill');
      b.output(b.node('ReduceSum', [filled], { keepdims: 0 }), 'float32', []);
    });
    const out = path.join(tempDir(), 'out');
    const r = await llm2hls('run', m.file, '--inputs', m.inputs, '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'output_1.pb'))).toBe(true);
  });

  it('the interpreter checks output sizes before it executes a node', () => {
    const g: Graph = {
      name: 'g', opset: 17, inputs: [{ name: 's', dtype: 'int64', shape: [2] }], outputs: [{ name: 'y', dtype: 'float32', shape: ['?', '?'] }],
      initializers: new Map(), types: new Map(), meta: {},
      nodes: [{ name: 'fill', opType: 'ConstantOfShape', inputs: ['s'], outputs: ['y'], attrs: {} }],
    };
    expect(() => interpret(g, [int64([1 << 20, 1 << 20])])).toThrow(/node 'fill' \(ConstantOfShape\).*\[1048576, 1048576\].*more than the 2 GiB/);
  });
});

/** Saves a model built by `build`, after `edit` changes its protobuf (what ModelBuilder cannot write). */
function saveEdited(name: string, build: (b: ModelBuilder) => void, edit: (m: onnx.ModelProto) => void = () => {}, opset = 17) {
  const dir = tempDir();
  const b = new ModelBuilder(name, opset);
  build(b);
  const model = onnx.ModelProto.decode(b.toBytes());
  edit(model);
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  const inputs = path.join(dir, 'inputs');
  fs.mkdirSync(inputs);
  writeTensorPb(path.join(inputs, 'input_0.pb'), Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]), 'x');
  return { file, inputs };
}

const AT = onnx.AttributeProto.AttributeType;
/** x: float32[2, 3] -> op -> y, declared `outType`. */
const oneNode = (op: string, attrs: Record<string, AttrValue | FloatAttr> = {}, more: string[] = [], outType: DType = 'float32') => (b: ModelBuilder) => {
  const x = b.input('x', 'float32', [2, 3]);
  b.output(b.node(op, [x, ...more], attrs, 'n'), outType, [2, 3]);
};

describe('invalid models are refused before anything runs (item 21)', () => {
  it('an attribute of the wrong type', async () => {
    await expectRefused(saveEdited('float_axis', oneNode('Softmax', { axis: new FloatAttr(1) })),
      /node 'n' \(Softmax\): attribute 'axis' is of type float, Softmax-13 expects int/);
  });

  it('a repeated attribute', async () => {
    await expectRefused(saveEdited('twice', oneNode('Softmax', { axis: 0 }), (m) => { m.graph!.node![0].attribute!.push({ name: 'axis', type: AT.INT, i: 1 }); }),
      /node 'n' \(Softmax\): attribute 'axis' appears more than once/);
  });

  it('an attribute the op does not have', async () => {
    await expectRefused(saveEdited('alpha', oneNode('Relu', { alpha: 1 })), /node 'n' \(Relu\): unknown attribute 'alpha' \(Relu-14 takes no attributes\)/);
  });

  it('an axes attribute where opset 18 takes an input', async () => {
    await expectRefused(saveEdited('axes18', oneNode('ReduceMean', { axes: [1] }), () => {}, 18),
      /node 'n' \(ReduceMean\): unknown attribute 'axes' \(ReduceMean-18 takes keepdims or noop_with_empty_axes\)/);
  });

  it('a required attribute left out', async () => {
    await expectRefused(saveEdited('no_to', oneNode('Cast')), /node 'n' \(Cast\): required attribute 'to' is missing/);
  });

  it('an initializer of the wrong element type for its op', async () => {
    const build = (b: ModelBuilder) => {
      const x = b.input('x', 'float32', [2, 3]);
      b.output(b.node('LayerNormalization', [x, b.initializer('scale', Tensor.from('int64', [3], [1, 1, 1]))], {}, 'n'), 'float32', [2, 3]);
    };
    await expectRefused(saveEdited('int_scale', build),
      /node 'n' \(LayerNormalization\): input 1 \('scale'\) is int64, but LayerNormalization-17 takes float16, float32 or float64 there/);
  });

  it('inputs that must share a type but do not', async () => {
    await expectRefused(saveEdited('mixed', oneNode('Add', {}, ['w']), (m) => {
      m.graph!.initializer!.push({ name: 'w', dataType: 7, dims: [3], int64Data: [1, 2, 3] });
    }), /node 'n' \(Add\): inputs 'x' \(float32\) and 'w' \(int64\) must have the same element type/);
  });

  it('a declared output type that differs from what is computed', async () => {
    await expectRefused(saveEdited('out_type', oneNode('Relu', {}, [], 'int64')),
      /graph output '\w+' is declared int64, but node 'n' \(Relu\) computes float32/);
  });

  it('an extra input to Add', async () => {
    await expectRefused(saveEdited('add3', oneNode('Add', {}, ['x', 'x'])), /node 'n' \(Add\): has 3 inputs, Add-14 takes 2/);
  });

  it('a graph with no outputs', async () => {
    await expectRefused(saveEdited('no_outputs', oneNode('Relu'), (m) => { m.graph!.output = []; }), /the graph has no outputs/);
  });

  it('two opset imports of the default domain', async () => {
    await expectRefused(saveEdited('two_opsets', oneNode('Relu'), (m) => { m.opsetImport.push({ domain: '', version: 13 }); }),
      /imports the default domain's opset more than once/);
  });

  it('two graphs in one file', async () => {
    const m = saveEdited('two_graphs', oneNode('Relu'));
    const bytes = fs.readFileSync(m.file);
    const graph = onnx.GraphProto.encode(onnx.ModelProto.decode(bytes).graph!).finish();
    // A second ModelProto.graph field (7, length-delimited): decoders keep the last, ONNX Runtime merges both.
    fs.writeFileSync(m.file, Buffer.concat([bytes, Buffer.from([0x3a]), varint(graph.length), graph]));
    await expectRefused(m, /holds 2 graphs; an ONNX model has exactly one/);
  });

  it('a value defined twice', async () => {
    const build = (b: ModelBuilder) => {
      const x = b.input('x', 'float32', [2, 3]);
      b.nodeN('Relu', [x], ['y'], {}, 'first');
      b.nodeN('Neg', [x], ['y'], {}, 'n');
      b.output('y', 'float32', [2, 3]);
    };
    await expectRefused(saveEdited('ssa', build), /node 'n' \(Neg\): output 'y' is already defined/);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
  return Buffer.from([...out, n]);
}

describe('the op schemas', () => {
  const ALL_TYPES: DType[] = ['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'bool'];
  const required: Record<string, (pick: (v: string) => DType) => onnx.IAttributeProto[]> = {
    Cast: (pick) => [{ name: 'to', type: AT.INT, i: dtypeToOnnx(pick('T2')) }],
    Concat: () => [{ name: 'axis', type: AT.INT, i: 0 }],
    ConstantOfShape: (pick) => [{ name: 'value', type: AT.TENSOR, t: tensorToProto(Tensor.zeros(pick('T'), [1]), '') }],
    LayerNormalization: (pick) => [{ name: 'stash_type', type: AT.INT, i: dtypeToOnnx(pick('U')) }],
  };

  /** One node of `op` with every slot a graph input (no shapes), its type variables set by `pick`. */
  function probe(op: string, s: OpSchema, opset: number, pick: (v: string) => DType): Uint8Array {
    const value = (name: string, dtype: DType) => ({ name, type: { tensorType: { elemType: dtypeToOnnx(dtype) } } });
    const inputs = s.inputs.map((slot, i) => value(`i${i}`, pick(parseSlot(slot).variable)));
    const outputs = s.outputs.map((slot, i) => value(`o${i}`, pick(parseSlot(slot).variable)));
    const node = { opType: op, input: inputs.map((v) => v.name), output: outputs.map((v) => v.name), attribute: required[op]?.(pick) ?? [] };
    return onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: { name: 'probe', node: [node], input: inputs, output: outputs },
    })).finish();
  }

  it('allow exactly the element types ONNX Runtime allows, for every op version and type variable', async () => {
    const disagreements: string[] = [];
    for (const op of supportedOps()) {
      const versions = getOp(op)!.schema ?? [];
      for (const [k, s] of versions.entries()) {
        if (op === 'Constant') continue; // no inputs; its type comes from its value
        const opset = Math.max(s.since, 13), last = (versions[k + 1]?.since ?? 22) - 1;
        for (const at of [...new Set([opset, Math.min(last, 21)])]) {
          for (const [variable, allowed] of Object.entries(s.types)) {
            for (const dtype of ALL_TYPES) {
              const bytes = probe(op, s, at, (v) => (v === variable ? dtype : s.types[v][0]));
              let ours = true;
              try { decodeModel(bytes, 'probe'); } catch { ours = false; }
              let theirs = true;
              try { await (await ort.InferenceSession.create(bytes)).release(); } catch (e) {
                theirs = /NOT_IMPLEMENTED|Could not find an implementation|Failed to find kernel/.test(String(e));
              }
              expect(ours).toBe(allowed.includes(dtype));
              // ORT checks nothing about LayerNormalization's statistics outputs: it only lacks a kernel for odd ones.
              const lenient = op === 'LayerNormalization' && variable === 'U' && theirs;
              if (ours !== theirs && !lenient) disagreements.push(`${op}-${s.since} at opset ${at}: ${variable} = ${dtype}: ours ${ours}, ORT ${theirs}`);
            }
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  }, 120_000);
});

describe('found by scripts/fuzz.mjs', () => {
  it('an IR version newer than ONNX 1.16 is unsupported', async () => {
    const m = saveEdited('ir11', oneNode('Relu'), (model) => { model.irVersion = 11; });
    const r = await llm2hls('inspect', m.file);
    expectCleanFailure(r, /IR version 11 is newer than llm2hls reads \(up to 10, ONNX 1\.16\)/, expect);
    expect(r.exitCode).toBe(3);
  });

  it('a repeated reduction axis is reduced once, as in ONNX Runtime', async () => {
    const m = saveEdited('axes_twice', oneNode('ReduceMean', { axes: [-1, -1], keepdims: 0 }), () => {}, 17);
    const out = path.join(tempDir(), 'out');
    const r = await llm2hls('run', m.file, '--inputs', m.inputs, '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readTensorFile(path.join(out, 'output_0.pb')).tensor.toArray()).toEqual([2, 5]);
  });

  it('keepdims other than 1 drops the reduced axis, as in ONNX Runtime', async () => {
    const m = saveEdited('keepdims', (b) => {
      const x = b.input('x', 'float32', [2, 3]);
      b.output(b.node('ReduceSum', [x, b.initializer('axes', int64([1]))], { keepdims: 1000 }, 'n'), 'float32', [2]);
    });
    const out = path.join(tempDir(), 'out');
    const r = await llm2hls('run', m.file, '--inputs', m.inputs, '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/float32\[2\] ->/);
  });
});
