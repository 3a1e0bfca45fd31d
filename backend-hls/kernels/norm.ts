/** llm.LayerNorm and llm.RMSNorm (fixed point: one norm_q kernel, `center` tells them apart). */
import type { NormSpec } from '../../compiler/numerics/spec.js';
import { sizeOf } from '../../compiler/tensor.js';
import { arrayChunks, tensorChunks } from './chunks.js';
import type { KernelContext, Task } from './context.js';
import { planLanes } from './lanes.js';

export function norm(c: KernelContext): Task {
  const { node, ins, outShape } = c;
  if (c.quant) {
    const q = c.quant.kernel as NormSpec;
    const D = q.D;
    const L = planLanes(c.plan.parallelism);
    c.int('rows', sizeOf(outShape) / D); c.int('dim', D); c.int('par', L); c.lanes([L], L); c.int('center', node.opType === 'llm.LayerNorm' ? 1 : 0);
    c.int('inv_d_m', q.invD.m); c.int('inv_d_shift', q.invD.shift); c.lng('eps_u', q.epsU);
    c.int('gamma_frac', q.gammaFrac); c.int('y_frac', c.quant.y().frac); c.int('y_bits', c.quant.y().bits);
    c.types({ in_t: 'act_type', out_t: 'act_type', p_t: 'short' });
    const gArg = c.addWeight(node.inputs[1], 'as-is', undefined, [D], () => arrayChunks('int16', q.gamma), 'int16');
    const bArg = q.beta ? c.addWeight(node.inputs[2], 'as-is', undefined, [D], () => arrayChunks('int64', q.beta!), 'int64') : undefined;
    const kern = bArg ? 'norm_q' : 'norm_q_nobeta';
    return c.task(kern, [ins[0]], (i, o) => c.render(kern, bArg ? [i[0], gArg, bArg, o] : [i[0], gArg, o]), [sizeOf(outShape) / D, D]);
  }
  const D = outShape[outShape.length - 1];
  const L = planLanes(c.plan.parallelism);
  c.int('rows', sizeOf(outShape) / D); c.int('dim', D); c.int('par', L); c.lanes([L], L); c.flt('eps', Number(node.attrs.epsilon ?? 1e-5));
  c.types({ in_t: 'act_type', p_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
  const g = c.constant(ins[1], 'gamma');
  const gArg = c.addWeight(node.inputs[1], 'as-is', g, [D], () => tensorChunks(g));
  const beta = node.opType === 'llm.LayerNorm' && ins[2] ? c.constant(ins[2], 'beta') : undefined;
  const bArg = beta ? c.addWeight(node.inputs[2], 'as-is', beta, [D], () => tensorChunks(beta)) : undefined;
  const kern = node.opType === 'llm.RMSNorm' ? 'rmsnorm' : bArg ? 'layernorm' : 'layernorm_nobeta';
  return c.task(kern, [ins[0]], (i, o) => c.render(kern, bArg ? [i[0], gArg, bArg, o] : [i[0], gArg, o]), [sizeOf(outShape) / D, D]);
}
