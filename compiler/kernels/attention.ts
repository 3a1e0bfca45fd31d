/**
 * llm.Attention: multi-head (and grouped-query) scaled dot-product attention
 * on token-major activations, with an optional KV cache. See README.md.
 *
 *   inputs  q [B, T, H·hd], k [B, S, Hk·hd], v [B, S, Hk·hdv],
 *           past_k [B, Hk, P, hd] (optional), past_v [B, Hk, P, hdv] (optional)
 *   outputs y [B, T, H·hdv], present_k [B, Hk, P+S, hd], present_v [B, Hk, P+S, hdv]
 *   attrs   heads H, kv_heads Hk (default H), scale (default 1), causal 0/1 (default 0)
 *
 * Query head h reads kv head ⌊h / (H/Hk)⌋. With `causal`, key j is visible
 * to query i iff j ≤ i + (P+S−T). Scores, softmax and the weighted sum of V
 * accumulate in float64; each output is rounded to its type once.
 */
import { Dim, ValueType } from '../graph.js';
import { Tensor } from '../tensor.js';
import { OpCall, OpDef, required } from '../ops/op.js';
import { registerOp } from '../ops/registry.js';

interface Config { H: number; Hk: number; scale: number; causal: boolean }

function config(call: OpCall): Config {
  const H = call.int('heads');
  const Hk = call.int('kv_heads', H);
  const scale = call.float('scale', 1);
  const causal = call.int('causal', 0);
  if (!Number.isInteger(H) || H < 1) call.fail(`heads must be a positive integer, got ${H}`);
  if (!Number.isInteger(Hk) || Hk < 1 || H % Hk !== 0) call.fail(`kv_heads ${Hk} must divide heads ${H}`);
  if (causal !== 0 && causal !== 1) call.fail(`causal must be 0 or 1, got ${causal}`);
  if (!Number.isFinite(scale)) call.fail(`scale must be finite, got ${scale}`);
  return { H, Hk, scale, causal: causal === 1 };
}

/** `d / n` when d is a known multiple of n; fails when it is known not to be. */
function divDim(call: OpCall, d: Dim, n: number, what: string): Dim {
  if (typeof d !== 'number') return '?';
  if (d % n !== 0) call.fail(`${what} ${d} is not a multiple of ${n}`);
  return d / n;
}

function sameDim(call: OpCall, a: Dim, b: Dim, what: string): void {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) call.fail(`${what}: ${a} != ${b}`);
}

function rank(call: OpCall, t: { shape: readonly unknown[] }, r: number, what: string): void {
  if (t.shape.length !== r) call.fail(`${what} must have rank ${r}, got [${t.shape.join(', ')}]`);
}

