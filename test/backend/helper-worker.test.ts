/**
 * Large models (>= 64 MiB) compile with a helper worker on the second core:
 * it computes weight scales, shares calibration work and writes half of the
 * int8 weights. Its projects must be byte-identical to the single-threaded
 * path's (LLM2HLS_NO_WORKER=1), through the real CLI (the worker only exists
 * in dist/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildTinyGpt } from '../../examples/tiny-gpt.js';
import { HELPER_MIN_BYTES } from '../../compiler/helper-worker.js';
import { ROOT, tempDir } from '../helpers/cli.js';

async function compile(model: string, out: string, noWorker: boolean) {
  const r = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'compile', model, '-o', out, '--precision', 'w8a16',
    '--device', 'u55c', '--bind', 'sequence=8', '--json'], { reject: false, env: { FORCE_COLOR: '0', LLM2HLS_NO_WORKER: noWorker ? '1' : '0' } });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return JSON.parse(String(r.stdout)) as { helperWorkers: number; files: string[] };
}

describe('compile with a helper worker', () => {
  it('writes the same project as the single-threaded path', async () => {
    const dir = tempDir();
    const model = path.join(dir, 'wide_vocab.onnx');
    // A 270k-token vocabulary makes the file just over the worker threshold.
    buildTinyGpt({ vocab: 270_000, context: 16, dim: 64, heads: 2, layers: 1, seed: 5 }).save(model);
    expect(fs.statSync(model).size).toBeGreaterThan(HELPER_MIN_BYTES);

    const withWorker = await compile(model, path.join(dir, 'a'), false);
    const single = await compile(model, path.join(dir, 'b'), true);
    expect(withWorker.helperWorkers).toBeGreaterThan(0);
    expect(single.helperWorkers).toBe(0);
    const weights = withWorker.files.filter((f) => f.startsWith('weights/'));
    expect(weights.length).toBeGreaterThan(0);
    for (const f of [...weights, 'quant_spec.json', 'src/top.cpp']) {
      const a = fs.readFileSync(path.join(dir, 'a', f)), b = fs.readFileSync(path.join(dir, 'b', f));
      expect(a.equals(b), f).toBe(true);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
