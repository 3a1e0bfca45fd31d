/** llm.Attention: streamed q, k, v of batch 1; past and present keys/values in a KV cache (m_axi). */
import { UnsupportedError } from '../../compiler/errors.js';
import type { AttentionSpec } from '../../compiler/numerics/spec.js';
import { sanitizeIdentifier } from '../sanitize.js';
import type { KernelContext, Task } from './context.js';
import { attentionLanes } from './lanes.js';

export function attention(c: KernelContext): Task {
  const { node, ins, quant } = c;
  const q = quant?.kernel as AttentionSpec | undefined;
  const H = q ? q.heads : Number(node.attrs.heads), Hk = q ? q.kvHeads : Number(node.attrs.kv_heads ?? H);
  const [B, T, C] = c.shapeOf(ins[0]);
  const [, S, Ck] = c.shapeOf(ins[1]);
  const Cv = c.shapeOf(ins[2])[2];
  if (B !== 1) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
  const hd = C / H, hdv = Cv / Hk;
  // Fixed point: calibration ran the golden kernel on these shapes, and it checks this (compiler/kernels/attention.ts).
  if (!q && Ck / Hk !== hd) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: q and k head sizes differ`);
  const P = ins[3] ? c.shapeOf(ins[3])[2] : 0, L = P + S;
  const { lanes } = attentionLanes(c.plan.parallelism, c.kpar, hd);
  c.lanes([lanes, lanes, lanes], lanes);
  c.int('tokens', T); c.int('new_keys', S); c.int('past', P); c.int('cache_len', L);
  c.int('heads', H); c.int('kv_heads', Hk); c.int('head_dim', hd); c.int('v_head_dim', hdv); c.int('lanes', lanes);
  if (q) {
    c.int('causal', q.causal ? 1 : 0);
    c.int('score_m', q.score.m); c.int('score_shift', q.score.shift);
    c.int('out_shift', 15 + quant!.format(node.inputs[2]).frac - quant!.y().frac); c.int('y_bits', quant!.y().bits);
    c.types({ in_t: 'act_type', out_t: 'act_type', kv_t: 'kv_type' });
  } else {
    c.int('causal', Number(node.attrs.causal ?? 0)); c.flt('scale', Number(node.attrs.scale ?? 1));
    c.types({ in_t: 'act_type', kv_t: 'kv_type', acc_t: 'acc_type', out_t: 'act_type' });
  }
  return c.attentionTask(q ? 'attention_q' : 'attention', { heads: Hk, len: L, width: hd, vWidth: hdv, past: P }, [T, H, L, hd]);
}
