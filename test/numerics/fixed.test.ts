import { describe, expect, it } from 'vitest';
import {
  applyMultiplier, bitLength, fmt, formatForRange, fromFixed, maxInt, minInt, requantize, roundHalfEven, roundShift,
  saturate, toFixed, toMultiplier, multiplierValue, floorShift,
} from '../../compiler/numerics/fixed.js';
import { rng } from './rng.js';

/** roundShift in BigInt, the obviously-right way: nearest, ties to even. */
function roundShiftBig(x: bigint, s: number): bigint {
  if (s <= 0) return x << BigInt(-s);
  const p = 1n << BigInt(s);
  let q = x / p, r = x % p;
  if (r < 0n) { q -= 1n; r += p; } // floor division
  const twice = 2n * r;
  if (twice > p || (twice === p && (q & 1n) === 1n)) q += 1n;
  return q;
}

describe('rounding', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven).map((x) => x + 0))
      .toEqual([0, 2, 2, 4, 0, -2, -2, 2, 3]);
  });

  it('roundShift ties to even, floors exactly, and left-shifts for s <= 0', () => {
    expect(roundShift(5, 1)).toBe(2); // 2.5
    expect(roundShift(7, 1)).toBe(4); // 3.5
    expect(roundShift(-5, 1)).toBe(-2); // -2.5
    expect(roundShift(-7, 1)).toBe(-4); // -3.5
    expect(roundShift(-3, 2)).toBe(-1); // -0.75
    expect(roundShift(6, 2)).toBe(2); // 1.5
    expect(roundShift(10, 2)).toBe(2); // 2.5
    expect(roundShift(3, 0)).toBe(3);
    expect(roundShift(-3, -4)).toBe(-48);
    expect(roundShift(2 ** 52 + 3, 1)).toBe(2 ** 51 + 2);
    expect(roundShift(-(2 ** 52) - 1, 1)).toBe(-(2 ** 51)); // -2^51 - 0.5 -> even
  });

  it('roundShift matches a BigInt reference on random integers up to 2^53', () => {
    const r = rng(1);
    for (let i = 0; i < 20000; i++) {
      const mag = 2 ** r.int(1, 53);
      const x = Math.floor((r.uniform() * 2 - 1) * (mag - 1));
      const s = r.int(-3, 60);
      if (s < 0 && Math.abs(x) * 2 ** -s >= 2 ** 53) continue;
      expect(roundShift(x, s)).toBe(Number(roundShiftBig(BigInt(x), s)));
    }
  });

  it('floorShift is an arithmetic shift', () => {
    expect(floorShift(-1, 4)).toBe(-1);
    expect(floorShift(17, 4)).toBe(1);
    expect(floorShift(3, -2)).toBe(12);
  });

  it('bitLength is exact at powers of two', () => {
    for (let k = 0; k < 53; k++) {
      expect(bitLength(2 ** k)).toBe(k + 1);
      if (k > 1) expect(bitLength(2 ** k - 1)).toBe(k);
    }
  });
});

describe('fixed-point formats', () => {
  it('converts with round-half-even and saturates', () => {
    const f = fmt(8, 4); // [-8, 7.9375] step 1/16
    expect(minInt(f)).toBe(-128);
    expect(maxInt(f)).toBe(127);
    expect(toFixed(7.9375, f)).toBe(127);
    expect(toFixed(8, f)).toBe(127);
    expect(toFixed(1e9, f)).toBe(127);
    expect(toFixed(-8, f)).toBe(-128);
    expect(toFixed(-8.03, f)).toBe(-128);
    expect(toFixed(1 / 32, f)).toBe(0); // half an LSB -> even (0)
    expect(toFixed(3 / 32, f)).toBe(2); // 1.5 LSB -> 2
    expect(toFixed(-3 / 32, f)).toBe(-2);
    expect(toFixed(NaN, f)).toBe(0);
    expect(toFixed(Infinity, f)).toBe(127);
    expect(toFixed(-Infinity, f)).toBe(-128);
    expect(fromFixed(-128, f)).toBe(-8);
  });

  it('handles unsigned formats, negative frac and frac beyond the width', () => {
    const u = fmt(8, 8, false);
    expect(toFixed(-0.1, u)).toBe(0);
    expect(toFixed(0.999, u)).toBe(255);
    expect(saturate(300, u)).toBe(255);
    const coarse = fmt(8, -2); // step 4
    expect(toFixed(6, coarse)).toBe(2); // 1.5 -> 2
    expect(toFixed(10, coarse)).toBe(2); // 2.5 -> 2
    const fine = fmt(8, 10); // |x| < 1/8
    expect(toFixed(0.2, fine)).toBe(127);
  });

  it('requantize drops fraction bits with the one rounding and saturates', () => {
    expect(requantize(0x1234, 8, fmt(8, 2))).toBe(73); // 18.2 * 4 = 72.8 -> 73
    expect(requantize(40000, 0, fmt(16, 0))).toBe(32767);
    expect(requantize(3, 0, fmt(16, 4))).toBe(48);
  });

  it('formatForRange keeps max * headroom representable', () => {
    expect(formatForRange(1, 16)).toEqual(fmt(16, 14));
    expect(formatForRange(3.9, 16)).toEqual(fmt(16, 12)); // 4.875 -> 3 integer bits
    expect(formatForRange(0, 8)).toEqual(fmt(8, 7));
    expect(formatForRange(0.01, 8)).toEqual(fmt(8, 13));
    const r = rng(2);
    for (let i = 0; i < 200; i++) {
      const m = 2 ** (r.uniform() * 40 - 20);
      const f = formatForRange(m, 16);
      expect(toFixed(m * 1.25, f)).toBeLessThan(maxInt(f) + 1);
      expect(fromFixed(maxInt(f), f)).toBeGreaterThanOrEqual(m * 1.25 - 2 ** -f.frac);
      expect(fromFixed(maxInt(f), f)).toBeLessThan(m * 1.25 * 2 + 2 ** -f.frac);
    }
  });
});

describe('multipliers', () => {
  it('represent a real factor within 2^-15 relative, with a 15-bit m', () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const x = 2 ** (r.uniform() * 60 - 50);
      const m = toMultiplier(x);
      expect(m.m).toBeGreaterThanOrEqual(2 ** 14);
      expect(m.m).toBeLessThan(2 ** 15);
      expect(Math.abs(multiplierValue(m) - x) / x).toBeLessThanOrEqual(2 ** -15);
    }
    expect(toMultiplier(0)).toEqual({ m: 0, shift: 0 });
    expect(toMultiplier(1)).toEqual({ m: 2 ** 14, shift: 14 });
  });

  it('apply exactly to accumulators below 2^38 (checked against BigInt)', () => {
    const r = rng(4);
    for (let i = 0; i < 20000; i++) {
      const acc = Math.floor((r.uniform() * 2 - 1) * (2 ** 38 - 1));
      const mult = toMultiplier(2 ** (r.uniform() * 40 - 38));
      const want = roundShiftBig(BigInt(acc) * BigInt(mult.m), mult.shift);
      expect(applyMultiplier(acc, mult)).toBe(Number(want));
    }
  });
});