const attention: OpDef = {
  infer(call, ins) {
    const { H, Hk } = config(call);
    const q = required(call, ins, 0), k = required(call, ins, 1), v = required(call, ins, 2);
    const pk = ins[3], pv = ins[4];
    if ((pk === undefined) !== (pv === undefined)) call.fail('past_k and past_v must be given together');
    rank(call, q, 3, 'q'); rank(call, k, 3, 'k'); rank(call, v, 3, 'v');
    for (const t of [k, v, pk, pv]) if (t && t.dtype !== q.dtype) call.fail(`inputs must share one element type, got ${q.dtype} and ${t.dtype}`);
    const hd = divDim(call, q.shape[2], H, 'q width');
    const hdk = divDim(call, k.shape[2], Hk, 'k width');
    const hdv = divDim(call, v.shape[2], Hk, 'v width');
    sameDim(call, hd, hdk, 'q and k head sizes differ');
    sameDim(call, k.shape[0], q.shape[0], 'batch of k');
    sameDim(call, v.shape[0], q.shape[0], 'batch of v');
    sameDim(call, k.shape[1], v.shape[1], 'k and v lengths differ');
    let P: Dim = 0;
    if (pk && pv) {
      rank(call, pk, 4, 'past_k'); rank(call, pv, 4, 'past_v');
      sameDim(call, pk.shape[1], Hk, 'past_k heads'); sameDim(call, pv.shape[1], Hk, 'past_v heads');
      sameDim(call, pk.shape[3], hdk, 'past_k head size'); sameDim(call, pv.shape[3], hdv, 'past_v head size');
      sameDim(call, pk.shape[2], pv.shape[2], 'past_k and past_v lengths differ');
      P = pk.shape[2];
    }
    const S = k.shape[1];
    const L: Dim = typeof P === 'number' && typeof S === 'number' ? P + S : '?';
    const y: ValueType = { dtype: q.dtype, shape: [q.shape[0], q.shape[1], typeof hdv === 'number' ? H * hdv : '?'] };
    return [
      y,
      { dtype: q.dtype, shape: [q.shape[0], Hk, L, hdk] },
      { dtype: q.dtype, shape: [q.shape[0], Hk, L, hdv] },
    ];
  },

  execute(call, ins) {
    const { H, Hk, scale, causal } = config(call);
    const q = required(call, ins, 0), k = required(call, ins, 1), v = required(call, ins, 2);
    const pk = ins[3], pv = ins[4];
    const types = this.infer(call, ins.map((t) => t && { dtype: t.dtype, shape: [...t.shape] }), []);
    const [B, T, Cq] = q.shape, S = k.shape[1];
    const hd = Cq / H, hdv = v.shape[2] / Hk;
    const P = pk ? pk.shape[2] : 0, L = P + S;
    if (B !== k.shape[0] || B !== v.shape[0] || (pk && pk.shape[0] !== B) || (pv && pv.shape[0] !== B)) call.fail('inputs disagree on the batch size');

    // present = concat(past, new keys split by head) along the sequence axis.
    const presentK = Tensor.zeros(q.dtype, [B, Hk, L, hd]);
    const presentV = Tensor.zeros(q.dtype, [B, Hk, L, hdv]);
    const fill = (present: Tensor, past: Tensor | undefined, cur: Tensor, d: number) => {
      const out = present.data, pd = past?.data, cd = cur.data;
      for (let b = 0; b < B; b++) {
        for (let g = 0; g < Hk; g++) {
          const base = ((b * Hk + g) * L) * d;
          if (pd) for (let i = 0; i < P * d; i++) out[base + i] = pd[((b * Hk + g) * P) * d + i];
          for (let s = 0; s < S; s++) {
            const src = (b * S + s) * Hk * d + g * d, dst = base + (P + s) * d;
            for (let i = 0; i < d; i++) out[dst + i] = cd[src + i];
          }
        }
      }
    };
    fill(presentK, pk, k, hd);
    fill(presentV, pv, v, hdv);

    const y = Tensor.zeros(q.dtype, types[0].shape as number[]);
    const qd = q.data, kd = presentK.data, vd = presentV.data, yd = y.data;
    const group = H / Hk, offset = L - T;
    const p = new Float64Array(L), acc = new Float64Array(hdv);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const g = Math.floor(h / group);
        const kBase = (b * Hk + g) * L * hd, vBase = (b * Hk + g) * L * hdv;
        for (let i = 0; i < T; i++) {
          const qBase = (b * T + i) * Cq + h * hd;
          // Keys 0..last are visible: all of them, or j <= i + (P+S-T) when causal.
          const last = causal ? Math.min(L - 1, i + offset) : L - 1;
          let max = -Infinity;
          for (let j = 0; j <= last; j++) {
            let dot = 0;
            const kr = kBase + j * hd;
            for (let d = 0; d < hd; d++) dot += qd[qBase + d] * kd[kr + d];
            p[j] = scale * dot;
            if (p[j] > max) max = p[j];
          }
          acc.fill(0);
          const yBase = (b * T + i) * H * hdv + h * hdv;
          // A row with no visible key (only possible when T > P+S) outputs zeros.
          if (last < 0 || max === -Infinity) {
            for (let d = 0; d < hdv; d++) yd[yBase + d] = 0;
            continue;
          }
          let sum = 0;
          for (let j = 0; j <= last; j++) sum += p[j] = Math.exp(p[j] - max);
          for (let j = 0; j <= last; j++) {
            const w = p[j], vr = vBase + j * hdv;
            for (let d = 0; d < hdv; d++) acc[d] += w * vd[vr + d];
          }
          for (let d = 0; d < hdv; d++) yd[yBase + d] = acc[d] / sum;
        }
      }
    }
    return [y, presentK, presentV];
  },
};

registerOp('llm.Attention', attention);
