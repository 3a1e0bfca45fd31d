/**
 * llm.Linear (x·W + b, W stored as MatMul's right operand) and
 * llm.Embedding (rows of a table, Gather axis 0). See README.md.
 */
import { Tensor } from '../tensor.js';
import { intsOf, required, resultConverter } from '../ops/op.js';
import { registerOp } from '../ops/registry.js';
import { lastDim, requireFloat, requireSameDim, requireSameDtype, requireVector } from './kernel-checks.js';
import { linearSimd } from './linear-simd.js';

registerOp('llm.Linear', {
  infer(call, ins) {
    const x = required(call, ins, 0), w = required(call, ins, 1), b = ins[2];
    requireFloat(call, x.dtype, 'x');
    requireSameDtype(call, x.dtype, w.dtype, 'W');
    if (w.shape.length !== 2) call.fail(`W must have rank 2, got [${w.shape.join(', ')}]`);
    requireSameDim(call, lastDim(call, x.shape, 'x'), w.shape[0], 'inner dimensions differ');
    if (b) {
      requireSameDtype(call, x.dtype, b.dtype, 'b');
      requireVector(call, b.shape, w.shape[1], 'b');
    }
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, -1), w.shape[1]] }];
  },
  execute(call, ins) {
    const x = required(call, ins, 0), w = required(call, ins, 1), b = ins[2];
    if (w.rank !== 2 || x.rank === 0) call.fail('expects x [..., K] and W [K, N]');
    const [K, N] = w.shape;
    if (x.shape[x.rank - 1] !== K) call.fail(`inner dimensions differ: [${x.shape.join(', ')}] x [${w.shape.join(', ')}]`);
    if (b && (b.rank !== 1 || b.shape[0] !== N)) call.fail(`b must have shape [${N}], got [${b.shape.join(', ')}]`);
    const out = Tensor.zeros(x.dtype, [...x.shape.slice(0, -1), N]);
    const conv = resultConverter(x.dtype);
    const xd = x.data, bd = b?.data, od = out.data;
    const rows = K === 0 ? out.size / Math.max(N, 1) : x.size / K;
    // float32 x and W: the SIMD kernel (the same sums in the same order, bit-identical), reading
    // W's bytes straight from the model file when it is not decoded yet.
    if (xd instanceof Float32Array) {
      const raw = w.dtype === 'float32' ? w.rawRows() : undefined;
      const wf = raw ? undefined : w.data;
      const wv = raw ?? (wf instanceof Float32Array ? new Uint8Array(wf.buffer, wf.byteOffset, wf.byteLength) : undefined);
      if (wv && linearSimd(xd, wv, bd, od, rows, K, N, conv)) return [out];
    }
    const wd = w.data;
    // Four rows at a time over 256-column tiles of W (each W element read once per four rows);
    // every output still sums x[k]·w[k, j] in k order in float64, so results do not depend on the blocking.
    const T = 256, acc4 = new Float64Array(4 * T);
    let r0 = 0;
    for (; r0 + 4 <= rows; r0 += 4) {
      const xo = r0 * K;
      for (let j0 = 0; j0 < N; j0 += T) {
        const jn = Math.min(T, N - j0);
        acc4.fill(0);
        for (let k = 0; k < K; k++) {
          const x0 = xd[xo + k], x1 = xd[xo + K + k], x2 = xd[xo + 2 * K + k], x3 = xd[xo + 3 * K + k], wo = k * N + j0;
          for (let j = 0; j < jn; j++) {
            const wv = wd[wo + j];
            acc4[j] += x0 * wv; acc4[T + j] += x1 * wv; acc4[2 * T + j] += x2 * wv; acc4[3 * T + j] += x3 * wv;
          }
        }
        for (let q = 0; q < 4; q++) {
          const oo = (r0 + q) * N + j0, ao = q * T;
          for (let j = 0; j < jn; j++) od[oo + j] = conv(bd ? acc4[ao + j] + bd[j0 + j] : acc4[ao + j]);
        }
      }
    }
    const acc = new Float64Array(N);
    for (let r = r0; r < rows; r++) {
      acc.fill(0);
      const xo = r * K;
      for (let k = 0; k < K; k++) {
        const xv = xd[xo + k], wo = k * N;
        for (let j = 0; j < N; j++) acc[j] += xv * wd[wo + j];
      }
      const oo = r * N;
      for (let j = 0; j < N; j++) od[oo + j] = conv(bd ? acc[j] + bd[j] : acc[j]);
    }
    return [out];
  },
});

const INDEX_TYPES = new Set(['int64', 'int32']);

registerOp('llm.Embedding', {
  infer(call, ins) {
    const table = required(call, ins, 0), ids = required(call, ins, 1);
    if (table.shape.length !== 2) call.fail(`table must have rank 2, got [${table.shape.join(', ')}]`);
    if (!INDEX_TYPES.has(ids.dtype)) call.fail(`ids must be int64 or int32, got ${ids.dtype}`);
    return [{ dtype: table.dtype, shape: [...ids.shape, table.shape[1]] }];
  },
  execute(call, ins) {
    const table = required(call, ins, 0), ids = required(call, ins, 1);
    if (table.rank !== 2) call.fail('table must have rank 2');
    const [V, D] = table.shape;
    const out = Tensor.zeros(table.dtype, [...ids.shape, D]);
    const td = table.data, od = out.data;
    intsOf(ids).forEach((id, i) => {
      if (id < -V || id >= V) call.fail(`id ${id} is out of range for a table of ${V} rows`);
      const row = id < 0 ? id + V : id;
      od.set(td.subarray(row * D, (row + 1) * D), i * D);
    });
    return [out];
  },
});
