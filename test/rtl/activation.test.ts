/**
 * llm2hls_activation (with llm2hls_gate and llm2hls_lerp) against gate_q of
 * templates/kernels/llm2hls_fixed.h, bit for bit, for each gate table
 * (SiLU's sigmoid, GELU's erf and tanh gates, ROMs printed by
 * backend-rtl/tables.ts), on seeded random inputs over the whole range,
 * with the three ways the gate aligns x to Q.16 (left shift, right shift,
 * left shift past the clamp), one lane and several.
 */
import { describe, expect, it } from 'vitest';
import { GELU_ERF_GATE, GELU_TANH_GATE, SIGMOID } from '../../compiler/numerics/tables.js';
import { beatsToRows, rowsToBeats } from '../../backend-rtl/rom.js';
import { tableFile, tableImages } from '../../backend-rtl/tables.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const GATES = [SIGMOID, GELU_ERF_GATE, GELU_TANH_GATE]; // gate_q's CFG::table 0, 1, 2
interface Case { table: number; lanes: number; xBits: number; xFrac: number; yFrac: number }
const SIZE = 400;

const CASES: [string, Case][] = [
  ['SiLU, lanes 1, int16, x in Q.12', { table: 0, lanes: 1, xBits: 16, xFrac: 12, yFrac: 12 }],
  ['GELU (erf), lanes 4, int16, x in Q.20 (right-shifted onto the grid)', { table: 1, lanes: 4, xBits: 16, xFrac: 20, yFrac: 21 }],
  ['GELU (tanh), lanes 3, int8, x in Q.3', { table: 2, lanes: 3, xBits: 8, xFrac: 3, yFrac: 4 }],
  ['SiLU, lanes 2, int8, x in Q.-8 (every nonzero x clamps)', { table: 0, lanes: 2, xBits: 8, xFrac: -8, yFrac: -8 }],
];

const paramsOf = (c: Case) => ({
  LANES: c.lanes, X_BITS: c.xBits, X_FRAC: c.xFrac, Y_BITS: c.xBits, SHIFT: c.xFrac + 16 - c.yFrac, TABLE_FILE: tableFile(GATES[c.table]),
});

describe('llm2hls_activation = gate_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const g = rng(c.table * 1000 + c.xFrac + 50);
      const lim = 2 ** (c.xBits - 1);
      // Half over the whole range, half near zero where the gate bends.
      const x = Array.from({ length: SIZE }, (_, i) => (i % 2 ? g.int(-lim, lim - 1) : g.int(-lim / 16, lim / 16)));
      const p = paramsOf(c);
      const want = await runTwin('gate_q', { LANES: c.lanes, SIZE, TABLE: c.table, X_FRAC: c.xFrac, SHIFT: p.SHIFT, Y_BITS: c.xBits, X_BITS: c.xBits }, x);
      const mod = {
        top: 'llm2hls_activation', params: p,
        inputs: [{ name: 'in', width: c.lanes * c.xBits }], outputs: [{ name: 'out', width: c.lanes * c.xBits }],
      };
      for (const simulator of ['verilator', 'icarus'] as const) {
        const r = await simulate(mod, [rowsToBeats(x, SIZE, c.lanes, c.xBits)], [Math.ceil(SIZE / c.lanes)],
          { seed: 3, inGap: 25, outStall: 25, files: tableImages(), simulator });
        expect(beatsToRows(r.beats[0], SIZE, c.lanes, c.xBits)).toEqual(want);
      }
      expect(new Set(want).size).toBeGreaterThan(Math.min(SIZE, 2 ** c.xBits) / 8); // not a constant or a saturated output
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      expect(await lint('llm2hls_activation', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_activation', paramsOf(c))).toBe('');
    }
    expect(await yosysSynth('llm2hls_activation', paramsOf(CASES[0][1]), tableImages(), { coarse: true })).toMatch(/Number of cells:\s+[1-9]/);
  }, 120_000);
});
