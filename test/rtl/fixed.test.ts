/**
 * The fixed-point primitives of the Verilog library, llm2hls_round_shift and
 * llm2hls_sat, against fx::round_shift and fx::sat of llm2hls_fixed.h, bit
 * for bit: seeded random values, shifts from left shifts past the clamp to
 * right shifts past the width, and many exact ties (round half to even).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packLanes, unpackLanes } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const X_BITS = 40, Y_BITS = 16, COUNT = 3000;
const probe = {
  top: 'probe_round_sat', file: path.join(path.dirname(fileURLToPath(import.meta.url)), 'verilog', 'probe_round_sat.v'),
  params: { X_BITS, Y_BITS }, inputs: [{ name: 'in', width: X_BITS + 8 }], outputs: [{ name: 'out', width: Y_BITS }],
};

/** (x, s) pairs: a third exact ties k·2^s + 2^(s-1), the rest random magnitudes of every size, both signs. */
function pairs(seed: number): [bigint, number][] {
  const g = rng(seed);
  const lim = 2n ** BigInt(X_BITS - 1);
  const clamp = (v: bigint) => (v >= lim ? lim - 1n : v < -lim ? -lim : v);
  const out: [bigint, number][] = [];
  for (let i = 0; i < COUNT; i++) {
    // Left shifts stay where the C++ i64 product is exact (|x| 2^-s < 2^62).
    const s = g.int(-20, X_BITS + 4);
    const bits = g.int(0, X_BITS - 1);
    let x = BigInt(Math.floor(g.uniform() * 2 ** Math.min(bits, 52))) << BigInt(Math.max(0, bits - 52));
    if (g.uniform() < 0.5) x = -x;
    if (s > 0 && g.uniform() < 0.33) x = (BigInt(g.int(-5000, 5000)) << BigInt(s)) + (1n << BigInt(s - 1));
    if (g.uniform() < 0.02) x = g.uniform() < 0.5 ? -lim : lim - 1n;
    out.push([clamp(x), s]);
  }
  return out;
}

describe('llm2hls_round_shift + llm2hls_sat = fx::sat(fx::round_shift(x, s))', () => {
  it('agrees bit for bit on random values and ties', async () => {
    const p = pairs(42);
    const want = await runTwin('fixed_ops', { COUNT, Y_BITS }, p.flat());
    const beats = p.map(([x, s]) => (BigInt(s) & 0xffn) << BigInt(X_BITS) | packLanes([x], X_BITS));
    const r = await simulate(probe, [beats], [COUNT], { seed: 42, inGap: 20, outStall: 20 });
    expect(r.beats[0].map((b) => unpackLanes(b, 1, Y_BITS)[0])).toEqual(want);
    // The data did reach the cases that matter: ties, saturation both ways, zero.
    expect(p.filter(([x, s]) => s > 0 && ((x % (1n << BigInt(s))) + (1n << BigInt(s))) % (1n << BigInt(s)) === 1n << BigInt(s - 1)).length).toBeGreaterThan(300);
    for (const v of [2 ** (Y_BITS - 1) - 1, -(2 ** (Y_BITS - 1)), 0]) expect(want.filter((y) => y === v).length).toBeGreaterThan(20);
  }, 60_000);

  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [top, params] of [['llm2hls_round_shift', { X_BITS: 64, LMAX: 16 }], ['llm2hls_round_shift', { X_BITS: 20, S_BITS: 4 }],
      ['llm2hls_sat', { X_BITS: 40, Y_BITS: 8 }], ['llm2hls_sat', { X_BITS: 8, Y_BITS: 16 }]] as const) {
      expect(await lint(top, params)).toBe('');
      expect(await icarus(top, params)).toBe('');
    }
    expect(await yosysSynth('llm2hls_round_shift', { X_BITS: 24, LMAX: 8 })).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
