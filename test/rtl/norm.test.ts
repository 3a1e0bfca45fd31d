/**
 * llm2hls_norm (with llm2hls_rsqrt, llm2hls_bit_length, llm2hls_lerp) against
 * norm_q / norm_q_nobeta of templates/kernels/llm2hls_fixed.h, bit for bit:
 * LayerNorm and RMSNorm with parameters made the calibrator's way
 * (compiler/numerics/calibrate.ts) from seeded random gamma, beta, epsilon,
 * on rows of every scale (large, small, constant: U = EPS_U alone), one lane
 * and several, under random input gaps and output backpressure.
 */
import { describe, expect, it } from 'vitest';
import { formatForRange, roundHalfEven, toFixed, toMultiplier, fmt } from '../../compiler/numerics/fixed.js';
import { NORM_EPS_LIMIT, NORM_FRAC, NORM_GUARD_BITS } from '../../compiler/numerics/kernels-q.js';
import { RSQRT } from '../../compiler/numerics/tables.js';
import { CostContext, tokenCycles } from '../../compiler/dataflow/cost-model.js';
import { Task } from '../../compiler/dataflow/ir.js';
import { beatsToRows, hexImage, packLanes, rowsToBeats } from '../../backend-rtl/rom.js';
import { tableFile, tableImage } from '../../backend-rtl/tables.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { D: number; lanes: number; center: boolean; beta: boolean; xBits: number; fx: number; fy: number }
const ROWS = 6;

/** A norm layer's integers as calibrate.ts makes them from float gamma, beta, eps. */
function layer(c: Case, seed: number) {
  const g = rng(seed);
  const gamma = Array.from({ length: c.D }, () => 1 + 0.5 * g.normal());
  const beta = Array.from({ length: c.D }, () => 0.3 * g.normal());
  const eps = 10 ** -(3 + 3 * g.uniform());
  const gs = gamma.map((x) => x * Math.sqrt(c.D));
  const gf = formatForRange(gs.reduce((m, x) => Math.max(m, Math.abs(x)), 0), 16, 1 + 2 ** -20);
  return {
    gamma: gs.map((x) => toFixed(x, gf)),
    gammaFrac: gf.frac,
    beta: c.beta ? beta.map((x) => Math.max(-(2 ** 40), Math.min(2 ** 40, roundHalfEven(x * 2 ** (NORM_FRAC + gf.frac))))) : undefined,
    epsU: Math.min(NORM_EPS_LIMIT, Math.max(1, roundHalfEven(eps * c.D * 2 ** (2 * (c.fx + NORM_GUARD_BITS))))),
    invD: toMultiplier(1 / c.D),
  };
}

/** Rows at large, medium and tiny scales around an offset, and a constant row. */
function rows(c: Case, seed: number): number[] {
  const g = rng(seed + 1);
  const f = fmt(c.xBits, 0);
  const out: number[] = [];
  for (let r = 0; r < ROWS; r++) {
    const scale = [2 ** (c.xBits - 3), 2 ** (c.xBits - 6), 2, 0, 2 ** (c.xBits - 2), 5][r];
    const offset = g.normal() * 2 ** (c.xBits - 4);
    for (let j = 0; j < c.D; j++) out.push(toFixed(offset + scale * g.normal(), f));
  }
  return out;
}

const CASES: [string, Case][] = [
  ['LayerNorm, lanes 1, D 32, with beta', { D: 32, lanes: 1, center: true, beta: true, xBits: 16, fx: 10, fy: 12 }],
  ['LayerNorm, lanes 4, D 64, with beta', { D: 64, lanes: 4, center: true, beta: true, xBits: 16, fx: 8, fy: 11 }],
  ['RMSNorm, lanes 3 (not dividing D 20)', { D: 20, lanes: 3, center: false, beta: false, xBits: 16, fx: 12, fy: 13 }],
  ['LayerNorm without beta, int8, lanes 2, D 16', { D: 16, lanes: 2, center: true, beta: false, xBits: 8, fx: 4, fy: 5 }],
  ['LayerNorm, a row in one beat (lanes 4, D 4)', { D: 4, lanes: 4, center: true, beta: true, xBits: 16, fx: 9, fy: 12 }],
];

