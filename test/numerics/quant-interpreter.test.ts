import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../compiler/graph-text.js';
import { interpret } from '../../compiler/interpreter.js';
import { inferGraph } from '../../frontend/infer.js';
import { Tensor } from '../../compiler/tensor.js';
import { calibrate } from '../../compiler/numerics/calibrate.js';
import { interpretQuantized } from '../../compiler/numerics/quant-interpreter.js';
import { cosine } from '../../compiler/numerics/accuracy.js';

const FUSED = `
graph tiny opset 17
input %ids: int64[1, 4]
const %table: float32[6, 4] = [0.1, -0.2, 0.3, 0.4, 0.5, 0.6, -0.7, 0.8, 0.9, -1, 1.1, 0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 0.8, 0.9, 1, -0.1, 0.2, 0.3, 0.25]
const %pos: float32[4, 4] = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16]
const %g: float32[4] = [1, 0.9, 1.1, 1]
const %b: float32[4] = [0, 0.1, -0.1, 0]
const %w: float32[4, 6] = [0.5, -0.25, 0.125, 1, -1, 0.3, 0.2, 0.1, -0.6, 0.7, 0.8, -0.9, 0.05, 0.15, 0.25, -0.35, 0.45, 0.55, -0.2, 0.4, 0.6, 0.8, -0.1, 0.3]
%e = llm.Embedding(%table, %ids)
%x = Add(%e, %pos)
%n = llm.LayerNorm(%x, %g, %b) {epsilon: 0.00001}
%h = llm.Gelu(%n) {approximate: "tanh"}
%logits = llm.Linear(%h, %w)
output %logits: float32[1, 4, 6]
`;

describe('interpretQuantized on a hand-written fused graph', () => {
  it('runs llm.* kernels and Add and stays close to float32', () => {
    const g = parseGraph(FUSED);
    inferGraph(g, { fold: false, strict: true });
    const ids = Tensor.from('int64', [1, 4], [0, 5, 2, -1]);
    const ref = interpret(g, [ids])[0];
    for (const p of ['w8a16', 'w8a8', 'w4a16'] as const) {
      const q = interpretQuantized(g, calibrate(g, [[ids]], p), [ids])[0];
      expect(q.shape).toEqual([1, 4, 6]);
      expect(cosine(q.data, ref.data)).toBeGreaterThan(p === 'w8a16' ? 0.999 : 0.98);
    }
  });

  it('names an op that has no fixed-point semantics', () => {
    const g = parseGraph(`
graph t opset 17
input %x: float32[2, 3]
%y = Softmax(%x) {axis: -1}
output %y: float32[2, 3]
`);
    inferGraph(g, { fold: false, strict: true });
    const x = Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => calibrate(g, [[x]], 'w8a16')).toThrow(/Softmax has no fixed-point semantics/);
  });
});
