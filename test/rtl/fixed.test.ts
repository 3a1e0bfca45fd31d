/**
 * The fixed-point primitives of the Verilog library against their C++ twins
 * in llm2hls_fixed.h, bit for bit, through a test-only stream wrapper
 * (verilog/probe_fixed.v): llm2hls_round_shift + llm2hls_sat (values of every
 * size, shifts from left shifts past the clamp to right shifts past the
 * width, many exact ties), and the table functions llm2hls_exp2_neg,
 * llm2hls_recip, llm2hls_rsqrt (with llm2hls_lerp, llm2hls_bit_length and the
 * ROMs of backend-rtl/tables.ts) over their whole input ranges.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tableImages } from '../../backend-rtl/tables.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const Y_BITS = 16, COUNT = 2000;
const probe = (op: number) => ({
  top: 'probe_fixed', file: path.join(path.dirname(fileURLToPath(import.meta.url)), 'verilog', 'probe_fixed.v'),
  params: { OP: op, Y_BITS }, inputs: [{ name: 'in', width: 64 }], outputs: [{ name: 'out', width: 32 }],
});

/** Runs OP on the inputs in Verilator and in Icarus (random gaps and stalls); returns the output words, the same in both. */
async function rtl(op: number, beats: bigint[], seed: number): Promise<number[]> {
  const run = async (simulator: 'verilator' | 'icarus') =>
    (await simulate(probe(op), [beats], [beats.length], { seed, inGap: 20, outStall: 20, files: tableImages(), simulator })).beats[0].map(Number);
  const [v, i] = await Promise.all([run('verilator'), run('icarus')]);
  expect(i).toEqual(v);
  return v;
}

/** A uniformly random integer of `bits` bits (its top bit set), as a bigint. */
function ofBits(g: ReturnType<typeof rng>, bits: number): bigint {
  let v = 1n;
  for (let i = 1; i < bits; i++) v = (v << 1n) | BigInt(g.uniform() < 0.5 ? 0 : 1);
  return v;
}

describe('llm2hls_round_shift + llm2hls_sat = fx::sat(fx::round_shift(x, s))', () => {
  it('agrees bit for bit on random values and ties', async () => {
    const g = rng(42);
    const lim = 2n ** 39n;
    const p: [bigint, number][] = [];
    for (let i = 0; i < COUNT; i++) {
      // Left shifts stay where the C++ i64 product is exact (|x| 2^-s < 2^62).
      const s = g.int(-20, 44);
      let x = g.int(0, 39) === 0 ? 0n : ofBits(g, g.int(1, 39));
      if (g.uniform() < 0.5) x = -x;
      if (s > 0 && g.uniform() < 0.33) x = (BigInt(g.int(-5000, 5000)) << BigInt(s)) + (1n << BigInt(s - 1)); // a tie
      if (g.uniform() < 0.02) x = g.uniform() < 0.5 ? -lim : lim - 1n;
      p.push([x >= lim ? lim - 1n : x < -lim ? -lim : x, s]);
    }
    const want = await runTwin('fixed_ops', { OP: 0, COUNT, Y_BITS }, p.flat());
    const got = await rtl(0, p.map(([x, s]) => ((BigInt(s) & 0xffn) << 40n) | (x & ((1n << 40n) - 1n))), 42);
    expect(got.map((w) => (w << 16) >> 16)).toEqual(want);
    // The data reached the cases that matter: ties, saturation both ways, zero.
    const ties = p.filter(([x, s]) => s > 0 && (x & ((1n << BigInt(s)) - 1n)) === 1n << BigInt(s - 1));
    expect(ties.length).toBeGreaterThan(300);
    for (const v of [2 ** (Y_BITS - 1) - 1, -(2 ** (Y_BITS - 1)), 0]) expect(want.filter((y) => y === v).length).toBeGreaterThan(20);
  }, 60_000);
});

describe('table functions = fx::exp2_neg, fx::recip, fx::rsqrt', () => {
  it('exp2_neg over a in [0, 2^33): fractions, whole powers, underflow to 0', async () => {
    const g = rng(7);
    const a = Array.from({ length: COUNT }, (_, i) => (i % 4 === 0 ? BigInt(g.int(0, 40)) << 16n
      : i % 4 === 1 ? ofBits(g, g.int(30, 33)) : BigInt(g.int(0, 2 ** 21 - 1))));
    const want = await runTwin('fixed_ops', { OP: 1, COUNT, Y_BITS }, a);
    expect(await rtl(1, a, 7)).toEqual(want);
    expect(want.filter((y) => y === 0).length).toBeGreaterThan(COUNT / 8);
  }, 60_000);

  for (const [op, name, bits] of [[2, 'recip', 40], [3, 'rsqrt', 56]] as const) {
    it(`${name} over z in [1, 2^${bits}): every bit length, powers of two and their neighbours`, async () => {
      const g = rng(op);
      const z = Array.from({ length: COUNT }, (_, i) => {
        const b = g.int(1, bits);
        return i % 5 === 0 ? 1n << BigInt(b - 1) : i % 5 === 1 ? (1n << BigInt(b)) - 1n : ofBits(g, b);
      });
      const want = await runTwin('fixed_ops', { OP: op, COUNT, Y_BITS }, z);
      const got = (await rtl(op, z, op)).flatMap((w) => [w & 0x1ffff, (w >> 24) & 0x7f]);
      expect(got).toEqual(want);
    }, 60_000);
  }
});

describe('fixed-point primitives in the tools', () => {
  it('are clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    const cases = [
      ['llm2hls_round_shift', { X_BITS: 64, LMAX: 16 }], ['llm2hls_round_shift', { X_BITS: 20, S_BITS: 4 }],
      ['llm2hls_sat', { X_BITS: 40, Y_BITS: 8 }], ['llm2hls_sat', { X_BITS: 8, Y_BITS: 16 }],
      ['llm2hls_bit_length', { X_BITS: 40 }], ['llm2hls_lerp', { R_BITS: 9 }],
      ['llm2hls_exp2_neg', {}], ['llm2hls_recip', {}], ['llm2hls_rsqrt', {}], ['llm2hls_gate', { X_FRAC: 20 }],
    ] as const;
    for (const [top, params] of cases) {
      expect(await lint(top, params)).toBe('');
      expect(await icarus(top, params)).toBe('');
    }
    expect(await yosysSynth('llm2hls_round_shift', { X_BITS: 24, LMAX: 8 })).toMatch(/Number of cells:\s+[1-9]/);
    expect(await yosysSynth('llm2hls_recip', {}, tableImages(), { coarse: true })).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
