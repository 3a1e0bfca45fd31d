/** remove-noops: Identity and same-type Cast disappear; graph output names are kept. */
import { describe, it } from 'vitest';
import { removeNoops } from '../../compiler/passes/remove-noops.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

describe('remove-noops', () => {
  it('rewires readers of an Identity and of a float32 -> float32 Cast', () => {
    expectPass(removeNoops, `
      graph g opset 14
      input %x: float32[2]
      %a = Identity(%x)
      %b = Cast(%a) {to: 1}
      %y = Neg(%b)
      output %y: float32[2]
    `, `
      graph g opset 14
      input %x: float32[2]
      %y = Neg(%x)
      output %y: float32[2]
    `);
  });

  it('renames the producer when the Identity writes a graph output', () => {
    expectPass(removeNoops, `
      graph g opset 14
      input %x: float32[2]
      %h = Neg(%x) @neg
      %a = Exp(%h)
      %logits = Identity(%h)
      output %logits: float32[2]
      output %a: float32[2]
    `, `
      graph g opset 14
      input %x: float32[2]
      %logits = Neg(%x) @neg
      %a = Exp(%logits)
      output %logits: float32[2]
      output %a: float32[2]
    `);
  });

  it('keeps a converting Cast and an Identity between two graph values', () => {
    expectNoChange(removeNoops, `
      graph g opset 14
      input %x: float32[2]
      %y = Cast(%x) {to: 7}
      %z = Identity(%x)
      output %y: int64[2]
      output %z: float32[2]
    `);
  });
});