function setup(c: Case, seed: number) {
  const L = layer(c, seed);
  const DB = Math.ceil(c.D / c.lanes);
  const lanesOf = <T>(v: readonly T[], zero: T) => Array.from({ length: DB }, (_, b) =>
    Array.from({ length: c.lanes }, (_, u) => (b * c.lanes + u < c.D ? v[b * c.lanes + u] : zero)));
  const files: Record<string, string> = {
    'g.hex': hexImage(lanesOf(L.gamma, 0).map((l) => packLanes(l, 16)), c.lanes * 16),
    [tableFile(RSQRT)]: tableImage(RSQRT),
  };
  if (L.beta) files['beta.hex'] = hexImage(lanesOf(L.beta, 0).map((l) => packLanes(l, 48)), c.lanes * 48);
  const params = {
    DIM: c.D, LANES: c.lanes, X_BITS: c.xBits, Y_BITS: c.xBits, CENTER: c.center ? 1 : 0, INV_D_M: L.invD.m, INV_D_SHIFT: L.invD.shift,
    EPS_U: BigInt(L.epsU), GAMMA_FRAC: L.gammaFrac, Y_FRAC: c.fy, BETA: c.beta ? 1 : 0,
  };
  return { L, DB, files, params };
}

describe('llm2hls_norm = norm_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const seed = c.D * 10 + c.lanes;
      const { L, DB, files, params } = setup(c, seed);
      const x = rows(c, seed);
      const want = await runTwin('norm_q', { LANES: c.lanes,
        ROWS, DIM: c.D, CENTER: c.center ? 1 : 0, INV_D_M: L.invD.m, INV_D_SHIFT: L.invD.shift, EPS_U: L.epsU,
        GAMMA_FRAC: L.gammaFrac, Y_FRAC: c.fy, Y_BITS: c.xBits, X_BITS: c.xBits, BETA: c.beta ? 1 : 0,
      }, [...L.gamma, ...(L.beta ?? []), ...x]);
      const mod = { top: 'llm2hls_norm', params, inputs: [{ name: 'in', width: c.lanes * c.xBits }], outputs: [{ name: 'out', width: c.lanes * c.xBits }] };
      const beats = rowsToBeats(x, c.D, c.lanes, c.xBits);
      // Mixed waits, and a slow consumer that keeps every row buffer full.
      for (const [inGap, outStall, simulator] of [[30, 30, 'verilator'], [0, 75, 'verilator'], [30, 30, 'icarus']] as const) {
        const stalled = await simulate(mod, [beats], [ROWS * DB], { seed, inGap, outStall, files, simulator });
        expect(beatsToRows(stalled.beats[0], c.D, c.lanes, c.xBits)).toEqual(want);
      }
      const free = await simulate(mod, [beats], [ROWS * DB], { seed, files });
      expect(beatsToRows(free.beats[0], c.D, c.lanes, c.xBits)).toEqual(want);
      expect(new Set(want).size).toBeGreaterThan(Math.min(c.D, 2 ** c.xBits / 8));
      // Three row buffers: a row every DB = ceil(C / un) cycles, as the cost model plans
      // (shorter rows wait for the three-cycle hand-over).
      if (DB < 3) return;
      const ends = free.cycles[0].filter((_, i) => i % DB === DB - 1);
      const task = { kind: c.center ? 'layernorm' : 'rmsnorm', dims: { T: ROWS, C: c.D } } as unknown as Task;
      const planned = tokenCycles(task, { uk: 1, un: c.lanes, tt: 1 }, 0, { precision: { float: false } } as unknown as CostContext);
      expect(ends.slice(1).map((t, i) => t - ends[i])).toEqual(ends.slice(1).map(() => planned));
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      const { params } = setup(c, 1);
      expect(await lint('llm2hls_norm', params)).toBe('');
      expect(await icarus('llm2hls_norm', params)).toBe('');
    }
    const { params, files } = setup(CASES[3][1], 1);
    expect(await yosysSynth('llm2hls_norm', params, files, { coarse: true })).toMatch(/Number of cells:\s+[1-9]/);
  }, 120_000);
});
