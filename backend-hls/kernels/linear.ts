/** llm.Linear: y = x W (+ b), W read as [N][K] (external or copied on chip). */
import { quantizedTransposedChunks, sharedQuantJob } from '../../compiler/numerics/quantize.js';
import type { LinearSpec } from '../../compiler/numerics/spec.js';
import { sizeOf } from '../../compiler/tensor.js';
import { arrayChunks, tensorChunks, transposedChunks } from './chunks.js';
import type { KernelContext, Task } from './context.js';
import { planLanes } from './lanes.js';

export function linear(c: KernelContext): Task {
  const { node, ins, plan } = c;
  if (c.quant) {
    const q = c.quant.kernel as LinearSpec;
    const [K, N] = q.weights.shape;
    const rows = sizeOf(c.outShape) / N;
    c.int('rows', rows); c.int('in_dim', K); c.int('out_dim', N); c.int('y_bits', c.quant.y().bits);
    c.int('par', plan.parallelism); c.int('kpar', c.kpar); c.int('ii', plan.ii);
    c.lanes([planLanes(c.kpar)], planLanes(plan.parallelism));
    c.types({ in_t: 'act_type', out_t: 'act_type', w_t: 'signed char' });
    const impl = c.weightStorage(node.inputs[1]);
    // Weights, bias, then the per-output requantization: the order their offsets are laid out in.
    const wArg = c.addWeight(node.inputs[1], 'transposed', undefined, [N, K], () => quantizedTransposedChunks(q.weights), 'int8', () => sharedQuantJob(q.weights));
    const bArg = q.bias ? c.addWeight(node.inputs[2], 'as-is', undefined, [N], () => arrayChunks('int64', q.bias!), 'int64') : undefined;
    const mArg = c.addWeight(`${node.inputs[1]} requant m`, 'as-is', undefined, [N], () => arrayChunks('int32', q.requant.m), 'int32');
    const sArg = c.addWeight(`${node.inputs[1]} requant shift`, 'as-is', undefined, [N], () => arrayChunks('int32', q.requant.shift), 'int32');
    return c.task('linear_q', [ins[0]], (i, o) => (impl
      ? c.render(`linear_q_onchip_${impl}`, [i[0], wArg, bArg ?? '0', mArg, sArg, o], [bArg ? 'true' : 'false'])
      : bArg
        ? c.render('linear_q', [i[0], wArg, bArg, mArg, sArg, o])
        : c.render('linear_q_nobias', [i[0], wArg, mArg, sArg, o])), [rows, K, N]);
  }
  const w = c.constant(ins[1], 'W');
  const [K, N] = w.shape;
  const rows = sizeOf(c.outShape) / N;
  c.int('rows', rows); c.int('in_dim', K); c.int('out_dim', N); c.int('par', plan.parallelism); c.int('kpar', c.kpar); c.int('ii', plan.ii);
  c.lanes([planLanes(c.kpar)], planLanes(plan.parallelism));
  c.types({ in_t: 'act_type', w_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
  const impl = c.weightStorage(node.inputs[1]);
  const wArg = c.addWeight(node.inputs[1], 'transposed', w, [N, K], () => transposedChunks(w));
  const b = ins[2] ? c.constant(ins[2], 'b') : undefined;
  const bArg = b ? c.addWeight(node.inputs[2], 'as-is', b, [N], () => tensorChunks(b)) : undefined;
  // The on-chip kernel takes a bias pointer either way (W stands in when there is none).
  return c.task('linear', [ins[0]], (i, o) => (impl
    ? c.render(`linear_onchip_${impl}`, [i[0], wArg, bArg ?? wArg, o], [bArg ? 'true' : 'false'])
    : bArg
      ? c.render('linear', [i[0], wArg, bArg, o])
      : c.render('linear_nobias', [i[0], wArg, o])), [rows, K, N]);
}
