/**
 * Binding symbolic dims (issue #7 items 3, 22, 23) through the real CLI and
 * the API: every bad binding is one line naming it and exit 1; malformed
 * models exit 1 and valid-but-unlowerable ones exit 3; inputs without a
 * shape, or with anonymous dims, bind from their input files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTinyGpt } from '../examples/tiny-gpt.js';
import { onnx } from '../frontend/onnx-proto.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { estimateModel } from '../compiler/estimate.js';
import { inspectModel } from '../compiler/inspect.js';
import { runModel } from '../compiler/run.js';
import { compileModel } from '../backend-hls/compile.js';
import { UnsupportedError, UserError } from '../compiler/errors.js';
import { CliResult, ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const past = path.join(fixtures, 'gpt2_mini_past.onnx');
const decode = path.join(fixtures, 'gpt2_mini_past_data', 'decode'); // sequence 1, past 5: total 6
const tinyData = path.join(ROOT, 'examples', 'tiny_gpt_data'); // input_ids [1, 8]

/** Writes the tiny GPT (built by the project's ModelBuilder) or a model file, after `edit` changes its proto. */
function writeModel(name: string, edit: (m: onnx.ModelProto) => void = () => {}, from?: string): string {
  const model = onnx.ModelProto.decode(from ? fs.readFileSync(from) : buildTinyGpt().toBytes());
  edit(model);
  const file = path.join(tempDir(), `${name}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

const tiny = writeModel('tiny');
const inputType = (m: onnx.ModelProto) => m.graph!.input![0].type!;

/** One clear line on stderr with this exit code. */
function expectError(r: CliResult, exitCode: number, pattern: RegExp): void {
  expectCleanFailure(r, pattern, expect);
  expect(r.exitCode).toBe(exitCode);
}

const outputsOf = (dir: string) => readTensorDir(dir).map((t) => ({ dtype: t.tensor.dtype, shape: [...t.tensor.shape], data: Array.from(t.tensor.data as ArrayLike<number>) }));

describe('bad bindings are refused by every command (item 3)', { timeout: 60_000 }, () => {
  const zero = /binding sequence=0: a dimension must be a positive integer/;

  it('sequence=0 in inspect, estimate and compile; compile writes nothing', async () => {
    expectError(await llm2hls('inspect', tiny, '--bind', 'sequence=0'), 1, zero);
    expectError(await llm2hls('estimate', tiny, '--device', 'u55c', '--bind', 'sequence=0'), 1, zero);
    const out = path.join(tempDir(), 'project');
    expectError(await llm2hls('compile', tiny, '-o', out, '--bind', 'sequence=0'), 1, zero);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('run names a binding its input file contradicts', async () => {
    for (const value of ['0', '3']) {
      const out = path.join(tempDir(), 'out');
      const r = await llm2hls('run', tiny, '--inputs', tinyData, '--out', out, '--bind', `sequence=${value}`);
      expectError(r, 1, new RegExp(`binding sequence=${value} contradicts input 0 'input_ids': the file holds \\[1, 8\\]`));
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('negative, fractional and non-numeric values', async () => {
    for (const value of ['-1', '2.5', 'eight']) {
      expectError(await llm2hls('estimate', tiny, '--device', 'u55c', '--bind', `sequence=${value}`), 1,
        new RegExp(`binding sequence=${value}: a dimension must be a positive integer`));
    }
  });

  it('a name that is no symbolic dim of the model, and two values for one name', async () => {
    expectError(await llm2hls('estimate', tiny, '--device', 'u55c', '--bind', 'seqeunce=8'), 1,
      /binding seqeunce=8: the model has no symbolic dimension named 'seqeunce' \(it has: sequence\)/);
    expectError(await llm2hls('inspect', tiny, '--bind', 'sequence=3', '--bind', 'sequence=4'), 1,
      /binding sequence=4 contradicts sequence=3/);
  });

  it('a derived dim (total_sequence) that disagrees with sequence + past_sequence', async () => {
    const given = ['--bind', 'sequence=5', '--bind', 'past_sequence=1'];
    const wrong = /binding total_sequence=7 contradicts the model: with sequence=5, past_sequence=1, output 'present\.0\.key' is \[1, 2, 6, 16\], so 'total_sequence' is 6/;
    expectError(await llm2hls('inspect', past, ...given, '--bind', 'total_sequence=7'), 1, wrong);
    expectError(await llm2hls('estimate', past, '--device', 'u55c', ...given, '--bind', 'total_sequence=7'), 1, wrong);
    expectError(await llm2hls('compile', past, '-o', path.join(tempDir(), 'p'), ...given, '--bind', 'total_sequence=7'), 1, wrong);
    const r = await llm2hls('run', past, '--inputs', decode, '--out', path.join(tempDir(), 'o'), '--bind', 'total_sequence=7');
    expectError(r, 1, /binding total_sequence=7 contradicts the model: with sequence=1, past_sequence=5/);
  });

  it('the value a derived dim takes is accepted, also by compile\'s calibration sets of other shapes; so is an empty past', async () => {
    const given = ['--bind', 'sequence=5', '--bind', 'past_sequence=1'];
    expect((await llm2hls('estimate', past, '--device', 'u55c', ...given, '--bind', 'total_sequence=6')).exitCode).toBe(0);
    expect((await llm2hls('compile', past, '-o', path.join(tempDir(), 'p'), ...given, '--bind', 'total_sequence=6')).exitCode).toBe(0);
    expect((await llm2hls('run', past, '--inputs', decode, '--out', path.join(tempDir(), 'o'), '--bind', 'total_sequence=6')).exitCode).toBe(0);
    expect((await llm2hls('estimate', past, '--device', 'u55c', '--bind', 'sequence=5', '--bind', 'past_sequence=0')).exitCode).toBe(0);
  });

  it('the API functions refuse the same bindings', async () => {
    const device = 'u55c';
    expect(() => estimateModel(tiny, { device, bindings: { sequence: 0 } })).toThrow(/binding sequence=0: a dimension must be a positive integer/);
    expect(() => estimateModel(tiny, { device, bindings: { sequence: 2.5 } })).toThrow(/binding sequence=2.5: a dimension must be a positive integer/);
    expect(() => inspectModel(tiny, { bindings: { sequence: -3 } })).toThrow(/binding sequence=-3/);
    expect(() => inspectModel(past, { bindings: { sequence: 5, past_sequence: 1, total_sequence: 7 } })).toThrow(/binding total_sequence=7 contradicts/);
    expect(() => runModel(tiny, tinyData, { bindings: { batch: 1 } })).toThrow(/binding batch=1: the model has no symbolic dimension named 'batch'/);
    const dir = path.join(tempDir(), 'p');
    await expect(compileModel(tiny, dir, { bindings: { sequence: Number.NaN } })).rejects.toThrow(/binding sequence=NaN/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('exit-code classes (item 22)', { timeout: 60_000 }, () => {
  it('a graph input with no type or no element type is bad input: exit 1', async () => {
    const untyped = writeModel('untyped', (m) => { m.graph!.input![0].type = null; });
    expectError(await llm2hls('inspect', untyped), 1, /untyped\.onnx: graph input 'input_ids' has no type/);
    const elem0 = writeModel('elem0', (m) => { inputType(m).tensorType!.elemType = 0; });
    expectError(await llm2hls('run', elem0, '--inputs', tinyData, '--out', path.join(tempDir(), 'o')), 1,
      /elem0\.onnx: graph input 'input_ids' has no element type \(elem_type 0/);
    const init0 = writeModel('init0', (m) => { m.graph!.initializer![0].dataType = 0; });
    expectError(await llm2hls('inspect', init0), 1, /init0\.onnx: initializer '[^']+' has no element type \(data_type 0/);
    // A well-formed type llm2hls cannot take stays unsupported.
    const sequence = writeModel('seq', (m) => { m.graph!.input![0].type = { sequenceType: { elemType: { tensorType: { elemType: 7 } } } } as onnx.TypeProto; });
    expectError(await llm2hls('inspect', sequence), 3, /value 'input_ids' is not a tensor/);
  });

  it('a valid model with nodes left unfused is unsupported: exit 3', async () => {
    // Without logits, the KV-cache Concat of gpt2_mini_past feeds a present output and no kernel absorbs it.
    const noLogits = writeModel('no_logits', (m) => { m.graph!.output = m.graph!.output!.filter((o) => o.name !== 'logits'); }, past);
    const bind = ['--bind', 'sequence=1', '--bind', 'past_sequence=5'];
    expectError(await llm2hls('compile', noLogits, '-o', path.join(tempDir(), 'p'), ...bind), 3, /op Concat has no fixed-point semantics/);
    expectError(await llm2hls('run', noLogits, '--inputs', decode, '--out', path.join(tempDir(), 'o'), '--precision', 'w8a16'), 3,
      /op Concat has no fixed-point semantics/);
    expectError(await llm2hls('estimate', noLogits, '--device', 'u55c', ...bind), 3, /is not a fused kernel/);
    const r = await llm2hls('run', noLogits, '--inputs', decode, '--out', path.join(tempDir(), 'o'));
    expect(r.exitCode).toBe(0); // the float golden model runs it
  });

  it('the API throws the same classes', () => {
    const untyped = writeModel('untyped', (m) => { m.graph!.input![0].type = null; });
    const error = (() => { try { inspectModel(untyped); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(UserError);
    expect(error).not.toBeInstanceOf(UnsupportedError);
  });
});

describe('inputs without a shape or with anonymous dims (item 23)', { timeout: 60_000 }, () => {
  const reference = tempDir();
  beforeAll(async () => {
    expect((await llm2hls('run', tiny, '--inputs', tinyData, '--out', reference)).exitCode).toBe(0);
  });

  it('a graph input with no shape field takes its input file\'s shape', async () => {
    const shapeless = writeModel('shapeless', (m) => { inputType(m).tensorType!.shape = null; });
    const out = tempDir();
    const r = await llm2hls('run', shapeless, '--inputs', tinyData, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(outputsOf(out)).toEqual(outputsOf(reference));
    const inspect = await llm2hls('inspect', shapeless);
    expect(inspect.exitCode).toBe(0);
    expect(inspect.stdout).toMatch(/input_ids: int64 \(no shape in the model: an input file gives it\)/);
    expectError(await llm2hls('estimate', shapeless, '--device', 'u55c'), 1, /input 'input_ids' has no shape in the model \(not even a rank\)/);
  });

  it('a dim with neither dim_value nor dim_param binds like a named one, as input_ids.dim1', async () => {
    const anonymous = writeModel('anonymous', (m) => { inputType(m).tensorType!.shape!.dim![1] = {} as onnx.TensorShapeProto.Dimension; });
    const out = tempDir();
    expect((await llm2hls('run', anonymous, '--inputs', tinyData, '--out', out)).exitCode).toBe(0);
    expect(outputsOf(out)).toEqual(outputsOf(reference));
    expectError(await llm2hls('estimate', anonymous, '--device', 'u55c'), 1, /symbolic dimension\(s\) 'input_ids\.dim1'.*--bind input_ids\.dim1=8/);
    const bound = await llm2hls('estimate', anonymous, '--device', 'u55c', '--bind', 'input_ids.dim1=8', '--json');
    const named = await llm2hls('estimate', tiny, '--device', 'u55c', '--bind', 'sequence=8', '--json');
    expect(bound.exitCode).toBe(0);
    const { model: _a, ...boundReport } = JSON.parse(bound.stdout);
    const { model: _b, ...namedReport } = JSON.parse(named.stdout);
    expect(boundReport).toEqual(namedReport);
  });
});
