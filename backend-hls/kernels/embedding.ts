/** llm.Embedding: one table row per token id. */
import { quantizedRowChunks, sharedQuantJob } from '../../compiler/numerics/quantize.js';
import type { EmbeddingSpec } from '../../compiler/numerics/spec.js';
import { sizeOf } from '../../compiler/tensor.js';
import { arrayChunks, tensorChunks } from './chunks.js';
import type { KernelContext, Task } from './context.js';
import { planLanes } from './lanes.js';

export function embedding(c: KernelContext): Task {
  const { node, ins } = c;
  if (c.quant) {
    const q = c.quant.kernel as EmbeddingSpec;
    const [V, D] = q.table.shape;
    c.int('tokens', sizeOf(c.shapeOf(ins[1]))); c.int('vocab', V); c.int('dim', D); c.int('y_bits', c.quant.y().bits);
    c.int('par', planLanes(c.plan.parallelism)); c.lanes([1], planLanes(c.plan.parallelism));
    c.types({ id_t: 'tok_type', w_t: 'signed char', out_t: 'act_type' });
    const tArg = c.addWeight(node.inputs[0], 'as-is', undefined, [V, D], () => quantizedRowChunks(q.table), 'int8', () => sharedQuantJob(q.table));
    const mArg = c.addWeight(`${node.inputs[0]} requant m`, 'as-is', undefined, [V], () => arrayChunks('int32', q.requant.m), 'int32');
    const sArg = c.addWeight(`${node.inputs[0]} requant shift`, 'as-is', undefined, [V], () => arrayChunks('int32', q.requant.shift), 'int32');
    return c.task('embedding_q', [ins[1]], (i, o) => c.render('embedding_q', [i[0], tArg, mArg, sArg, o]), [V, D]);
  }
  const table = c.constant(ins[0], 'table');
  const [V, D] = table.shape;
  c.int('tokens', sizeOf(c.shapeOf(ins[1]))); c.int('vocab', V); c.int('dim', D);
  c.int('par', planLanes(c.plan.parallelism)); c.lanes([1], planLanes(c.plan.parallelism));
  c.types({ id_t: 'tok_type', w_t: 'wgt_type', out_t: 'act_type' });
  const tArg = c.addWeight(node.inputs[0], 'as-is', table, [V, D], () => tensorChunks(table));
  return c.task('embedding', [ins[1]], (i, o) => c.render('embedding', [i[0], tArg, o]), [V, D]);
}
