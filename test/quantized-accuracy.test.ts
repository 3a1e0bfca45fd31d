/**
 * The w8a16 accuracy targets on every exported fixture and the bundled
 * example: logits cosine ≥ 0.99 and top-1 agreement ≥ 0.9 against float32
 * (scripts/accuracy.mjs prints the full table for every preset).
 */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracyModels, measureAccuracy } from '../compiler/numerics/accuracy.js';
import { quantizeModel, modelTestInputs } from '../compiler/numerics/run-quantized.js';
import { interpretQuantized, runQuantized } from '../compiler/numerics/quant-interpreter.js';
import { specFromJSON, specToJSON } from '../compiler/numerics/spec.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('w8a16 accuracy against float32', () => {
  for (const m of accuracyModels(ROOT).filter((x) => fs.existsSync(x.model))) {
    it(`${m.name}: cosine >= 0.99, top-1 >= 0.9`, () => {
      for (const row of measureAccuracy(m.model, 'w8a16')) {
        expect(row.cosine, `${m.name} ${row.set}`).toBeGreaterThanOrEqual(0.99);
        expect(row.top1, `${m.name} ${row.set}`).toBeGreaterThanOrEqual(0.9);
      }
    });
  }
});

describe('QuantSpec', () => {
  it('survives JSON and reproduces the same integers', () => {
    const model = path.join(ROOT, 'test/fixtures/exported/gpt2_mini_past.onnx');
    const inputs = modelTestInputs(model)[0];
    const { graph, spec } = quantizeModel(model, inputs, 'w8a16');
    const again = specFromJSON(specToJSON(spec));
    expect(again).toEqual(spec);
    const a = runQuantized(graph, spec, inputs).fixed, b = runQuantized(graph, again, inputs).fixed;
    expect(b).toEqual(a);
    expect(interpretQuantized(graph, again, inputs)[0].data).toEqual(interpretQuantized(graph, spec, inputs)[0].data);
  });
});
