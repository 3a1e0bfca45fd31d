/**
 * Calibration rules of docs/numerics.md section 4 that keep compile
 * proportionate on large models: the decoder prefix, calibration sets of
 * other shapes under explicit bindings, and the streamed spec JSON.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_TOKENS, calibrationPrefix, loadFused, modelTestInputs, quantizeModel } from '../../compiler/numerics/run-quantized.js';
import { collectStats } from '../../compiler/numerics/calibrate.js';
import { specJSONChunks, specToJSON } from '../../compiler/numerics/spec.js';
import { Tensor } from '../../compiler/tensor.js';

const F = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'exported');

describe('calibration rules', () => {
  it('a causal decoder calibrated on a prefix sees exactly the prefix run of the same graph', () => {
    // tiny_gpt binds its sequence length from the inputs, so the prefix can also run bound to its own length.
    const model = path.join(F, '..', '..', '..', 'examples', 'tiny_gpt.onnx');
    const [inputs] = modelTestInputs(model);
    const graph = loadFused(model, inputs);
    const T = inputs[0].shape[1];
    const tokens = Math.max(1, T - 3);
    const prefix = calibrationPrefix(graph, [inputs], tokens)!;
    expect(prefix).toBeDefined();
    expect(prefix.sets[0][0].shape).toEqual([inputs[0].shape[0], tokens]);
    // The same statistics as running the model bound to the prefix's own length.
    const ids = prefix.sets[0][0];
    const direct = collectStats(loadFused(model, [ids]), [[ids]]);
    const viaPrefix = collectStats(prefix.graph, prefix.sets);
    for (const [name, m] of direct) if (viaPrefix.has(name)) expect(viaPrefix.get(name)).toBe(m);
    // A model exported with a static length gets the rule too (same fused graph, cut constants).
    const mini = `${F}/gpt2_mini.onnx`;
    const miniInputs = modelTestInputs(mini)[0];
    expect(calibrationPrefix(loadFused(mini, miniInputs), [miniInputs], 2)).toBeDefined();
    // Bidirectional attention: no prefix rule.
    const enc = `${F}/encoder_mini.onnx`;
    const encInputs = modelTestInputs(enc)[0];
    expect(calibrationPrefix(loadFused(enc, encInputs), [encInputs], 1)).toBeUndefined();
    expect(CALIBRATION_TOKENS).toBe(16);
  });

  it('explicit bindings do not clash with calibration sets of other shapes', () => {
    // gpt2_mini_past's own test inputs are prefill and decode sets; the run is a decode step.
    const model = `${F}/gpt2_mini_past.onnx`;
    const { graph, spec } = quantizeModel(model, undefined, 'w8a16', { bindings: { sequence: 1, past_sequence: 5 } });
    expect(graph.inputs[0].shape).toEqual([1, 1]);
    expect(Object.keys(spec.kernels).length).toBeGreaterThan(0);
  });

  it('specJSONChunks is specToJSON in pieces', () => {
    const model = `${F}/llama_mini.onnx`;
    const [inputs] = modelTestInputs(model);
    const { spec } = quantizeModel(model, inputs, 'w8a16');
    expect([...specJSONChunks(spec)].join('')).toBe(specToJSON(spec));
  });

  it('Tensor.peek and chunks read without caching', () => {
    let loads = 0;
    const t = new Tensor('float32', [2, 3], () => { loads++; return Float32Array.from([1, 2, 3, 4, 5, 6]); });
    expect(Array.from(t.peek())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.loaded).toBe(false);
    expect([...t.chunks(3, 3)].map((c) => [c.start, Array.from(c.values)])).toEqual([[0, [1, 2, 3]], [3, [4, 5, 6]]]);
    expect(t.loaded).toBe(false);
    expect(loads).toBe(2);
  });
});
