/**
 * llm.RoPE: rotary position embedding on token-major activations. See README.md.
 *
 *   inputs  x [B, T, H·hd], cos [T, hd], sin [T, hd]
 *   attrs   heads H
 *   output  same as x: per head h, x_h·cos + rotate_half(x_h)·sin,
 *           rotate_half(v) = concat(−v[hd/2:], v[:hd/2])
 *
 * Each element is computed in float64 and rounded to the output type once.
 */
import { Tensor } from '../tensor.js';
import { OpDef, required } from '../ops/op.js';
import { registerOp } from '../ops/registry.js';

const rope: OpDef = {
  infer(call, ins) {
    const H = call.int('heads');
    if (!Number.isInteger(H) || H < 1) call.fail(`heads must be a positive integer, got ${H}`);
    const x = required(call, ins, 0), cos = required(call, ins, 1), sin = required(call, ins, 2);
    if (x.shape.length !== 3) call.fail(`x must have rank 3 ([B, T, heads·head_size]), got [${x.shape.join(', ')}]`);
    for (const [t, what] of [[cos, 'cos'], [sin, 'sin']] as const) {
      if (t.shape.length !== 2) call.fail(`${what} must have rank 2 ([T, head_size]), got [${t.shape.join(', ')}]`);
      if (t.dtype !== x.dtype) call.fail(`${what} must be ${x.dtype}, got ${t.dtype}`);
    }
    const C = x.shape[2], T = x.shape[1];
    if (typeof C === 'number') {
      if (C % H !== 0 || (C / H) % 2 !== 0) call.fail(`width ${C} is not ${H} heads of an even head size`);
      const hd = C / H;
      for (const [t, what] of [[cos, 'cos'], [sin, 'sin']] as const) {
        if (typeof t.shape[1] === 'number' && t.shape[1] !== hd) call.fail(`${what} has ${t.shape[1]} columns, head size is ${hd}`);
        if (typeof T === 'number' && typeof t.shape[0] === 'number' && t.shape[0] !== T) call.fail(`${what} has ${t.shape[0]} rows, sequence is ${T}`);
      }
    }
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },

  execute(call, ins) {
    this.infer(call, ins.map((t) => t && { dtype: t.dtype, shape: [...t.shape] }), []);
    const H = call.int('heads');
    const x = required(call, ins, 0), cos = required(call, ins, 1), sin = required(call, ins, 2);
    const [B, T, C] = x.shape;
    const hd = C / H, half = hd / 2;
    const y = Tensor.zeros(x.dtype, x.shape);
    const xd = x.data, cd = cos.data, sd = sin.data, yd = y.data;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * C, tab = t * hd;
        for (let h = 0; h < H; h++) {
          const base = row + h * hd;
          for (let i = 0; i < hd; i++) {
            const rot = i < half ? -xd[base + i + half] : xd[base + i - half];
            yd[base + i] = xd[base + i] * cd[tab + i] + rot * sd[tab + i];
          }
        }
      }
    }
    return [y];
  },
};

registerOp('llm.RoPE', rope);
