/**
 * The WebAssembly SIMD quantize-and-transpose kernel gives the integers of
 * the scalar rule (quantize.ts: clamp(roundHalfEven(w / scale[c]), ±qmax),
 * NaN -> 0), bit for bit, including ties, infinities and N not a multiple of 4;
 * and QuantWeights recomputes the same integers it writes.
 */
import { describe, expect, it } from 'vitest';
import { quantizeRowsSimdBlocks, quantizeTransposedSimd } from '../../compiler/numerics/quantize-simd.js';
import { quantizeWeights, quantizedTransposedChunks } from '../../compiler/numerics/quantize.js';

const ROUNDER = 6755399441055744;
function reference(v: Float32Array, scale: Float64Array, qmax: number, K: number, N: number): Int8Array {
  const out = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < N; c++) {
      const x = v[k * N + c] / scale[c];
      out[c * K + k] = x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
    }
  }
  return out;
}

let seed = 7;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };

describe('quantizeTransposedSimd', () => {
  for (const [K, N] of [[1, 4], [3, 8], [17, 12], [5, 7], [40, 1003], [3, 1], [2, 2], [96, 64]]) {
    it(`matches the scalar rule for W [${K}, ${N}] (misaligned bytes, ties, NaN, infinities)`, () => {
      const v = new Float32Array(K * N);
      for (let i = 0; i < v.length; i++) v[i] = (rand() * 2 - 1) * 3;
      const scale = new Float64Array(N);
      for (let c = 0; c < N; c++) scale[c] = c % 5 === 0 ? 1 : (rand() + 0.01) / 127;
      for (let i = 0; i < v.length; i += 7) v[i] = Math.fround((Math.floor(rand() * 250) - 125 + 0.5) * scale[i % N]);
      for (let i = 4; i < v.length; i += 11) if ((i % N) % 5 === 0) v[i] = ((i % 254) - 127) / 2;
      v[0] = NaN;
      if (v.length > 5) { v[1] = Infinity; v[2] = -Infinity; v[3] = -0; v[5] = 200; }
      const bytes = new Uint8Array(v.byteLength + 1);
      bytes.set(new Uint8Array(v.buffer), 1);
      for (const qmax of [127, 7]) {
        const got = quantizeTransposedSimd(bytes.subarray(1), scale, qmax, K, N);
        expect(got).toBeDefined();
        expect(Array.from(got!)).toEqual(Array.from(reference(v, scale, qmax, K, N)));
      }
    });
  }

  it('gives the same integers in column blocks (a wide W is copied into the module a block at a time)', () => {
    for (const [K, N, blockBytes] of [[40, 1003, 40 * 4 * 8], [7, 50, 1], [16, 9, 16 * 4 * 4]]) {
      const v = Float32Array.from({ length: K * N }, () => (rand() * 2 - 1) * 2);
      const scale = Float64Array.from({ length: N }, () => (rand() + 0.01) / 127);
      const bytes = new Uint8Array(v.byteLength + 3);
      bytes.set(new Uint8Array(v.buffer), 3);
      expect(Array.from(quantizeTransposedSimd(bytes.subarray(3), scale, 127, K, N, blockBytes)!)).toEqual(Array.from(reference(v, scale, 127, K, N)));
    }
  });

  it('every half-integer tie rounds to even', () => {
    const K = 4, N = 4096;
    const v = new Float32Array(K * N);
    for (let i = 0; i < v.length; i++) v[i] = (i - 8192) / 64;
    const s = new Float64Array(N).fill(1);
    expect(Array.from(quantizeTransposedSimd(new Uint8Array(v.buffer), s, 127, K, N)!)).toEqual(Array.from(reference(v, s, 127, K, N)));
  });

  it('QuantWeights.data (recomputed) transposed equals the written chunks', () => {
    const K = 24, N = 10;
    const w = Float32Array.from({ length: K * N }, () => rand() * 2 - 1);
    const q = quantizeWeights(w, [K, N], 8, 1);
    expect(Object.keys(q)).not.toContain('data');
    const written = Int8Array.from([...quantizedTransposedChunks(q)].flatMap((c) => Array.from(c)));
    const data = q.data;
    const transposed = new Int8Array(K * N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) transposed[n * K + k] = data[k * N + n];
    expect(Array.from(written)).toEqual(Array.from(transposed));
  });
});

describe('quantizeRowsSimdBlocks', () => {
  for (const [R, C, W, from, blockBytes] of [[3, 8, 8, 0, 1 << 20], [17, 13, 20, 3, 64], [5, 7, 7, 0, 1], [40, 1003, 1003, 0, 4096]]) {
    it(`matches the scalar rule per row for [${R}, ${C}] (rows ${W} wide from ${from}, ties, NaN, infinities)`, () => {
      const v = Float32Array.from({ length: R * W }, () => (rand() * 2 - 1) * 3);
      const scale = Float64Array.from({ length: R }, (_, r) => (r % 5 === 0 ? 1 : (rand() + 0.01) / 127));
      for (let i = 0; i < v.length; i += 7) v[i] = Math.fround((Math.floor(rand() * 250) - 125 + 0.5) * scale[Math.floor(i / W)]);
      v[from] = NaN; v[from + 1] = Infinity; v[from + 2] = -Infinity; v[from + 3] = -0;
      const bytes = new Uint8Array(v.byteLength + 1);
      bytes.set(new Uint8Array(v.buffer), 1);
      for (const qmax of [127, 7]) {
        const want = new Int8Array(R * C);
        for (let r = 0; r < R; r++) {
          for (let c = 0; c < C; c++) {
            const x = v[r * W + from + c] / scale[r];
            want[r * C + c] = x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
          }
        }
        const parts = quantizeRowsSimdBlocks({ bytes: bytes.subarray(1), stride: W * 4, offset: from * 4 }, scale, qmax, R, C, blockBytes);
        expect(parts).toBeDefined();
        const got: number[] = [];
        for (const p of parts!) got.push(...p); // each part is valid until the next one is asked for
        expect(got).toEqual(Array.from(want));
      }
    });
  }
});
