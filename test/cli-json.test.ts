/**
 * Every command's real --json output against its documented schema
 * (docs/schemas/COMMAND.schema.json), and the JSON error every failing
 * command prints under --json (docs/schemas/error.schema.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, llm2hls, tempDir } from './helpers/cli.js';

const SCHEMAS = path.join(ROOT, 'docs', 'schemas');
const TINY = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const TINY_DATA = path.join(ROOT, 'examples', 'tiny_gpt_data');
const PAST = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past.onnx');

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
for (const f of fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json'))) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8')));
}

/** Parses stdout and checks it against COMMAND's schema, naming every violation. */
function expectSchema(command: string, stdout: string): any {
  const value = JSON.parse(stdout);
  const validate = ajv.getSchema(`https://llm2hls.dev/schemas/${command}.schema.json`)!;
  expect(validate, `docs/schemas/${command}.schema.json`).toBeDefined();
  const ok = validate(value);
  expect(ok ? [] : ajv.errorsText(validate.errors, { separator: '\n' }).split('\n')).toEqual([]);
  return value;
}

describe('--json output matches docs/schemas/', () => {
  it('has a schema for every command, and the error', () => {
    const want = ['compile', 'error', 'estimate', 'generate', 'inspect', 'run', 'sim'];
    for (const c of want) expect(fs.existsSync(path.join(SCHEMAS, `${c}.schema.json`)), c).toBe(true);
  });

  it('inspect, with dims unbound and bound (fusion)', async () => {
    const unbound = expectSchema('inspect', (await llm2hls('inspect', PAST, '--json')).stdout);
    expect(unbound.fusion).toBeUndefined();
    const bound = expectSchema('inspect', (await llm2hls('inspect', PAST, '--json', '--bind', 'sequence=3', '--bind', 'past_sequence=4')).stdout);
    expect(bound.fusion.kernels['llm.Attention']).toBe(1);
  });

  it('run, float and quantized', async () => {
    for (const precision of ['fp32', 'w8a16']) {
      const r = await llm2hls('run', TINY, '--inputs', TINY_DATA, '--out', tempDir(), '--precision', precision, '--json');
      expect(r.exitCode).toBe(0);
      expect(expectSchema('run', r.stdout).precision).toBe(precision);
    }
  });

  it('estimate, with its KV cache as objects', async () => {
    const r = expectSchema('estimate', (await llm2hls('estimate', PAST, '--bind', 'sequence=1', '--bind', 'past_sequence=7', '--json')).stdout);
    expect(r.memory.kvCache).toEqual([expect.objectContaining({ location: 'onchip' }), expect.objectContaining({ location: 'onchip' })]);
    expect(typeof r.memory.kvCache[0].name).toBe('string');
  });

  it('generate', async () => {
    expect(expectSchema('generate', (await llm2hls('generate', PAST, '--prompt-ids', '1,2', '--max-new-tokens', '2', '--json')).stdout).sampling.strategy).toBe('greedy');
    const sampled = await llm2hls('generate', PAST, '--prompt-ids', '1,2', '--max-new-tokens', '2', '--temperature', '0.7', '--top-k', '5', '--top-p', '0.9', '--seed', '3', '--json');
    expect(expectSchema('generate', sampled.stdout).sampling).toEqual({ strategy: 'sample', temperature: 0.7, topK: 5, topP: 0.9, seed: 3 });
  });

  describe('compile and sim', () => {
    let project: string;
    beforeAll(async () => {
      project = path.join(tempDir(), 'hls');
      const r = await llm2hls('compile', TINY, '-o', project, '--bind', 'sequence=8', '--json');
      expect(r.exitCode).toBe(0);
      expect(expectSchema('compile', r.stdout).precision).toBe('w8a16');
    }, 120_000);

    it('sim: fixed-point figures, top-1 as a fraction', async () => {
      const r = await llm2hls('sim', project, '--mode', 'csim', '--inputs', TINY_DATA, '--out', tempDir(), '--json');
      expect(r.exitCode).toBe(0);
      const sim = expectSchema('sim', r.stdout);
      expect(sim.bitExact).toBe(true);
      expect(sim.outputs[0].top1).toBeGreaterThan(0);
      expect(sim.outputs[0].top1).toBeLessThanOrEqual(1);
    }, 120_000);
  });
});

describe('errors under --json', () => {
  const cases: [string, number, string[]][] = [
    ['a missing model file', 1, ['inspect', path.join(ROOT, 'no-such.onnx'), '--json']],
    ['a bad option value', 1, ['estimate', TINY, '--precision', 'w9', '--json']],
    ['an unknown option', 2, ['estimate', TINY, '--devce', 'u55c', '--json']],
    ['a part not built yet', 4, ['generate', PAST, '--prompt-ids', '1', '--max-new-tokens', '1', '--mode', 'csim', '--json']],
  ];
  for (const [what, code, args] of cases) {
    it(`${what}: {"error": {"code": ${code}, ...}} on stdout, the line on stderr`, async () => {
      const r = await llm2hls(...args);
      expect(r.exitCode).toBe(code);
      const { error } = expectSchema('error', r.stdout);
      expect(error.code).toBe(code);
      expect(r.stderr.trim()).toBe(`llm2hls: error: ${error.message}`);
    });
  }
});
