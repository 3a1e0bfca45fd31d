/** llm.Gelu (tanh or erf form), llm.SiLU and llm.SwiGLU, in float64. See README.md. */
import { Tensor } from '../tensor.js';
import { OpCall, OpDef, required, resultConverter } from '../ops/op.js';
import { registerOp } from '../ops/registry.js';
import { erf } from '../ops/elementwise.js';
import { requireFloat, requireSameDim, requireSameDtype } from './kernel-checks.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

export function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function silu(x: number): number {
  return x * sigmoid(x);
}

function unary(pick: (call: OpCall) => (x: number) => number): OpDef {
  return {
    infer(call, ins) {
      const x = required(call, ins, 0);
      requireFloat(call, x.dtype, 'x');
      pick(call);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    execute(call, ins) {
      const x = required(call, ins, 0);
      const f = pick(call);
      const out = Tensor.zeros(x.dtype, x.shape);
      const conv = resultConverter(x.dtype);
      const xd = x.data, od = out.data;
      for (let i = 0; i < od.length; i++) od[i] = conv(f(xd[i]));
      return [out];
    },
  };
}

function geluForm(call: OpCall): (x: number) => number {
  const approximate = call.string('approximate', 'none');
  if (approximate === 'tanh') return geluTanh;
  if (approximate === 'none') return geluErf;
  return call.fail(`approximate must be "tanh" or "none", got "${approximate}"`);
}

registerOp('llm.Gelu', unary(geluForm));
registerOp('llm.SiLU', unary(() => silu));

registerOp('llm.SwiGLU', {
  infer(call, ins) {
    const gate = required(call, ins, 0), up = required(call, ins, 1);
    requireFloat(call, gate.dtype, 'gate');
    requireSameDtype(call, gate.dtype, up.dtype, 'up');
    if (gate.shape.length !== up.shape.length) call.fail(`gate [${gate.shape.join(', ')}] and up [${up.shape.join(', ')}] differ in rank`);
    gate.shape.forEach((d, i) => requireSameDim(call, d, up.shape[i], `gate and up differ in dim ${i}`));
    return [{ dtype: gate.dtype, shape: gate.shape.map((d, i) => (typeof d === 'number' ? d : up.shape[i] ?? d)) }];
  },
  execute(call, ins) {
    const gate = required(call, ins, 0), up = required(call, ins, 1);
    if (gate.shape.join(',') !== up.shape.join(',')) call.fail(`gate [${gate.shape.join(', ')}] and up [${up.shape.join(', ')}] differ`);
    const out = Tensor.zeros(gate.dtype, gate.shape);
    const conv = resultConverter(gate.dtype);
    const gd = gate.data, ud = up.data, od = out.data;
    for (let i = 0; i < od.length; i++) od[i] = conv(silu(gd[i]) * ud[i]);
    return [out];
  },
});
