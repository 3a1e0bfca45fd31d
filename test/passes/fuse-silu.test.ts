/** fuse-silu: x·Sigmoid(x) -> llm.SiLU, then SiLU(gate)·up -> llm.SwiGLU. */
import { describe, it } from 'vitest';
import { fuseSiLU } from '../../compiler/passes/fuse-silu.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

const swiglu = (patch: (s: string) => string = (s) => s) => patch(`
  graph g opset 14
  input %gate: float32[1, 2, 6]
  input %up: float32[1, 2, 6]
  %s = Sigmoid(%gate)
  %a = Mul(%gate, %s) @act
  %y = Mul(%a, %up) @glu
  output %y: float32[1, 2, 6]
`);

describe('fuse-silu', () => {
  it('fuses SiLU(gate) · up into SwiGLU', () => {
    expectPass(fuseSiLU, swiglu(), `
      graph g opset 14
      input %gate: float32[1, 2, 6]
      input %up: float32[1, 2, 6]
      %y = llm.SwiGLU(%gate, %up) @glu
      output %y: float32[1, 2, 6]
    `);
  });

  it('fuses Sigmoid(x) · x alone into SiLU', () => {
    expectPass(fuseSiLU, `
      graph g opset 14
      input %x: float32[3, 4]
      %s = Sigmoid(%x)
      %y = Mul(%s, %x) @act
      output %y: float32[3, 4]
    `, `
      graph g opset 14
      input %x: float32[3, 4]
      %y = llm.SiLU(%x) @act
      output %y: float32[3, 4]
    `);
  });

  it('keeps SiLU separate when its output has another reader', () => {
    expectPass(fuseSiLU, swiglu((s) => s.replace('output %y: float32[1, 2, 6]', 'output %y: float32[1, 2, 6]\n  output %a: float32[1, 2, 6]')), `
      graph g opset 14
      input %gate: float32[1, 2, 6]
      input %up: float32[1, 2, 6]
      %a = llm.SiLU(%gate) @act
      %y = Mul(%a, %up) @glu
      output %y: float32[1, 2, 6]
      output %a: float32[1, 2, 6]
    `);
  });

  it('keeps SiLU · up as a Mul when up broadcasts', () => {
    expectPass(fuseSiLU, swiglu((s) => s.replace('input %up: float32[1, 2, 6]', 'input %up: float32[6]')), `
      graph g opset 14
      input %gate: float32[1, 2, 6]
      input %up: float32[6]
      %a = llm.SiLU(%gate) @act
      %y = Mul(%a, %up) @glu
      output %y: float32[1, 2, 6]
    `);
  });

  it('does not fuse x · Sigmoid(z) or a Sigmoid used twice', () => {
    expectNoChange(fuseSiLU, swiglu((s) => s.replace('%a = Mul(%gate, %s)', '%a = Mul(%up, %s)')));
    expectNoChange(fuseSiLU, swiglu((s) => s.replace('output %y: float32[1, 2, 6]', 'output %y: float32[1, 2, 6]\n  output %s: float32[1, 2, 6]')));
  });
});
