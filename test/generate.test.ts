/** Greedy generation on the golden models, through the KV cache and without one (sampling: generate-sampling.test.ts). */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../compiler/generate.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { runGraph } from '../compiler/run.js';
import { Tensor } from '../compiler/tensor.js';
import { ROOT, expectCleanFailure, llm2hls } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const past = path.join(fixtures, 'gpt2_mini_past.onnx');
const ref = JSON.parse(readFileSync(path.join(fixtures, 'gpt2_mini_past_generate.json'), 'utf8')) as { prompt: number[]; generated: number[] };

describe('generate', () => {
  it('reproduces the exporter\'s greedy tokens through the KV cache (fp32 and w8a16)', () => {
    for (const precision of ['fp32', 'w8a16'] as const) {
      const r = generate(past, { promptIds: ref.prompt, maxNewTokens: ref.generated.length, precision });
      expect(r.kvCache).toBe(true);
      expect(r.generated, precision).toEqual(ref.generated);
    }
  });

  it('re-runs the whole sequence for a model without a KV cache, matching step-by-step argmax', () => {
    const model = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
    const r = generate(model, { promptIds: [1, 2, 3], maxNewTokens: 4 });
    expect(r.kvCache).toBe(false);
    // Independent check: one full run on prompt + the first 3 generated tokens predicts all 4.
    const seq = [1, 2, 3, ...r.generated.slice(0, 3)];
    const [logits] = runGraph(loadOnnxFile(model), [Tensor.from('int64', [1, seq.length], seq)]);
    const vocab = logits.tensor.shape[2];
    const argmaxAt = (t: number) => {
      const row = Array.from(logits.tensor.data.subarray(t * vocab, (t + 1) * vocab));
      return row.indexOf(Math.max(...row));
    };
    expect([argmaxAt(2), argmaxAt(3), argmaxAt(4), argmaxAt(5)]).toEqual(r.generated);
  });

  it('through the CLI, as JSON', async () => {
    const r = await llm2hls('generate', past, '--prompt-ids', ref.prompt.join(','), '--max-new-tokens', '10', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ prompt: ref.prompt, generated: ref.generated, kvCache: true, mode: 'golden' });
  });

  it('names bad prompts, fixed-length models and unbuilt modes', async () => {
    expectCleanFailure(await llm2hls('generate', past, '--prompt-ids', '3,x', '--max-new-tokens', '2'), /--prompt-ids: 'x' is not a token id/, expect);
    expectCleanFailure(await llm2hls('generate', past, '--prompt-ids', '3,999', '--max-new-tokens', '2'), /token 999 is outside the vocabulary 0\.\.127 \(vocab size 128; prompt position 1\)/, expect);
    expectCleanFailure(await llm2hls('generate', path.join(fixtures, 'gpt2_mini.onnx'), '--prompt-ids', '1', '--max-new-tokens', '2'), /fixed length of 8 and the model has no KV cache/, expect);
    const csim = await llm2hls('generate', past, '--prompt-ids', '1', '--max-new-tokens', '2', '--mode', 'csim');
    expect(csim.exitCode).toBe(4);
    expect(csim.stderr).toMatch(/not built yet/);
  });
});
