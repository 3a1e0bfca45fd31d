/**
 * Every kind of bad input ends in one clear line on stderr naming the file,
 * node, input or flag, a non-zero exit, no stack trace and no output files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../compiler/tensor.js';
import { ModelBuilder } from '../frontend/onnx-writer.js';
import { writeTensorPb } from '../frontend/tensor-files.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const gpt2 = path.join(fixtures, 'gpt2_mini.onnx');
const gpt2Data = path.join(fixtures, 'gpt2_mini_data');

/** A two-input model y = x @ w (w external when asked) + b. */
function linearModel(dir: string, external: boolean): string {
  const b = new ModelBuilder('linear', 17);
  const x = b.input('x', 'float32', [2, 4]);
  const w = b.initializer('w', Tensor.from('float32', [4, 3], Array.from({ length: 12 }, (_, i) => i / 10)));
  b.output(b.node('MatMul', [x, w]), 'float32', [2, 3]);
  const file = path.join(dir, 'linear.onnx');
  b.save(file, external ? { externalDataThreshold: 1 } : {});
  return file;
}

/** Rewrites the external-data location recorded in a model saved by linearModel. */
function relocate(file: string, location: string): void {
  const bytes = fs.readFileSync(file);
  const old = Buffer.from('linear.onnx.data');
  const at = bytes.indexOf(old);
  if (at < 0 || location.length !== old.length) throw new Error('test setup: location must keep its length');
  Buffer.from(location).copy(bytes, at);
  fs.writeFileSync(file, bytes);
}

async function runExpectingFailure(model: string, inputs: string, pattern: RegExp) {
  const out = path.join(tempDir(), 'out');
  const r = await llm2hls('run', model, '--inputs', inputs, '--out', out);
  expectCleanFailure(r, pattern, expect);
  expect(fs.existsSync(out)).toBe(false);
  return r;
}

