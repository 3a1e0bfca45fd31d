/** fuse-linear: MatMul/Gemm with constant weights (+ bias) -> llm.Linear; Split of a Linear -> one Linear per piece. */
import { describe, it } from 'vitest';
import { fuseLinear } from '../../compiler/passes/fuse-linear.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

describe('fuse-linear', () => {
  it('fuses MatMul + bias in either operand order', () => {
    const text = (add: string) => `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %b: float32[2] = [0.5, -0.5]
      %mm = MatMul(%x, %w) @fc/MatMul
      %y = ${add} @fc/Add
      output %y: float32[1, 2, 2]
    `;
    const fused = `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %b: float32[2] = [0.5, -0.5]
      %y = llm.Linear(%x, %w, %b) @fc/Add
      output %y: float32[1, 2, 2]
    `;
    expectPass(fuseLinear, text('Add(%mm, %b)'), fused);
    expectPass(fuseLinear, text('Add(%b, %mm)'), fused);
  });

  it('fuses a MatMul without bias and reshapes a [1, 1, N] bias', () => {
    expectPass(fuseLinear, `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %b: float32[1, 1, 2] = [0.5, -0.5]
      const %v: float32[2, 2] = [1, 0, 0, 1]
      %mm = MatMul(%x, %w)
      %h = Add(%mm, %b)
      %y = MatMul(%h, %v)
      output %y: float32[1, 2, 2]
    `, `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %v: float32[2, 2] = [1, 0, 0, 1]
      const %b_1: float32[2] = [0.5, -0.5]
      %h = llm.Linear(%x, %w, %b_1)
      %y = llm.Linear(%h, %v)
      output %y: float32[1, 2, 2]
    `);
  });

  it('splits a fused QKV projection into one Linear per piece', () => {
    expectPass(fuseLinear, `
      graph g opset 14
      input %x: float32[1, 4, 2]
      const %w: float32[2, 6] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
      const %b: float32[6] = [0.5, 1, 1.5, 2, 2.5, 3]
      const %sizes: int64[3] = [2, 2, 2]
      %mm = MatMul(%x, %w)
      %qkv = Add(%b, %mm) @qkv
      %q, %k, %v = Split(%qkv, %sizes) {axis: 2} @split
      output %q: float32[1, 4, 2]
      output %k: float32[1, 4, 2]
      output %v: float32[1, 4, 2]
    `, `
      graph g opset 14
      input %x: float32[1, 4, 2]
      const %w.split0: float32[2, 2] = [1, 2, 7, 8]
      const %b.split0: float32[2] = [0.5, 1]
      const %w.split1: float32[2, 2] = [3, 4, 9, 10]
      const %b.split1: float32[2] = [1.5, 2]
      const %w.split2: float32[2, 2] = [5, 6, 11, 12]
      const %b.split2: float32[2] = [2.5, 3]
      %q = llm.Linear(%x, %w.split0, %b.split0) @qkv.split0
      %k = llm.Linear(%x, %w.split1, %b.split1) @qkv.split1
      %v = llm.Linear(%x, %w.split2, %b.split2) @qkv.split2
      output %q: float32[1, 4, 2]
      output %k: float32[1, 4, 2]
      output %v: float32[1, 4, 2]
    `);
  });

  it('keeps a Split on another axis, or of a Linear read elsewhere', () => {
    expectPass(fuseLinear, `
      graph g opset 18
      input %x: float32[4, 2]
      const %w: float32[2, 2] = [1, 2, 3, 4]
      %y = MatMul(%x, %w)
      %a, %b = Split(%y) {axis: 0, num_outputs: 2}
      output %a: float32[2, 2]
      output %b: float32[2, 2]
    `, `
      graph g opset 18
      input %x: float32[4, 2]
      const %w: float32[2, 2] = [1, 2, 3, 4]
      %y = llm.Linear(%x, %w)
      %a, %b = Split(%y) {axis: 0, num_outputs: 2}
      output %a: float32[2, 2]
      output %b: float32[2, 2]
    `);
    expectPass(fuseLinear, `
      graph g opset 18
      input %x: float32[4, 2]
      const %w: float32[2, 2] = [1, 2, 3, 4]
      %y = MatMul(%x, %w)
      %a, %b = Split(%y) {axis: -1, num_outputs: 2}
      output %a: float32[4, 1]
      output %b: float32[4, 1]
      output %y: float32[4, 2]
    `, `
      graph g opset 18
      input %x: float32[4, 2]
      const %w: float32[2, 2] = [1, 2, 3, 4]
      %y = llm.Linear(%x, %w)
      %a, %b = Split(%y) {axis: -1, num_outputs: 2}
      output %a: float32[4, 1]
      output %b: float32[4, 1]
      output %y: float32[4, 2]
    `);
  });

  it('fuses a tied LM head MatMul(x, Transpose(table))', () => {
    expectPass(fuseLinear, `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %table: float32[4, 3] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
      %t = Transpose(%table) {perm: [1, 0]}
      %logits = MatMul(%x, %t) @lm_head
      output %logits: float32[1, 2, 4]
    `, `
      graph g opset 14
      input %x: float32[1, 2, 3]
      const %table.T: float32[3, 4] = [1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12]
      %logits = llm.Linear(%x, %table.T) @lm_head
      output %logits: float32[1, 2, 4]
    `);
  });

  it('fuses Gemm with transB', () => {
    expectPass(fuseLinear, `
      graph g opset 14
      input %x: float32[2, 3]
      const %B: float32[2, 3] = [1, 2, 3, 4, 5, 6]
      const %C: float32[2] = [0.5, -1]
      %y = Gemm(%x, %B, %C) {transB: 1}
      output %y: float32[2, 2]
    `, `
      graph g opset 14
      input %x: float32[2, 3]
      const %C: float32[2] = [0.5, -1]
      const %B.T: float32[3, 2] = [1, 4, 2, 5, 3, 6]
      %y = llm.Linear(%x, %B.T, %C)
      output %y: float32[2, 2]
    `);
  });

  it('leaves the bias Add alone when the MatMul output has another reader or the bias is not constant', () => {
    expectPass(fuseLinear, `
      graph g opset 14
      input %x: float32[2, 3]
      input %c: float32[2]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %b: float32[2] = [0.5, -0.5]
      %mm = MatMul(%x, %w)
      %y = Add(%mm, %b)
      %z = Add(%mm, %c)
      output %y: float32[2, 2]
      output %z: float32[2, 2]
    `, `
      graph g opset 14
      input %x: float32[2, 3]
      input %c: float32[2]
      const %w: float32[3, 2] = [1, 2, 3, 4, 5, 6]
      const %b: float32[2] = [0.5, -0.5]
      %mm = llm.Linear(%x, %w)
      %y = Add(%mm, %b)
      %z = Add(%mm, %c)
      output %y: float32[2, 2]
      output %z: float32[2, 2]
    `);
  });

  it('does not fuse a MatMul between activations or with a 3-D constant', () => {
    expectNoChange(fuseLinear, `
      graph g opset 14
      input %q: float32[1, 2, 4, 8]
      input %k: float32[1, 2, 8, 4]
      %s = MatMul(%q, %k)
      output %s: float32[1, 2, 4, 4]
    `);
    expectNoChange(fuseLinear, `
      graph g opset 14
      input %x: float32[2, 1, 3]
      const %w: float32[2, 3, 1] = [1, 2, 3, 4, 5, 6]
      %y = MatMul(%x, %w)
      output %y: float32[2, 1, 1]
    `);
  });
});
