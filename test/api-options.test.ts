/**
 * The API's entry points check their options (compiler/options.ts): a bad
 * value from a TypeScript caller is a UserError (exit 1) naming the option in
 * both forms, never a TypeError from inside; and the command-line fixes that
 * go with them (estimate --emit --json, inspect on leftover nodes, help NAME,
 * --max-new-tokens).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelBuilder, UserError, compileModel, estimateModel, generate, inspectModel, simulate } from '../compiler/index.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const TINY = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const BIND = { sequence: 8 };

/** Runs `f` and returns the UserError it throws (failing on anything else). */
async function userError(f: () => unknown): Promise<UserError> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`expected a UserError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message.split('\n')).toHaveLength(1);
    return e;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

/** Exp then Relu on a float input: both ops run, neither is absorbed by a transformer kernel. */
function leftoverModel(): string {
  const b = new ModelBuilder('exp_relu');
  const x = b.input('x', 'float32', [1, 4]);
  const y = b.node('Relu', [b.node('Exp', [x])]);
  b.output(y, 'float32', [1, 4]);
  const file = path.join(tempDir(), 'exp_relu.onnx');
  b.save(file);
  return file;
}

describe('compileModel options', () => {
  it('refuses an unknown target', async () => {
    const out = path.join(tempDir(), 'p');
    const e = await userError(() => compileModel(TINY, out, { target: 'vivado' as never, bindings: BIND }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/target \(--target\): unknown target 'vivado' \(vitis, bambu, rtl\)/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('validates an in-object config like a --config file', async () => {
    const out = path.join(tempDir(), 'p');
    let e = await userError(() => compileModel(TINY, out, { config: { fifoDepth: -3 } as never, bindings: BIND }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/config\.fifoDepth: unknown key/);
    e = await userError(() => compileModel(TINY, out, { config: { model: { fifoDepth: -3 } } as never, bindings: BIND }));
    expect(e.message).toMatch(/config\.model\.fifoDepth: expected a positive integer, got -3/);
    e = await userError(() => compileModel(TINY, out, { config: 42 as never, bindings: BIND }));
    expect(e.message).toMatch(/config \(--config\)/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('takes an in-object config with placements parsed or as written', async () => {
    const out = path.join(tempDir(), 'p');
    const config = { model: { fifoDepth: 32 }, layerTypes: { 'llm.Linear': { weightPlacement: { memory: 'HBM', bank: 3 } } }, layers: {} };
    const r = await compileModel(TINY, out, { precision: 'fp32', bindings: BIND, config: config as never });
    expect(r.kernels).toBeGreaterThan(0);
    const manifest = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    expect(manifest).toMatch(/HBM\[?3|"bank": 3/);
    await compileModel(TINY, out, { precision: 'fp32', bindings: BIND, config: { layerTypes: { 'llm.Linear': { weightPlacement: 'HBM[3]' } } } as never });
  });

  it('refuses a missing output directory', async () => {
    const e = await userError(() => compileModel(TINY, undefined as never));
    expect(e.message).toMatch(/outDir \(-o, --out\): missing/);
  });
});

describe('the model path and bindings', () => {
  it('name the option instead of failing inside', async () => {
    const missing = 'model (MODEL): missing; expected the path of an ONNX model';
    expect((await userError(() => inspectModel(undefined as never))).message).toBe(missing);
    expect((await userError(() => estimateModel(undefined as never))).message).toBe(missing);
    expect((await userError(() => generate(42 as never, { promptIds: [1], maxNewTokens: 1 }))).message).toBe('model (MODEL): got 42; expected the path of an ONNX model');
    const e = await userError(() => compileModel(TINY, path.join(tempDir(), 'p'), { bindings: 'sequence=8' as never }));
    expect(e.message).toMatch(/^bindings \(--bind\): got 'sequence=8'; expected an object such as \{ sequence: 8 \}/);
    expect((await userError(() => estimateModel(TINY, { bindings: ['sequence=8'] as never }))).message).toMatch(/^bindings \(--bind\)/);
    expect((await userError(() => inspectModel(TINY, { bindings: 8 as never }))).message).toMatch(/^bindings \(--bind\)/);
  });
});

describe('simulate options', () => {
  it('names a missing inputs folder', async () => {
    const e = await userError(() => simulate(tempDir(), { mode: 'csim' } as never));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/inputs \(--inputs\): missing/);
  });

  it('refuses an unknown mode with exit 1, not "not built yet"', async () => {
    const e = await userError(() => simulate(tempDir(), { mode: 'foo' as never, inputs: 'in', out: 'out' }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe("mode (--mode): unknown mode 'foo' (csim, csim-threads, verilator, cocotb)");
  });

  it('refuses a missing options object', async () => {
    const e = await userError(() => simulate(tempDir(), undefined as never));
    expect(e.message).toMatch(/simulate: the options argument must be an object/);
  });
});

describe('generate options', () => {
  it('names the missing options', async () => {
    let e = await userError(() => generate(TINY, {} as never));
    expect(e.message).toMatch(/promptIds \(--prompt-ids\): missing/);
    e = await userError(() => generate(TINY, { promptIds: [1] } as never));
    expect(e.message).toMatch(/maxNewTokens \(--max-new-tokens\): missing; expected a positive integer/);
    e = await userError(() => generate(TINY, { promptIds: [1], maxNewTokens: 0 }));
    expect(e.message).toMatch(/maxNewTokens \(--max-new-tokens\): got 0; expected a positive integer/);
    e = await userError(() => generate(TINY, { promptIds: [1, -2], maxNewTokens: 1 }));
    expect(e.message).toMatch(/promptIds \(--prompt-ids\): -2 is not a token id/);
    e = await userError(() => generate(TINY, undefined as never));
    expect(e.message).toMatch(/generate: the options argument must be an object/);
  });
});

describe('estimateModel options', () => {
  it('refuses printIrAfter given as a string', async () => {
    const e = await userError(() => estimateModel(TINY, { bindings: BIND, printIrAfter: 'bogus' as never }));
    expect(e.message).toMatch(/printIrAfter \(--print-ir-after\): got 'bogus'; expected an array of strings/);
  });

  it('refuses a clock that is not a positive number', async () => {
    for (const clockMHz of [-1, 0, Number.NaN, Infinity, 'fast']) {
      const e = await userError(() => estimateModel(TINY, { bindings: BIND, clockMHz: clockMHz as never }));
      expect(e.message).toMatch(/^clockMHz \(--clock\): got .*; expected a positive number of MHz$/);
    }
    expect(estimateModel(TINY, { bindings: BIND, clockMHz: 200 }).clockMHz).toBe(200);
  });
});

describe('inspect', () => {
  it('reports nodes fusion left over, and the CLI exits 3', async () => {
    const model = leftoverModel();
    const report = inspectModel(model);
    expect(report.supported).toBe(true);
    expect(report.fusion?.leftover.map((n) => n.opType).sort()).toEqual(['Exp', 'Relu']);
    const r = await llm2hls('inspect', model);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/2 node\(s\) no transformer kernel absorbed/);
    const j = await llm2hls('inspect', model, '--json');
    expect(j.exitCode).toBe(3);
    expect(JSON.parse(j.stdout).fusion.leftover).toHaveLength(2);
  });

  it('exits 0 on a model it can compile', async () => {
    const r = await llm2hls('inspect', TINY, '--bind', 'sequence=8');
    expect(r.exitCode).toBe(0);
  });
});

describe('command line', () => {
  it('estimate refuses --emit with --json (exit 2)', async () => {
    for (const emit of ['graph', 'dataflow']) {
      const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8', '--emit', emit, '--json');
      expect(r.exitCode).toBe(2);
      expectCleanFailure(r, new RegExp(`--emit ${emit} prints IR text, not JSON`), expect);
      expect(JSON.parse(r.stdout).error.code).toBe(2);
    }
  });

  it('estimate --clock fast names the option', async () => {
    const r = await llm2hls('estimate', TINY, '--bind', 'sequence=8', '--clock', 'fast');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /clockMHz \(--clock\): got 'fast'; expected a positive number of MHz/, expect);
  });

  it('help NAME for an unknown NAME is one line and exit 2', async () => {
    let r = await llm2hls('help', 'bogus');
    expect(r.exitCode).toBe(2);
    expectCleanFailure(r, /^llm2hls: error: unknown command 'bogus' \(commands: inspect, run, compile, sim, estimate, generate, lint\)$/m, expect);
    expect(r.stdout).toBe('');
    r = await llm2hls('help', 'estimat');
    expect(r.exitCode).toBe(2);
    expectCleanFailure(r, /unknown command 'estimat' \(did you mean estimate\?\)/, expect);
    r = await llm2hls('help', 'estimate');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Usage: llm2hls estimate/);
  });

  it('--max-new-tokens 0 and -1 get the same message', async () => {
    for (const n of ['0', '-1', '1.5', 'x']) {
      const r = await llm2hls('generate', TINY, '--prompt-ids', '1', '--max-new-tokens', n);
      expect(r.exitCode).toBe(1);
      expectCleanFailure(r, /maxNewTokens \(--max-new-tokens\): got .*; expected a positive integer$/, expect);
    }
  });
});
