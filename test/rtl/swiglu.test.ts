/**
 * llm2hls_swiglu against swiglu_q of templates/kernels/llm2hls_fixed.h, bit
 * for bit: seeded random gate and up streams over the whole range, one lane
 * and several, int16 and int8, under random gaps on both inputs and output
 * backpressure.
 */
import { describe, expect, it } from 'vitest';
import { beatsToRows, rowsToBeats } from '../../backend-rtl/rom.js';
import { tableImages } from '../../backend-rtl/tables.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { lanes: number; xBits: number; fg: number; fu: number; fy: number }
const SIZE = 300;

const CASES: [string, Case][] = [
  ['lanes 1, int16, gate in Q.11, up in Q.13', { lanes: 1, xBits: 16, fg: 11, fu: 13, fy: 12 }],
  ['lanes 4, int8, gate in Q.4', { lanes: 4, xBits: 8, fg: 4, fu: 5, fy: 3 }],
];
const paramsOf = (c: Case) => ({ LANES: c.lanes, X_BITS: c.xBits, G_FRAC: c.fg, Y_BITS: c.xBits, SHIFT: c.fg + 16 + c.fu - c.fy });

describe('llm2hls_swiglu = swiglu_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const g = rng(c.lanes * 17 + c.xBits);
      const lim = 2 ** (c.xBits - 1);
      const gate = Array.from({ length: SIZE }, (_, i) => (i % 2 ? g.int(-lim, lim - 1) : g.int(-lim / 8, lim / 8)));
      const up = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
      const p = paramsOf(c);
      const want = await runTwin('swiglu_q', { LANES: c.lanes, SIZE, G_FRAC: c.fg, SHIFT: p.SHIFT, Y_BITS: c.xBits, X_BITS: c.xBits }, [...gate, ...up]);
      const mod = {
        top: 'llm2hls_swiglu', params: p,
        inputs: [{ name: 'gate', width: c.lanes * c.xBits }, { name: 'up', width: c.lanes * c.xBits }],
        outputs: [{ name: 'out', width: c.lanes * c.xBits }],
      };
      for (const simulator of ['verilator', 'icarus'] as const) {
        const r = await simulate(mod, [rowsToBeats(gate, SIZE, c.lanes, c.xBits), rowsToBeats(up, SIZE, c.lanes, c.xBits)],
          [Math.ceil(SIZE / c.lanes)], { seed: 9, inGap: 25, outStall: 25, files: tableImages(), simulator });
        expect(beatsToRows(r.beats[0], SIZE, c.lanes, c.xBits)).toEqual(want);
      }
      expect(new Set(want).size).toBeGreaterThan(Math.min(SIZE, 2 ** c.xBits) / 8);
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      expect(await lint('llm2hls_swiglu', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_swiglu', paramsOf(c))).toBe('');
    }
    expect(await yosysSynth('llm2hls_swiglu', paramsOf(CASES[1][1]), tableImages(), { coarse: true })).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