describe('bad model files', () => {
  it('an empty file', async () => {
    const file = path.join(tempDir(), 'empty.onnx');
    fs.writeFileSync(file, '');
    expectCleanFailure(await llm2hls('inspect', file), /empty\.onnx: file is empty/, expect);
  });

  it('a truncated model', async () => {
    const file = path.join(tempDir(), 'cut.onnx');
    const bytes = fs.readFileSync(gpt2);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectCleanFailure(await llm2hls('inspect', file), /cut\.onnx: not a valid ONNX model/, expect);
  });

  it('a field with the wrong wire type (protobufjs would read it by number alone; protobuf refuses it)', async () => {
    const dir = tempDir();
    const bytes = fs.readFileSync(linearModel(dir, false));
    // TypeProto.Tensor of input x: tag 0x0a, length, then elem_type as field 1 varint (0x08 0x01 = float32)
    const at = bytes.findIndex((v, i) => v === 0x08 && bytes[i + 1] === 0x01 && bytes[i - 2] === 0x0a && bytes[i + 2] === 0x12);
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0x0a; // field 1, now length-delimited
    const file = path.join(dir, 'wire.onnx');
    fs.writeFileSync(file, bytes);
    expectCleanFailure(await llm2hls('inspect', file),
      /wire\.onnx: not a valid ONNX model \(corrupt protobuf: field 1 of TypeProto\.Tensor arrives as length-delimited, not as varint\)/, expect);
  });

  it('a graph input declaring a negative dimension', async () => {
    const dir = tempDir();
    const b = new ModelBuilder('neg', 17);
    const x = b.input('x', 'float32', [-7, 4]);
    b.output(b.node('Relu', [x]), 'float32', [-7, 4]);
    const file = path.join(dir, 'neg.onnx');
    b.save(file, {});
    expectCleanFailure(await llm2hls('inspect', file), /neg\.onnx: graph input 'x' declares dim 0 as -7: a dimension is a size >= 0 or a name/, expect);
  });

  it('a file that is not ONNX', async () => {
    const file = path.join(tempDir(), 'notes.onnx');
    fs.writeFileSync(file, 'this is a text file, not a protobuf\n'.repeat(20));
    expectCleanFailure(await llm2hls('inspect', file), /notes\.onnx: not a valid ONNX model/, expect);
  });

  it('a missing file', async () => {
    expectCleanFailure(await llm2hls('inspect', '/nonexistent/model.onnx'), /\/nonexistent\/model\.onnx: no such file/, expect);
  });

  it('an unsupported op names the op, the node and the opset', async () => {
    const dir = tempDir();
    const b = new ModelBuilder('conv', 17);
    const x = b.input('x', 'float32', [1, 1, 4, 4]);
    const w = b.initializer('w', Tensor.zeros('float32', [1, 1, 3, 3]));
    b.output(b.node('Conv', [x, w], {}, 'my_conv'), 'float32', [1, 1, 2, 2]);
    const file = path.join(dir, 'conv.onnx');
    b.save(file);
    const inspect = await llm2hls('inspect', file);
    expect(inspect.exitCode).toBe(3);
    expect(inspect.stdout).toMatch(/Conv in node 'my_conv' \(opset 17\)/);
    writeTensorPb(path.join(dir, 'input_0.pb'), Tensor.zeros('float32', [1, 1, 4, 4]), 'x');
    const r = await runExpectingFailure(file, dir, /node 'my_conv' \(Conv\): op Conv \(opset 17\) is not supported/);
    expect(r.exitCode).toBe(3);
  });

  it('a missing external-data file is named', async () => {
    const dir = tempDir();
    const file = linearModel(dir, true);
    fs.rmSync(path.join(dir, 'linear.onnx.data'));
    expectCleanFailure(await llm2hls('inspect', file), /tensor 'w': external data file 'linear\.onnx\.data' not found/, expect);
  });

  it.each([
    ['a parent-folder location', '../secret/xdata1', /outside the model's folder/],
    ['an absolute location', '/etc/passwd12345', /outside the model's folder/],
  ])('refuses %s', async (_what, location, pattern) => {
    const dir = tempDir();
    const file = linearModel(dir, true);
    relocate(file, location);
    expectCleanFailure(await llm2hls('inspect', file), pattern, expect);
  });

  it('refuses a symbolic link that leads outside the model folder, reading nothing', async () => {
    const outside = tempDir();
    const dir = tempDir();
    const file = linearModel(dir, true);
    fs.renameSync(path.join(dir, 'linear.onnx.data'), path.join(outside, 'weights.bin'));
    fs.symlinkSync(path.join(outside, 'weights.bin'), path.join(dir, 'linear.onnx.data'));
    expectCleanFailure(await llm2hls('inspect', file), /resolves to .*weights\.bin, outside the model's folder/, expect);
  });

  it('reads external data that stays inside the folder', async () => {
    const dir = tempDir();
    const file = linearModel(dir, true);
    writeTensorPb(path.join(dir, 'input_0.pb'), Tensor.from('float32', [2, 4], [1, 0, 0, 0, 0, 1, 0, 0]), 'x');
    const out = path.join(dir, 'out');
    const r = await llm2hls('run', file, '--inputs', dir, '--out', out);
    expect(r.exitCode).toBe(0);
    expect(fs.existsSync(path.join(out, 'output_0.pb'))).toBe(true);
  });
});

describe('bad inputs to run', () => {
  it('an input of the wrong shape names the input', async () => {
    const dir = tempDir();
    writeTensorPb(path.join(dir, 'input_0.pb'), Tensor.zeros('int64', [1, 2, 3]), 'input_ids');
    await runExpectingFailure(gpt2, dir, /input 0 'input_ids': expected shape \[1, 8\]/);
  });

  it('an input of the wrong type names the input', async () => {
    const dir = tempDir();
    writeTensorPb(path.join(dir, 'input_0.pb'), Tensor.zeros('float32', [1, 8]), 'input_ids');
    await runExpectingFailure(gpt2, dir, /input 0 'input_ids': expected element type int64, the file holds float32/);
  });

  it('too many inputs', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(gpt2Data, 'input_0.pb'), path.join(dir, 'input_0.pb'));
    fs.copyFileSync(path.join(gpt2Data, 'input_0.pb'), path.join(dir, 'input_1.pb'));
    await runExpectingFailure(gpt2, dir, /takes 1 input\(s\) \('input_ids'\), but 2 input file\(s\) were given/);
  });

  it('no inputs at all', async () => {
    await runExpectingFailure(gpt2, tempDir(), /no input_0\.pb or input_0\.npy found/);
  });

  it('a corrupt input file is named', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'input_0.pb'), Buffer.from([0x08, 0x01, 0x08, 0x08, 0x10, 0x07, 0x4a, 0x40, 1, 2]));
    await runExpectingFailure(gpt2, dir, /input_0\.pb/);
  });

  it('a missing flag is a usage error', async () => {
    const r = await llm2hls('run', gpt2, '--inputs', gpt2Data);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });
});
