import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';
import { readTensorFile } from '../../frontend/tensor-files.js';
import { cosine } from '../../compiler/numerics/accuracy.js';

const fixtures = path.join(ROOT, 'test/fixtures/exported');

describe('llm2hls run --precision', () => {
  it('runs the quantized golden model (KV cache, calibrated on a folder of sets)', async () => {
    const out = tempDir();
    const data = path.join(fixtures, 'gpt2_mini_past_data');
    const r = await llm2hls('run', path.join(fixtures, 'gpt2_mini_past.onnx'), '--inputs', path.join(data, 'decode'), '--out', out,
      '--precision', 'w8a16', '--calibrate', data, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).precision).toBe('w8a16');
    for (let i = 0; i < 3; i++) {
      const got = readTensorFile(path.join(out, `output_${i}.pb`)).tensor.toArray();
      const want = readTensorFile(path.join(data, 'decode', `output_${i}.pb`)).tensor.toArray();
      expect(cosine(got, want)).toBeGreaterThan(0.999);
    }
    expect(fs.existsSync(path.join(out, 'output_3.pb'))).toBe(false);
  });

  it('reports a missing calibration folder in one line', async () => {
    const r = await llm2hls('run', path.join(fixtures, 'gpt2_mini.onnx'), '--inputs', path.join(fixtures, 'gpt2_mini_data'), '--out', tempDir(),
      '--precision', 'w8a8', '--calibrate', path.join(tempDir(), 'missing'));
    expectCleanFailure(r, /no such folder of calibration inputs/, expect);
  });
});
