/**
 * Sizes past what a model or llm2hls can hold, through the real CLI: huge
 * --bind values, sequences past the positional embedding table, token ids
 * past the vocabulary in the quantized run, generate past the context, and
 * a run --out that would overwrite its --inputs folder. Each is exit 1 and
 * one line naming what to change, never an internal error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTinyGpt } from '../examples/tiny-gpt.js';
import { onnx } from '../frontend/onnx-proto.js';
import { writeTensorPb } from '../frontend/tensor-files.js';
import { Tensor } from '../compiler/tensor.js';
import { estimateModel } from '../compiler/estimate.js';
import { inspectModel } from '../compiler/inspect.js';
import { compileModel } from '../backend-hls/compile.js';
import { generate } from '../compiler/generate.js';
import { UserError } from '../compiler/errors.js';
import { CliResult, ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const past = path.join(fixtures, 'gpt2_mini_past.onnx');
const mini = path.join(fixtures, 'gpt2_mini.onnx'); // input_ids [1, 8], vocab 128
const tiny = path.join(ROOT, 'examples', 'tiny_gpt.onnx'); // 16 positions

function expectError(r: CliResult, pattern: RegExp): void {
  expectCleanFailure(r, pattern, expect);
  expect(r.exitCode).toBe(1);
}

/** The tiny GPT with a symbolic batch dim, which no position table bounds. */
function batchedTinyGpt(): string {
  const model = onnx.ModelProto.decode(buildTinyGpt().toBytes());
  model.graph!.input![0].type!.tensorType!.shape!.dim![0] = { dimParam: 'batch' };
  const file = path.join(tempDir(), 'batched.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

describe('huge --bind values (item 1)', () => {
  const bind = (sequence: string) => ['--bind', `sequence=${sequence}`, '--bind', 'past_sequence=0'];

  it('a value beyond 2^53 is not a size, in inspect, estimate and compile', async () => {
    const notSize = /binding sequence=99999999999999999999: not a size \(a dimension is at most 9007199254740991/;
    expectError(await llm2hls('estimate', past, ...bind('99999999999999999999')), notSize);
    expectError(await llm2hls('inspect', past, ...bind('99999999999999999999')), notSize);
    const out = path.join(tempDir(), 'p');
    expectError(await llm2hls('compile', past, '-o', out, ...bind('99999999999999999999')), notSize);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a sequence past the positional embedding table names the table', async () => {
    for (const value of ['4294967296', '100000', '33']) {
      expectError(await llm2hls('estimate', past, ...bind(value)),
        new RegExp(`binding sequence=${value}: the model has 32 positions \\(position embedding '/wpe/Gather' has 32 rows\\)`));
    }
    expectError(await llm2hls('inspect', past, ...bind('100000')), /binding sequence=100000: the model has 32 positions/);
    expectError(await llm2hls('estimate', tiny, '--bind', 'sequence=17'),
      /binding sequence=17: the model has 16 positions \(position embedding 'Gather_11' has 16 rows\)/);
    expectError(await llm2hls('estimate', past, '--bind', 'sequence=5', '--bind', 'past_sequence=30'),
      /binding sequence=5, past_sequence=30: the model has 32 positions .*, and these need 35/);
    expect((await llm2hls('estimate', past, ...bind('32'))).exitCode).toBe(0);
    expect((await llm2hls('estimate', tiny, '--bind', 'sequence=16')).exitCode).toBe(0);
  });

  it('a tensor past the size limit names the binding and the tensor', async () => {
    const batched = batchedTinyGpt();
    expectError(await llm2hls('estimate', batched, '--bind', 'batch=4294967296', '--bind', 'sequence=8'),
      /^llm2hls: error: binding batch=4294967296: node 'Gather_9' \(Gather\): output 'gather_8' would have shape \[4294967296, 8, 16\] .*more than the 2 GiB/);
    expectError(await llm2hls('inspect', batched, '--bind', 'batch=99999999', '--bind', 'sequence=8'), /binding batch=99999999: node 'Gather_9'/);
    expect((await llm2hls('estimate', batched, '--bind', 'batch=2', '--bind', 'sequence=8')).exitCode).toBe(0);
  });

  it('the API refuses the same bindings with a UserError', async () => {
    const device = 'u55c';
    const huge = { sequence: 1e20, past_sequence: 0 };
    expect(() => estimateModel(past, { device, bindings: huge })).toThrow(UserError);
    expect(() => estimateModel(past, { device, bindings: huge })).toThrow(/binding sequence=100000000000000000000: not a size/);
    expect(() => inspectModel(past, { bindings: { sequence: 4294967296, past_sequence: 0 } })).toThrow(/binding sequence=4294967296: the model has 32 positions/);
    await expect(compileModel(past, path.join(tempDir(), 'p'), { bindings: { sequence: 100000, past_sequence: 0 } }))
      .rejects.toThrow(/binding sequence=100000: the model has 32 positions/);
  });
});

describe('quantized run with a token id out of range (item 2)', () => {
  it('is exit 1 in every precision', async () => {
    const data = tempDir();
    writeTensorPb(path.join(data, 'input_0.pb'), Tensor.from('int64', [1, 8], [1, 2, 3, 200, 5, 6, 7, 8]), 'input_ids');
    for (const precision of ['w8a16', 'w8a8']) {
      const r = await llm2hls('run', mini, '--inputs', data, '--out', path.join(tempDir(), 'o'), '--precision', precision);
      expectError(r, /token id 200 \(position 3\) is out of range for an embedding table of 128 rows \(ids are 0\.\.127\)/);
    }
    expectError(await llm2hls('run', mini, '--inputs', data, '--out', path.join(tempDir(), 'o')), /index 200 is out of range/);
  });
});

describe('generate past the model context (item 3)', () => {
  it('fails before the first token', async () => {
    const r = await llm2hls('generate', past, '--prompt-ids', '1,2,3', '--max-new-tokens', '40');
    expectError(r, /prompt \(3\) \+ max-new-tokens \(40\) = 43 exceeds the model's 32 positions/);
    expect(r.stdout).toBe('');
    expectError(await llm2hls('generate', tiny, '--prompt-ids', '1,2,3', '--max-new-tokens', '14'),
      /prompt \(3\) \+ max-new-tokens \(14\) = 17 exceeds the model's 16 positions \(position embedding 'Gather_11' has 16 rows\)/);
    expect(() => generate(past, { promptIds: [1], maxNewTokens: 32 })).toThrow(/= 33 exceeds the model's 32 positions/);
    expect(generate(past, { promptIds: [1, 2, 3], maxNewTokens: 29 }).generated).toHaveLength(29);
  });
});

describe('run --out equal to --inputs (item 4)', () => {
  it('refuses, leaving the reference output untouched', async () => {
    const data = tempDir();
    for (const f of ['input_0.pb', 'output_0.pb']) fs.copyFileSync(path.join(fixtures, 'gpt2_mini_data', f), path.join(data, f));
    const reference = fs.readFileSync(path.join(data, 'output_0.pb'));
    for (const out of [data, `${data}/`, path.join(data, '..', path.basename(data))]) {
      expectError(await llm2hls('run', mini, '--inputs', data, '--out', out, '--precision', 'w8a16'), /--out .* is the --inputs folder/);
    }
    const link = path.join(tempDir(), 'link');
    fs.symlinkSync(data, link);
    expectError(await llm2hls('run', mini, '--inputs', data, '--out', link), /is the --inputs folder/);
    expect(fs.readFileSync(path.join(data, 'output_0.pb')).equals(reference)).toBe(true);
    expect(fs.readdirSync(data).sort()).toEqual(['input_0.pb', 'output_0.pb']);
    expect((await llm2hls('run', mini, '--inputs', data, '--out', path.join(data, 'out'))).exitCode).toBe(0);
  });
});
