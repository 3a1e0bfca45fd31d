/** fuse-layernorm: torch's decomposed LayerNorm and ONNX LayerNormalization -> llm.LayerNorm. */
import { describe, it } from 'vitest';
import { fuseLayerNorm } from '../../compiler/passes/fuse-layernorm.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

// What torch (opset < 17) writes for nn.LayerNorm(4).
const torchLayerNorm = (patch: (s: string) => string = (s) => s) => patch(`
  graph g opset 14
  input %x: float32[1, 3, 4]
  const %two: float32[] = [2]
  const %eps: float32[] = [0.25]
  const %gamma: float32[4] = [1, 2, 3, 4]
  const %beta: float32[4] = [0.5, 0, -0.5, 1]
  %m = ReduceMean(%x) {axes: [-1]}
  %d = Sub(%x, %m)
  %p = Pow(%d, %two)
  %v = ReduceMean(%p) {axes: [-1]}
  %ve = Add(%v, %eps)
  %s = Sqrt(%ve)
  %n = Div(%d, %s)
  %g = Mul(%n, %gamma)
  %y = Add(%g, %beta) @ln
  output %y: float32[1, 3, 4]
`);

describe('fuse-layernorm', () => {
  it('fuses the torch decomposition, keeping the root name', () => {
    expectPass(fuseLayerNorm, torchLayerNorm(), `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %gamma: float32[4] = [1, 2, 3, 4]
      const %beta: float32[4] = [0.5, 0, -0.5, 1]
      %y = llm.LayerNorm(%x, %gamma, %beta) {epsilon: 0.25} @ln
      output %y: float32[1, 3, 4]
    `);
  });

  it('accepts Mul(d, d), Reciprocal, swapped operands, axes [2] and a [1, 1, D] gamma', () => {
    expectPass(fuseLayerNorm, `
      graph g opset 14
      input %x: float32[2, 4]
      const %eps: float32[] = [0.000009999999747378752]
      const %gamma: float32[1, 4] = [1, 2, 3, 4]
      %m = ReduceMean(%x) {axes: [1], keepdims: 1}
      %d = Sub(%x, %m)
      %p = Mul(%d, %d)
      %v = ReduceMean(%p) {axes: [1]}
      %ve = Add(%eps, %v)
      %s = Sqrt(%ve)
      %r = Reciprocal(%s)
      %n = Mul(%r, %d)
      %y = Mul(%gamma, %n)
      output %y: float32[2, 4]
    `, `
      graph g opset 14
      input %x: float32[2, 4]
      const %gamma_1: float32[4] = [1, 2, 3, 4]
      %y = llm.LayerNorm(%x, %gamma_1) {epsilon: 0.000009999999747378752}
      output %y: float32[2, 4]
    `);
  });

  it('gives a LayerNorm without affine parameters a gamma of ones', () => {
    expectPass(fuseLayerNorm, `
      graph g opset 14
      input %x: float32[3, 2]
      const %two: float32[] = [2]
      const %eps: float32[] = [0.5]
      %m = ReduceMean(%x) {axes: [-1]}
      %d = Sub(%x, %m)
      %p = Pow(%d, %two)
      %v = ReduceMean(%p) {axes: [-1]}
      %ve = Add(%v, %eps)
      %s = Sqrt(%ve)
      %y = Div(%d, %s) @norm
      output %y: float32[3, 2]
    `, `
      graph g opset 14
      input %x: float32[3, 2]
      const %norm.gamma: float32[2] = [1, 1]
      %y = llm.LayerNorm(%x, %norm.gamma) {epsilon: 0.5} @norm
      output %y: float32[3, 2]
    `);
  });

  it('converts ONNX LayerNormalization over the last axis', () => {
    expectPass(fuseLayerNorm, `
      graph g opset 17
      input %x: float32[1, 2, 4]
      const %gamma: float32[4] = [1, 2, 3, 4]
      const %beta: float32[4] = [0.5, 0, -0.5, 1]
      %y = LayerNormalization(%x, %gamma, %beta) {axis: -1, epsilon: 0.25} @ln
      %z = LayerNormalization(%y, %gamma) {axis: 2}
      output %z: float32[1, 2, 4]
    `, `
      graph g opset 17
      input %x: float32[1, 2, 4]
      const %gamma: float32[4] = [1, 2, 3, 4]
      const %beta: float32[4] = [0.5, 0, -0.5, 1]
      %y = llm.LayerNorm(%x, %gamma, %beta) {epsilon: 0.25} @ln
      %z = llm.LayerNorm(%y, %gamma) {epsilon: 0.000009999999747378752}
      output %z: float32[1, 2, 4]
    `);
  });

  it('leaves LayerNormalization over more than the last axis alone', () => {
    expectNoChange(fuseLayerNorm, `
      graph g opset 17
      input %x: float32[1, 2, 4]
      const %gamma: float32[2, 4] = [1, 2, 3, 4, 5, 6, 7, 8]
      %y = LayerNormalization(%x, %gamma) {axis: 1}
      output %y: float32[1, 2, 4]
    `);
  });

  it('does not fuse when x − mean is also used outside the pattern', () => {
    expectNoChange(fuseLayerNorm, torchLayerNorm((s) => s.replace('output %y', 'output %d: float32[1, 3, 4]\n  output %y')));
  });

  it('does not fuse when Sqrt feeds another node too', () => {
    expectNoChange(fuseLayerNorm, torchLayerNorm((s) => s.replace('output %y: float32[1, 3, 4]', 'output %y: float32[1, 3, 4]\n  output %t: float32[1, 3, 1]')
      .replace('%g = Mul', '%t = Neg(%s)\n  %g = Mul')));
  });

  it('does not fuse a wrong exponent or a mean over another axis', () => {
    expectNoChange(fuseLayerNorm, torchLayerNorm((s) => s.replace('%two: float32[] = [2]', '%two: float32[] = [3]')));
    expectNoChange(fuseLayerNorm, torchLayerNorm((s) => s.replace('%v = ReduceMean(%p) {axes: [-1]}', '%v = ReduceMean(%p) {axes: [1]}')));
  });

  it('keeps gamma and beta out when they are not per-channel constants', () => {
    expectPass(fuseLayerNorm, torchLayerNorm((s) => s.replace('const %beta: float32[4] = [0.5, 0, -0.5, 1]', 'const %beta: float32[3, 1] = [0.5, 0, -0.5]')), `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %gamma: float32[4] = [1, 2, 3, 4]
      const %beta: float32[3, 1] = [0.5, 0, -0.5]
      %g = llm.LayerNorm(%x, %gamma) {epsilon: 0.25}
      %y = Add(%g, %beta) @ln
      output %y: float32[1, 3, 4]
    `);
  });
});
