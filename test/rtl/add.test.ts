/**
 * llm2hls_add (templates/rtl) against add_q of templates/kernels/llm2hls_fixed.h,
 * bit for bit: seeded random operands in full range, alignment shifts on
 * either side, right shifts with frequent ties, a left shift, saturation into
 * 16 and 8 bits, one lane and several, under random gaps and backpressure.
 */
import { describe, expect, it } from 'vitest';
import { beatsToRows, hexImage, rowsToBeats } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { lanes: number; xBits: number; yBits: number; aShift: number; bShift: number; shift: number }
const SIZE = 120;

const CASES: [string, Case][] = [
  ['lanes 1, int16, fa < fb, rounding by 1 bit (ties half the time)', { lanes: 1, xBits: 16, yBits: 16, aShift: 3, bShift: 0, shift: 1 }],
  ['lanes 4, int16 into int8, fb < fa, rounding by 5 bits', { lanes: 4, xBits: 16, yBits: 8, aShift: 0, bShift: 2, shift: 5 }],
  ['lanes 7 (not dividing 120), int8, left shift (fy > F)', { lanes: 7, xBits: 8, yBits: 8, aShift: 1, bShift: 0, shift: -1 }],
];

describe('llm2hls_add = add_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const g = rng(c.lanes * 100 + c.shift + 7);
      const lim = 2 ** (c.xBits - 1);
      const a = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
      const b = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
      const want = await runTwin('add_q', { LANES: c.lanes, SIZE, X_BITS: c.xBits, Y_BITS: c.yBits, A_SHIFT: c.aShift, B_SHIFT: c.bShift, SHIFT: c.shift }, [...a, ...b]);
      const mod = {
        top: 'llm2hls_add',
        params: { LANES: c.lanes, X_BITS: c.xBits, Y_BITS: c.yBits, A_SHIFT: c.aShift, B_SHIFT: c.bShift, SHIFT: c.shift },
        inputs: [{ name: 'a', width: c.lanes * c.xBits }, { name: 'b', width: c.lanes * c.xBits }],
        outputs: [{ name: 'out', width: c.lanes * c.yBits }],
      };
      const beats = Math.ceil(SIZE / c.lanes);
      for (const [seed, inGap, outStall, simulator] of [[1, 30, 30, 'verilator'], [2, 0, 0, 'verilator'], [3, 30, 30, 'icarus']] as const) {
        const r = await simulate(mod, [rowsToBeats(a, SIZE, c.lanes, c.xBits), rowsToBeats(b, SIZE, c.lanes, c.xBits)], [beats], { seed, inGap, outStall, simulator });
        expect(beatsToRows(r.beats[0], SIZE, c.lanes, c.yBits)).toEqual(want);
        if (!inGap) expect(r.cycles[0].at(-1)! - r.cycles[0][0]).toBe(beats - 1); // one beat per cycle
      }
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      const params = { LANES: c.lanes, X_BITS: c.xBits, Y_BITS: c.yBits, A_SHIFT: c.aShift, B_SHIFT: c.bShift, SHIFT: c.shift };
      expect(await lint('llm2hls_add', params)).toBe('');
      expect(await icarus('llm2hls_add', params)).toBe('');
    }
    expect(await yosysSynth('llm2hls_add', { LANES: 2, A_SHIFT: 2, SHIFT: 3 })).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});

describe('llm2hls_add_const = add_q_const, bit for bit', () => {
  const CONST_CASES: [string, Case & { period: number }][] = [
    ['lanes 1, period 24, int16', { lanes: 1, xBits: 16, yBits: 16, aShift: 0, bShift: 2, shift: 1, period: 24 }],
    ['lanes 4, period 12 (three rows of 4 lanes), int8, a left shift', { lanes: 4, xBits: 8, yBits: 8, aShift: 1, bShift: 0, shift: -1, period: 12 }],
  ];
  const paramsOf = (c: Case & { period: number }) => ({
    LANES: c.lanes, PERIOD: c.period, X_BITS: c.xBits, Y_BITS: c.yBits, A_SHIFT: c.aShift, B_SHIFT: c.bShift, SHIFT: c.shift,
  });
  for (const [name, c] of CONST_CASES) {
    it(name, async () => {
      const g = rng(c.period * 3 + c.lanes);
      const lim = 2 ** (c.xBits - 1);
      const cst = Array.from({ length: c.period }, () => g.int(-lim, lim - 1));
      const a = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
      const want = await runTwin('add_q_const', { LANES: c.lanes,
        SIZE, PERIOD: c.period, X_BITS: c.xBits, Y_BITS: c.yBits, A_SHIFT: c.aShift, B_SHIFT: c.bShift, SHIFT: c.shift,
      }, [...cst, ...a]);
      const mod = {
        top: 'llm2hls_add_const', params: paramsOf(c),
        inputs: [{ name: 'a', width: c.lanes * c.xBits }], outputs: [{ name: 'out', width: c.lanes * c.yBits }],
      };
      const files = { 'c.hex': hexImage(rowsToBeats(cst, c.period, c.lanes, c.xBits), c.lanes * c.xBits) };
      for (const simulator of ['verilator', 'icarus'] as const) {
        const r = await simulate(mod, [rowsToBeats(a, SIZE, c.lanes, c.xBits)], [SIZE / c.lanes], { seed: 5, inGap: 30, outStall: 30, files, simulator });
        expect(beatsToRows(r.beats[0], SIZE, c.lanes, c.yBits)).toEqual(want);
      }
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CONST_CASES) {
      expect(await lint('llm2hls_add_const', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_add_const', paramsOf(c))).toBe('');
    }
    const c = CONST_CASES[1][1];
    const files = { 'c.hex': hexImage(rowsToBeats(Array(c.period).fill(3), c.period, c.lanes, c.xBits), c.lanes * c.xBits) };
    expect(await yosysSynth('llm2hls_add_const', paramsOf(c), files)).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
