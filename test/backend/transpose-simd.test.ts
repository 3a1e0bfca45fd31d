/**
 * The WebAssembly SIMD float32 transpose gives W [K, N] as [N][K] with every
 * value's bits unchanged: any K and N (edges not multiples of 4), misaligned
 * and strided rows (a column slice), small column blocks, NaN payloads.
 */
import { describe, expect, it } from 'vitest';
import { transposeF32SimdBlocks } from '../../backend-hls/transpose-simd.js';

let seed = 5;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };

describe('transposeF32SimdBlocks', () => {
  for (const [K, N, W, from, blockBytes] of [[4, 4, 4, 0, 1 << 20], [1, 1, 1, 0, 1 << 20], [3, 5, 5, 0, 1 << 20], [17, 13, 20, 3, 64], [40, 1003, 1003, 0, 40 * 4 * 12], [33, 64, 192, 64, 1], [768, 9, 9, 0, 1 << 20]]) {
    it(`transposes [${K}, ${N}] (rows ${W} wide from ${from}, blocks of ${blockBytes} bytes) bit for bit`, () => {
      const bits = Uint32Array.from({ length: K * W }, () => rand());
      bits[0] = 0x7fa00001; // a signalling NaN's payload survives
      const bytes = new Uint8Array(bits.byteLength + 1);
      bytes.set(new Uint8Array(bits.buffer), 1);
      const parts = transposeF32SimdBlocks({ bytes: bytes.subarray(1), stride: W * 4, offset: from * 4 }, K, N, blockBytes);
      expect(parts).toBeDefined();
      const got: number[] = [];
      for (const p of parts!) got.push(...new Uint32Array(p.slice().buffer)); // each part is valid until the next
      const want: number[] = [];
      for (let c = 0; c < N; c++) for (let k = 0; k < K; k++) want.push(bits[k * W + from + c]);
      expect(got).toEqual(want);
    });
  }
});
