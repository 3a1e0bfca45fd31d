/** fuse-gelu: tanh and erf GELU in the association orders exporters write -> llm.Gelu. */
import { describe, it } from 'vitest';
import { fuseGelu } from '../../compiler/passes/fuse-gelu.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

// GPT-2's NewGELUActivation as torch writes it: x*x*x, constants on the left.
const gpt2Gelu = (patch: (s: string) => string = (s) => s) => patch(`
  graph g opset 14
  input %x: float32[2, 8]
  const %c: float32[] = [0.044714998453855515]
  const %k: float32[] = [0.7978845834732056]
  const %one: float32[] = [1]
  const %half: float32[] = [0.5]
  %x2 = Mul(%x, %x)
  %x3 = Mul(%x, %x2)
  %cx3 = Mul(%c, %x3)
  %inner = Add(%x, %cx3)
  %arg = Mul(%k, %inner)
  %t = Tanh(%arg)
  %onePlus = Add(%one, %t)
  %xt = Mul(%x, %onePlus)
  %y = Mul(%half, %xt) @gelu
  output %y: float32[2, 8]
`);

// nn.GELU() (erf form) as torch writes it.
const erfGelu = (patch: (s: string) => string = (s) => s) => patch(`
  graph g opset 14
  input %x: float32[2, 8]
  const %sqrt2: float32[] = [1.4142135381698608]
  const %one: float32[] = [1]
  const %half: float32[] = [0.5]
  %u = Div(%x, %sqrt2)
  %e = Erf(%u)
  %onePlus = Add(%e, %one)
  %xe = Mul(%x, %onePlus)
  %y = Mul(%xe, %half) @gelu
  output %y: float32[2, 8]
`);

const fusedTanh = `
  graph g opset 14
  input %x: float32[2, 8]
  %y = llm.Gelu(%x) {approximate: "tanh"} @gelu
  output %y: float32[2, 8]
`;

const fusedErf = `
  graph g opset 14
  input %x: float32[2, 8]
  %y = llm.Gelu(%x) {approximate: "none"} @gelu
  output %y: float32[2, 8]
`;

describe('fuse-gelu', () => {
  it('fuses the tanh form with x·x·x', () => {
    expectPass(fuseGelu, gpt2Gelu(), fusedTanh);
  });

  it('fuses the tanh form with Pow(x, 3) and 0.5·x computed first', () => {
    expectPass(fuseGelu, `
      graph g opset 17
      input %x: float32[2, 8]
      const %three: float32[] = [3]
      const %c: float32[] = [0.044714998453855515]
      const %k: float32[] = [0.7978845834732056]
      const %one: float32[] = [1]
      const %half: float32[] = [0.5]
      %x3 = Pow(%x, %three)
      %cx3 = Mul(%x3, %c)
      %inner = Add(%x, %cx3)
      %arg = Mul(%inner, %k)
      %hx = Mul(%x, %half)
      %t = Tanh(%arg)
      %onePlus = Add(%t, %one)
      %y = Mul(%hx, %onePlus) @gelu
      output %y: float32[2, 8]
    `, fusedTanh.replace('opset 14', 'opset 17'));
  });

  it('fuses the erf form with Div by √2, Mul by 1/√2 and a Div by 2', () => {
    expectPass(fuseGelu, erfGelu(), fusedErf);
    expectPass(fuseGelu, erfGelu((s) => s.replace('[1.4142135381698608]', '[0.7071067690849304]').replace('Div(%x, %sqrt2)', 'Mul(%sqrt2, %x)')), fusedErf);
    expectPass(fuseGelu, erfGelu((s) => s.replace('[0.5]', '[2]').replace('%y = Mul(%xe, %half)', '%y = Div(%xe, %half)')), fusedErf);
  });

  it('does not fuse wrong constants', () => {
    expectNoChange(fuseGelu, gpt2Gelu((s) => s.replace('[0.044714998453855515]', '[0.04]')));
    expectNoChange(fuseGelu, gpt2Gelu((s) => s.replace('[0.7978845834732056]', '[0.8]')));
    expectNoChange(fuseGelu, erfGelu((s) => s.replace('[1.4142135381698608]', '[1.5]')));
    expectNoChange(fuseGelu, erfGelu((s) => s.replace('%half: float32[] = [0.5]', '%half: float32[] = [0.25]')));
  });

  it('does not fuse x² (instead of x³) or an erf of another value', () => {
    expectNoChange(fuseGelu, gpt2Gelu((s) => s.replace('%cx3 = Mul(%c, %x3)', '%cx3 = Mul(%c, %x2)').replace('%x3 = Mul(%x, %x2)\n', '')));
    expectNoChange(fuseGelu, erfGelu((s) => s.replace('input %x: float32[2, 8]', 'input %x: float32[2, 8]\n  input %z: float32[2, 8]').replace('Div(%x, %sqrt2)', 'Div(%z, %sqrt2)')));
  });

  it('does not fuse when an intermediate is used twice', () => {
    expectNoChange(fuseGelu, gpt2Gelu((s) => s.replace('output %y: float32[2, 8]', 'output %y: float32[2, 8]\n  output %t: float32[2, 8]')));
    expectNoChange(fuseGelu, erfGelu((s) => s.replace('%y = Mul(%xe, %half) @gelu', '%y0 = Mul(%xe, %half) @gelu\n  %y = Add(%y0, %u)').replace('output %y', 'output %y')));
  });
});
