/**
 * llm.LayerNorm and llm.RMSNorm over the last axis. Statistics and the
 * normalized value are computed in float64 and rounded once. See README.md.
 */
import { Tensor } from '../tensor.js';
import { OpDef, required, resultConverter } from '../ops/op.js';
import { registerOp } from '../ops/registry.js';
import { lastDim, requireFloat, requireSameDtype, requireVector } from './kernel-checks.js';

function normOp(withBeta: boolean, kernel: (x: Float64Array, n: number, eps: number) => void): OpDef {
  return {
    infer(call, ins) {
      const x = required(call, ins, 0), gamma = required(call, ins, 1), beta = withBeta ? ins[2] : undefined;
      if (!withBeta && ins.length > 2 && ins[2]) call.fail('takes x and gamma only');
      requireFloat(call, x.dtype, 'x');
      const D = lastDim(call, x.shape, 'x');
      requireSameDtype(call, x.dtype, gamma.dtype, 'gamma');
      requireVector(call, gamma.shape, D, 'gamma');
      if (beta) {
        requireSameDtype(call, x.dtype, beta.dtype, 'beta');
        requireVector(call, beta.shape, D, 'beta');
      }
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    execute(call, ins) {
      const x = required(call, ins, 0), gamma = required(call, ins, 1), beta = withBeta ? ins[2] : undefined;
      if (x.rank === 0) call.fail('x must have rank 1 or more');
      const n = x.shape[x.rank - 1];
      if (gamma.rank !== 1 || gamma.shape[0] !== n) call.fail(`gamma must have shape [${n}]`);
      if (beta && (beta.rank !== 1 || beta.shape[0] !== n)) call.fail(`beta must have shape [${n}]`);
      const eps = call.float('epsilon', 1e-5);
      const out = Tensor.zeros(x.dtype, x.shape);
      const conv = resultConverter(x.dtype);
      const xd = x.data, od = out.data, gd = gamma.data, bd = beta?.data;
      const row = new Float64Array(n);
      for (let base = 0; base < x.size; base += n) {
        for (let j = 0; j < n; j++) row[j] = xd[base + j];
        kernel(row, n, eps);
        for (let j = 0; j < n; j++) od[base + j] = conv(bd ? row[j] * gd[j] + bd[j] : row[j] * gd[j]);
      }
      return [out];
    },
  };
}

/** (x − mean) / sqrt(var + eps), var biased; in place. */
function layerNormRow(x: Float64Array, n: number, eps: number): void {
  let sum = 0;
  for (let j = 0; j < n; j++) sum += x[j];
  const mean = sum / n;
  let sq = 0;
  for (let j = 0; j < n; j++) sq += (x[j] - mean) ** 2;
  const sd = Math.sqrt(sq / n + eps);
  for (let j = 0; j < n; j++) x[j] = (x[j] - mean) / sd;
}

/** x / sqrt(mean(x²) + eps); in place. */
function rmsNormRow(x: Float64Array, n: number, eps: number): void {
  let sq = 0;
  for (let j = 0; j < n; j++) sq += x[j] * x[j];
  const rms = Math.sqrt(sq / n + eps);
  for (let j = 0; j < n; j++) x[j] = x[j] / rms;
}

registerOp('llm.LayerNorm', normOp(true, layerNormRow));
registerOp('llm.RMSNorm', normOp(false, rmsNormRow));
