/** fuse-rmsnorm: Llama's x · rsqrt(mean(x²) + eps) · w -> llm.RMSNorm. */
import { describe, it } from 'vitest';
import { fuseRMSNorm } from '../../compiler/passes/fuse-rmsnorm.js';
import { fuseLayerNorm } from '../../compiler/passes/fuse-layernorm.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

// What torch writes for Llama's RMSNorm (x * torch.rsqrt(var + eps) * w).
const llamaRms = (patch: (s: string) => string = (s) => s) => patch(`
  graph g opset 14
  input %x: float32[1, 3, 4]
  const %two: float32[] = [2]
  const %eps: float32[] = [0.125]
  const %one: float32[] = [1]
  const %w: float32[4] = [1, -1, 2, 0.5]
  %p = Pow(%x, %two)
  %ms = ReduceMean(%p) {axes: [-1], keepdims: 1}
  %a = Add(%ms, %eps)
  %s = Sqrt(%a)
  %r = Div(%one, %s)
  %n = Mul(%x, %r)
  %y = Mul(%n, %w) @rms
  output %y: float32[1, 3, 4]
`);

describe('fuse-rmsnorm', () => {
  it('fuses the Llama form', () => {
    expectPass(fuseRMSNorm, llamaRms(), `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %w: float32[4] = [1, -1, 2, 0.5]
      %y = llm.RMSNorm(%x, %w) {epsilon: 0.125} @rms
      output %y: float32[1, 3, 4]
    `);
  });

  it('fuses Div(x, sqrt) and Reciprocal(sqrt) forms with gamma first', () => {
    const expected = `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %w: float32[4] = [1, -1, 2, 0.5]
      %y = llm.RMSNorm(%x, %w) {epsilon: 0.125} @rms
      output %y: float32[1, 3, 4]
    `;
    expectPass(fuseRMSNorm, llamaRms((s) => s.replace('%r = Div(%one, %s)\n  %n = Mul(%x, %r)', '%n = Div(%x, %s)')
      .replace('%y = Mul(%n, %w)', '%y = Mul(%w, %n)')), expected);
    expectPass(fuseRMSNorm, llamaRms((s) => s.replace('%r = Div(%one, %s)', '%r = Reciprocal(%s)').replace('%n = Mul(%x, %r)', '%n = Mul(%r, %x)')), expected);
  });

  it('gives an RMSNorm without weight a gamma of ones', () => {
    expectPass(fuseRMSNorm, llamaRms((s) => s.replace('%y = Mul(%n, %w) @rms\n', '').replace('%n = Mul(%x, %r)', '%y = Mul(%x, %r) @rms')), `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %rms.gamma: float32[4] = [1, 1, 1, 1]
      %y = llm.RMSNorm(%x, %rms.gamma) {epsilon: 0.125} @rms
      output %y: float32[1, 3, 4]
    `);
  });

  it('does not fuse a wrong exponent or a Div by a constant other than 1', () => {
    expectNoChange(fuseRMSNorm, llamaRms((s) => s.replace('%two: float32[] = [2]', '%two: float32[] = [4]')));
    expectNoChange(fuseRMSNorm, llamaRms((s) => s.replace('%one: float32[] = [1]', '%one: float32[] = [2]')));
  });

  it('does not fuse when the mean square is used twice', () => {
    expectNoChange(fuseRMSNorm, llamaRms((s) => s.replace('output %y: float32[1, 3, 4]', 'output %y: float32[1, 3, 4]\n  output %ms: float32[1, 3, 1]')));
  });

  it('keeps gamma out of the kernel when the normalized value has another reader', () => {
    expectPass(fuseRMSNorm, llamaRms((s) => s.replace('output %y: float32[1, 3, 4]', 'output %y: float32[1, 3, 4]\n  output %n: float32[1, 3, 4]')), `
      graph g opset 14
      input %x: float32[1, 3, 4]
      const %w: float32[4] = [1, -1, 2, 0.5]
      const %n.gamma: float32[4] = [1, 1, 1, 1]
      %n = llm.RMSNorm(%x, %n.gamma) {epsilon: 0.125}
      %y = Mul(%n, %w) @rms
      output %y: float32[1, 3, 4]
      output %n: float32[1, 3, 4]
    `);
  });

  it('leaves a LayerNorm to fuse-layernorm when that runs first', () => {
    const ln = `
      graph g opset 14
      input %x: float32[2, 4]
      const %two: float32[] = [2]
      const %eps: float32[] = [0.25]
      %m = ReduceMean(%x) {axes: [-1]}
      %d = Sub(%x, %m)
      %p = Pow(%d, %two)
      %v = ReduceMean(%p) {axes: [-1]}
      %ve = Add(%v, %eps)
      %s = Sqrt(%ve)
      %y = Div(%d, %s) @ln
      output %y: float32[2, 4]
    `;
    const afterLn = `
      graph g opset 14
      input %x: float32[2, 4]
      const %ln.gamma: float32[4] = [1, 1, 1, 1]
      %y = llm.LayerNorm(%x, %ln.gamma) {epsilon: 0.25} @ln
      output %y: float32[2, 4]
    `;
    expectPass(fuseLayerNorm, ln, afterLn);
    expectNoChange(fuseRMSNorm, afterLn);
  });
});
