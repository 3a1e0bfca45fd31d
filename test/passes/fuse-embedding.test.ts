/** fuse-embedding: Gather axis 0 on a constant 2-D table -> llm.Embedding. */
import { describe, it } from 'vitest';
import { fuseEmbedding } from '../../compiler/passes/fuse-embedding.js';
import { expectNoChange, expectPass } from '../helpers/passes.js';

describe('fuse-embedding', () => {
  it('fuses token and constant-position lookups', () => {
    expectPass(fuseEmbedding, `
      graph g opset 14
      input %ids: int64[1, 3]
      const %wte: float32[5, 2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const %wpe: float32[4, 2] = [0.5, 0.25, -0.5, 1, 2, 4, 8, 16]
      const %pos: int32[1, 3] = [0, 1, 2]
      %tok = Gather(%wte, %ids) @wte
      %p = Gather(%wpe, %pos) {axis: 0} @wpe
      %h = Add(%tok, %p)
      output %h: float32[1, 3, 2]
    `, `
      graph g opset 14
      input %ids: int64[1, 3]
      const %wte: float32[5, 2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const %wpe: float32[4, 2] = [0.5, 0.25, -0.5, 1, 2, 4, 8, 16]
      const %pos.int64: int64[1, 3] = [0, 1, 2]
      %tok = llm.Embedding(%wte, %ids) @wte
      %p = llm.Embedding(%wpe, %pos.int64) @wpe
      %h = Add(%tok, %p)
      output %h: float32[1, 3, 2]
    `);
  });

  it('does not fuse a Gather on another axis or from a computed table', () => {
    expectNoChange(fuseEmbedding, `
      graph g opset 14
      input %ids: int64[3]
      const %wte: float32[2, 5] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      %y = Gather(%wte, %ids) {axis: 1}
      output %y: float32[2, 3]
    `);
    expectNoChange(fuseEmbedding, `
      graph g opset 14
      input %ids: int64[3]
      input %table: float32[4, 2]
      %y = Gather(%table, %ids)
      output %y: float32[3, 2]
    `);
  });
});
