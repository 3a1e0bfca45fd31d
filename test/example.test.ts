/** The bundled example: reproducible from source, and equal to ONNX Runtime at every sequence length. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyGpt } from '../examples/tiny-gpt.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { runGraph } from '../compiler/run.js';
import { Tensor } from '../compiler/tensor.js';
import { relativeError } from './helpers/compare.js';
import { runOrt } from './helpers/ort.js';
import { ROOT, tempDir } from './helpers/cli.js';

const example = path.join(ROOT, 'examples', 'tiny_gpt.onnx');

describe('examples/tiny_gpt.onnx', () => {
  it('is exactly what examples/tiny-gpt.ts writes', () => {
    const dir = tempDir();
    writeTinyGpt(dir);
    expect(fs.readFileSync(path.join(dir, 'tiny_gpt.onnx')).equals(fs.readFileSync(example))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'tiny_gpt_data', 'input_0.pb')).equals(fs.readFileSync(path.join(ROOT, 'examples', 'tiny_gpt_data', 'input_0.pb')))).toBe(true);
  });

  it.each([1, 5, 16])('matches ONNX Runtime within 1e-5 with sequence = %i', async (T) => {
    const ids = Tensor.from('int64', [1, T], Array.from({ length: T }, (_, i) => (i * 37 + 11) % 64));
    const [ours] = runGraph(loadOnnxFile(example), [ids]);
    const [ref] = await runOrt(example, [ids]);
    expect([...ours.tensor.shape]).toEqual(ref.dims);
    expect(relativeError(ours.tensor.toArray(), ref.data)).toBeLessThan(1e-5);
  });
});
