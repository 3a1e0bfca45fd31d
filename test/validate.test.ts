/**
 * Broken and invalid models (issue #7 items 20 and 21): each is refused
 * through the real CLI with one line naming the node or attribute, exit 1,
 * before anything large is allocated and without writing outputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpret } from '../compiler/interpreter.js';
import { Graph } from '../compiler/graph.js';
import { Tensor } from '../compiler/tensor.js';
import { ModelBuilder } from '../frontend/onnx-writer.js';
import { writeTensorPb } from '../frontend/tensor-files.js';
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
