/**
 * The WebAssembly SIMD max |w| per channel equals quantize.ts's scalar loop
 * (`if (|w| > m || |w| is NaN) m = |w|` from 0): NaN sticks, infinities, -0, C not a
 * multiple of 4, misaligned bytes, strided rows (a column slice) and small blocks.
 */
import { describe, expect, it } from 'vitest';
import { channelMaxAbsSimd } from '../../compiler/numerics/maxabs-simd.js';

function reference(v: Float32Array, R: number, C: number, axis: 0 | 1, stride: number, from: number): Float64Array {
  const m = new Float64Array(axis === 1 ? C : R);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const a = Math.abs(v[r * stride + from + c]);
      const ch = axis === 1 ? c : r;
      if (a > m[ch] || a !== a) m[ch] = a;
    }
  }
  return m;
}

let seed = 11;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };

describe('channelMaxAbsSimd', () => {
  for (const [R, C, W, from, blockBytes] of [[1, 4, 4, 0, 1 << 20], [3, 7, 7, 0, 1 << 20], [17, 13, 40, 5, 64], [40, 1003, 1003, 0, 4096], [5, 1, 3, 2, 1], [9, 64, 192, 64, 1000]]) {
    for (const axis of [0, 1] as const) {
      it(`matches the scalar loop for [${R}, ${C}] of rows ${W} wide from ${from}, axis ${axis}`, () => {
        const v = Float32Array.from({ length: R * W }, () => (rand() * 2 - 1) * 4);
        v[0] = NaN;
        if (v.length > 4) { v[1] = -Infinity; v[2] = -0; v[3] = NaN; }
        for (let i = 7; i < v.length; i += 13) v[i] = NaN;
        const bytes = new Uint8Array(v.byteLength + 1);
        bytes.set(new Uint8Array(v.buffer), 1);
        const got = new Float64Array(axis === 1 ? C : R);
        expect(channelMaxAbsSimd({ bytes: bytes.subarray(1), stride: W * 4, offset: from * 4 }, R, C, axis, got, blockBytes)).toBe(true);
        expect(Array.from(got)).toEqual(Array.from(reference(v, R, C, axis, W, from)));
      });
    }
  }
});
