/** llm.RoPE: rotary position embedding of [1, T, heads * head_dim] by cos/sin tables. */
import { UnsupportedError } from '../../compiler/errors.js';
import type { RopeSpec } from '../../compiler/numerics/spec.js';
import { sanitizeIdentifier } from '../sanitize.js';
import { arrayChunks, tensorChunks } from './chunks.js';
import type { KernelContext, Task } from './context.js';
import { ropeLanes } from './lanes.js';

export function rope(c: KernelContext): Task {
  const { node, ins, outShape } = c;
  const [B, T, C] = outShape;
  if (B !== 1) throw new UnsupportedError(`RoPE ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
  if (c.quant) {
    const q = c.quant.kernel as RopeSpec;
    const hd = C / q.heads;
    c.int('tokens', T); c.int('heads', q.heads); c.int('head_dim', hd);
    const L = ropeLanes(c.plan.parallelism, hd);
    c.int('par', L); c.lanes([L], L);
    c.int('shift', c.quant.format(node.inputs[0]).frac + 14 - c.quant.y().frac); c.int('y_bits', c.quant.y().bits);
    c.types({ in_t: 'act_type', out_t: 'act_type', p_t: 'short' });
    const cArg = c.addWeight(node.inputs[1], 'as-is', undefined, [T, hd], () => arrayChunks('int16', q.cos), 'int16');
    const sArg = c.addWeight(node.inputs[2], 'as-is', undefined, [T, hd], () => arrayChunks('int16', q.sin), 'int16');
    return c.task('rope_q', [ins[0]], (i, o) => c.render('rope_q', [i[0], cArg, sArg, o]), outShape);
  }
  const H = Number(node.attrs.heads);
  const cos = c.constant(ins[1], 'cos'), sin = c.constant(ins[2], 'sin');
  c.int('tokens', T); c.int('heads', H); c.int('head_dim', C / H);
  const L = ropeLanes(c.plan.parallelism, C / H);
  c.int('par', L); c.lanes([L], L);
  c.types({ in_t: 'act_type', p_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
  const cArg = c.addWeight(node.inputs[1], 'as-is', cos, [...cos.shape], () => tensorChunks(cos));
  const sArg = c.addWeight(node.inputs[2], 'as-is', sin, [...sin.shape], () => tensorChunks(sin));
  return c.task('rope', [ins[0]], (i, o) => c.render('rope', [i[0], cArg, sArg, o]), outShape);
}
