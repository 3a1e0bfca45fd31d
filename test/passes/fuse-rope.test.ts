/** fuse-rope: IR text in, IR text out (and the same numbers before and after). */
import { describe, expect, it } from 'vitest';
import { fuseRope } from '../../compiler/passes/fuse-rope.js';
import { expectNoChange, expectPass, runPass } from '../helpers/passes.js';

const COS = '[1, 1, 1, 1, 0.5, 0.25, 0.5, 0.25]';
const SIN = '[0, 0, 0, 0, 0.75, 0.125, 0.75, 0.125]';

/**
 * LLaMA style on x [1, T=2, H=2 · hd=4]: X4 = Transpose(Reshape(x)), then
 * X4·cos + Concat(−X4[..., 2:], X4[..., :2])·sin with [T, hd] tables.
 */
const rope = (opts: { tables?: string; lo?: [number, number]; hi?: [number, number]; extra?: string; cos?: string } = {}) => {
  const [t1, t2] = [opts.tables ?? 'float32[2, 4]', opts.tables ?? 'float32[2, 4]'];
  const lo = opts.lo ?? [0, 2], hi = opts.hi ?? [2, 9223372036854775807];
  return `
    graph g opset 14
    input %x: float32[1, 2, 8]
    ${opts.cos ?? `const %cos: ${t1} = ${COS}`}
    const %sin: ${t2} = ${SIN}
    const %hs: int64[4] = [1, 2, 2, 4]
    const %lo_s: int64[1] = [${lo[0]}]
    const %lo_e: int64[1] = [${lo[1]}]
    const %hi_s: int64[1] = [${hi[0]}]
    const %hi_e: int64[1] = [${hi[1]}]
    const %axis: int64[1] = [-1]
    const %step: int64[1] = [1]
    %xr = Reshape(%x, %hs)
    %x4 = Transpose(%xr) {perm: [0, 2, 1, 3]}
    %x1 = Slice(%x4, %lo_s, %lo_e, %axis, %step)
    %x2 = Slice(%x4, %hi_s, %hi_e, %axis, %step)
    %a = Mul(%x4, %cos)
    %n = Neg(%x2)
    %r = Concat(%n, %x1) {axis: -1}
    %b = Mul(%r, %sin)
    %y = Add(%a, %b) @"/blocks.0/Add"${opts.extra ?? ''}
    output %y: float32[1, 2, 2, 4]
  `;
};

describe('fuse-rope', () => {
  it('fuses RoPE on a head-split tensor into a token-major llm.RoPE followed by the head split', () => {
    expectPass(fuseRope, rope(), `
      graph g opset 14
      input %x: float32[1, 2, 8]
      const %cos: float32[2, 4] = ${COS}
      const %sin: float32[2, 4] = ${SIN}
      const %"/blocks.0/RoPE/heads_shape": int64[4] = [1, 2, 2, 4]
      %"/blocks.0/RoPE_output_0" = llm.RoPE(%x, %cos, %sin) {heads: 2} @"/blocks.0/RoPE"
      %"/blocks.0/RoPE/Reshape_output_0" = Reshape(%"/blocks.0/RoPE_output_0", %"/blocks.0/RoPE/heads_shape") @"/blocks.0/RoPE/Reshape"
      %y = Transpose(%"/blocks.0/RoPE/Reshape_output_0") {perm: [0, 2, 1, 3]} @"/blocks.0/RoPE/Transpose"
      output %y: float32[1, 2, 2, 4]
    `);
  });

  it('reshapes [1, 1, T, hd] tables to [T, hd]', () => {
    const out = runPass(fuseRope, rope({ tables: 'float32[1, 1, 2, 4]' }));
    expect(out).toContain('llm.RoPE(%x, %cos_2d, %sin_2d) {heads: 2}');
    expect(out).toContain(`const %cos_2d: float32[2, 4] = ${COS}`);
  });

  it('does not fuse halves in the wrong order', () => {
    // concat(-x1, x2) is not rotate_half.
    expectNoChange(fuseRope, rope({ lo: [2, 4], hi: [0, 2] }));
  });

  it('does not fuse when the head-split tensor has another reader', () => {
    expectNoChange(fuseRope, rope({ extra: '\n%z = Relu(%x4)' }) + 'output %z: float32[1, 2, 2, 4]\n');
  });

  it('does not fuse non-constant tables', () => {
    // cos is computed (here: a Relu of a graph input) rather than a folded constant.
    expectNoChange(fuseRope, rope({ cos: 'input %t: float32[2, 4]\n%cos = Relu(%t)' }));
  });
});
