import { describe, expect, it } from 'vitest';
import {
  EXP2, GELU_ERF_GATE, GELU_TANH_GATE, RECIP, RSQRT, SIGMOID, TABLES, exp2Neg, gate, recip, rsqrt,
} from '../../compiler/numerics/tables.js';
import { erf } from '../../compiler/ops/elementwise.js';
import { rng } from './rng.js';

// The error bounds docs/numerics.md states for each table.
const EXP2_MAX_LSB = 1; // |exp2Neg(a) − 2^16·2^(−a/2^16)| in Q.16 LSBs
const RECIP_MAX_REL = 5e-5;
const RSQRT_MAX_REL = 4e-5;
const GATE_MAX_ABS = 1.5 * 2 ** -16;

describe('lookup tables', () => {
  it('are plain unsigned Q.16 integer arrays of the documented sizes', () => {
    expect(EXP2.values).toHaveLength(257);
    expect(RECIP.values).toHaveLength(257);
    expect(RSQRT.values).toHaveLength(385);
    for (const t of [SIGMOID, GELU_ERF_GATE, GELU_TANH_GATE]) expect(t.values).toHaveLength(2049);
    for (const t of TABLES) {
      for (const v of t.values) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(2 ** 16);
      }
    }
    expect([EXP2.values[0], EXP2.values[256]]).toEqual([65536, 32768]);
    expect([RECIP.values[0], RECIP.values[256]]).toEqual([65536, 32768]);
    expect([RSQRT.values[0], RSQRT.values[384]]).toEqual([65536, 32768]);
    expect(SIGMOID.values[1024]).toBe(32768);
  });

  it('exp2Neg(a) ≈ 2^16 · 2^(−a/2^16) within 1 LSB, exact at 0, 0 far out', () => {
    expect(exp2Neg(0)).toBe(65536);
    expect(exp2Neg(2 ** 16)).toBe(32768);
    expect(exp2Neg(40 * 2 ** 16)).toBe(0);
    const r = rng(5);
    for (let i = 0; i < 20000; i++) {
      const a = Math.floor(r.uniform() * 2 ** 21);
      expect(Math.abs(exp2Neg(a) - 65536 * 2 ** (-a / 65536))).toBeLessThanOrEqual(EXP2_MAX_LSB);
    }
  });

  it('recip(z) ≈ 1/z within 5e-5 relative for z in [1, 2^40]', () => {
    const r = rng(6);
    for (let i = 0; i < 20000; i++) {
      const z = Math.max(1, Math.floor(2 ** (r.uniform() * 40)));
      const { r: m, k } = recip(z);
      expect(Math.abs(m * 2 ** -(16 + k) * z - 1)).toBeLessThanOrEqual(RECIP_MAX_REL);
    }
  });

  it('rsqrt(u) ≈ 1/sqrt(u) within 4e-5 relative for u in [1, 2^52]', () => {
    const r = rng(7);
    for (let i = 0; i < 20000; i++) {
      const u = Math.max(1, Math.floor(2 ** (r.uniform() * 52)));
      const { r: m, e } = rsqrt(u);
      expect(e % 2).toBe(0);
      expect(Math.abs(m * 2 ** -16 * 2 ** (-e / 2) * Math.sqrt(u) - 1)).toBeLessThanOrEqual(RSQRT_MAX_REL);
    }
  });

  it('gates match sigmoid, Φ and the tanh-GELU gate within 1.5 · 2^-16 for any input format', () => {
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    const tanhGate = (x: number) => 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const r = rng(8);
    for (const [t, f] of [[SIGMOID, sig], [GELU_ERF_GATE, phi], [GELU_TANH_GATE, tanhGate]] as const) {
      for (const frac of [-2, 0, 4, 8, 12, 16, 20, 24]) {
        for (let i = 0; i < 3000; i++) {
          const x = Math.round((r.uniform() * 2 - 1) * Math.min(2 ** 15, 40 * 2 ** frac));
          expect(Math.abs(gate(t, x, frac) / 65536 - f(x * 2 ** -frac))).toBeLessThanOrEqual(GATE_MAX_ABS);
        }
      }
    }
  });
});
