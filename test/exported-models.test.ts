/**
 * Models written by PyTorch's real ONNX exporter (test/fixtures/exported, a
 * copy of shared/models): the golden interpreter must match both the
 * exporter's own outputs and ONNX Runtime within 1e-5 relative.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runModel, runGraph } from '../compiler/run.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { Tensor } from '../compiler/tensor.js';
import { relativeError } from './helpers/compare.js';
import { runOrt } from './helpers/ort.js';

const dir = path.join(import.meta.dirname, 'fixtures', 'exported');

const cases: [string, string][] = [
  ['gpt2_mini.onnx', 'gpt2_mini_data'],
  ['gpt2_mini_op17.onnx', 'gpt2_mini_op17_data'],
  ['llama_mini.onnx', 'llama_mini_data'],
  ['encoder_mini.onnx', 'encoder_mini_data'],
  ['gpt2_mini_past.onnx', 'gpt2_mini_past_data/prefill'],
  ['gpt2_mini_past.onnx', 'gpt2_mini_past_data/decode'],
];

describe('exported transformer fixtures', () => {
  it.each(cases)('%s on %s matches the exporter and ONNX Runtime within 1e-5', async (model, data) => {
    const file = path.join(dir, model);
    const inputs = readTensorDir(path.join(dir, data)).map((t) => t.tensor);
    const expected = readTensorDir(path.join(dir, data), 'output');
    const outputs = runModel(file, path.join(dir, data));
    const ort = await runOrt(file, inputs);
    expect(outputs.map((o) => o.name)).toEqual(expected.map((e) => e.name));
    outputs.forEach((o, i) => {
      expect([...o.tensor.shape]).toEqual([...expected[i].tensor.shape]);
      expect([...o.tensor.shape]).toEqual(ort[i].dims);
      expect(relativeError(o.tensor.toArray(), expected[i].tensor.toArray())).toBeLessThan(1e-5);
      expect(relativeError(o.tensor.toArray(), ort[i].data)).toBeLessThan(1e-5);
    });
  });

  it('gpt2_mini_past greedily generates the exporter\'s 10 tokens through its KV cache', () => {
    const file = path.join(dir, 'gpt2_mini_past.onnx');
    const ref = JSON.parse(readFileSync(path.join(dir, 'gpt2_mini_past_generate.json'), 'utf8')) as { prompt: number[]; generated: number[] };
    const vocab = 128;
    let ids = Tensor.from('int64', [1, ref.prompt.length], ref.prompt);
    let past = [Tensor.zeros('float32', [1, 2, 0, 16]), Tensor.zeros('float32', [1, 2, 0, 16])];
    const tokens: number[] = [];
    for (let step = 0; step < ref.generated.length; step++) {
      const [logits, key, value] = runGraph(loadOnnxFile(file), [ids, ...past]).map((o) => o.tensor);
      const T = logits.shape[1];
      const last = Array.from(logits.data.subarray((T - 1) * vocab, T * vocab));
      const next = last.indexOf(Math.max(...last));
      tokens.push(next);
      ids = Tensor.from('int64', [1, 1], [next]);
      past = [key, value];
    }
    expect(tokens).toEqual(ref.generated);
  });
});
