/**
 * llm2hls_embedding against embedding_q of templates/kernels/llm2hls_fixed.h,
 * bit for bit: a seeded random int8 table with per-row multipliers from
 * toMultiplier, ids over [-V, V) (negative ids wrap) and a few outside it
 * (row 0, as the C++ kernel reads), one lane and several, under random gaps
 * and backpressure; tokens back to back when nothing waits.
 */
import { describe, expect, it } from 'vitest';
import { toMultiplier } from '../../compiler/numerics/fixed.js';
import { beatsToRows, embeddingRoms, packLanes } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { vocab: number; dim: number; lanes: number; yBits: number; fy: number }
const TOKENS = 40;
const CASES: [string, Case][] = [
  ['lanes 1, V 16, D 8, int16 output', { vocab: 16, dim: 8, lanes: 1, yBits: 16, fy: 12 }],
  ['lanes 3 (not dividing D 16), V 11, int8 output', { vocab: 11, dim: 16, lanes: 3, yBits: 8, fy: 5 }],
];

function layer(c: Case, seed: number) {
  const g = rng(seed);
  const table = Array.from({ length: c.vocab * c.dim }, () => g.int(-127, 127));
  const mults = Array.from({ length: c.vocab }, () => toMultiplier(0.02 * (0.2 + g.uniform()) * 2 ** c.fy));
  const ids = Array.from({ length: TOKENS }, (_, i) => (i % 13 === 5 ? c.vocab + g.int(0, 3) : g.int(-c.vocab, c.vocab - 1)));
  return { table, m: mults.map((x) => x.m), shift: mults.map((x) => x.shift), ids };
}

const paramsOf = (c: Case) => ({ VOCAB: c.vocab, DIM: c.dim, LANES: c.lanes, Y_BITS: c.yBits });
const romsOf = (c: Case, L: ReturnType<typeof layer>) => {
  const roms = embeddingRoms({ D: c.dim, lanes: c.lanes, wBits: 8 }, L.table, L.m, L.shift);
  return { 'table.hex': roms.table, 'q.hex': roms.q };
};

describe('llm2hls_embedding = embedding_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const L = layer(c, c.vocab * 3 + c.lanes);
      const want = await runTwin('embedding_q', { LANES: c.lanes, TOKENS, VOCAB: c.vocab, DIM: c.dim, Y_BITS: c.yBits }, [...L.table, ...L.m, ...L.shift, ...L.ids]);
      const mod = { top: 'llm2hls_embedding', params: paramsOf(c), inputs: [{ name: 'in', width: 32 }], outputs: [{ name: 'out', width: c.lanes * c.yBits }] };
      const ids = L.ids.map((id) => packLanes([id], 32));
      const DB = Math.ceil(c.dim / c.lanes);
      for (const [seed, inGap, outStall, simulator] of [[1, 30, 30, 'verilator'], [2, 0, 0, 'verilator'], [3, 30, 30, 'icarus']] as const) {
        const r = await simulate(mod, [ids], [TOKENS * DB], { seed, inGap, outStall, files: romsOf(c, L), simulator });
        expect(beatsToRows(r.beats[0], c.dim, c.lanes, c.yBits)).toEqual(want);
        if (!inGap) expect(r.cycles[0].at(-1)! - r.cycles[0][0]).toBe(TOKENS * DB - 1);
      }
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      expect(await lint('llm2hls_embedding', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_embedding', paramsOf(c))).toBe('');
    }
    const c = CASES[1][1];
    expect(await yosysSynth('llm2hls_embedding', paramsOf(c), romsOf(c, layer(c, 1)))).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
