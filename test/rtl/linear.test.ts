/**
 * llm2hls_linear (templates/rtl) against its C++ twin linear_q of
 * templates/kernels/llm2hls_fixed.h, bit for bit, on seeded random weights,
 * biases, multipliers and rows, under random input gaps and output
 * backpressure; plus the cycles per row against the planner's cost model.
 */
import { describe, expect, it } from 'vitest';
import { toMultiplier } from '../../compiler/numerics/fixed.js';
import { tokenCycles, CostContext } from '../../compiler/dataflow/cost-model.js';
import { Plan, Task } from '../../compiler/dataflow/ir.js';
import { beatsToRows, linearRoms, rowsToBeats } from '../../backend-rtl/rom.js';
import { RtlModule, icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { K: number; N: number; par: number; kpar: number; ii: number; xBits: number; wBits: number; bias: boolean }
const ROWS = 5;

const accBits = (xBits: number) => (xBits > 8 ? 48 : 32);
const moduleOf = (c: Case): RtlModule => ({
  top: 'llm2hls_linear',
  params: {
    IN_DIM: c.K, OUT_DIM: c.N, PAR: c.par, KPAR: c.kpar, II: c.ii, X_BITS: c.xBits, W_BITS: c.wBits, Y_BITS: c.xBits,
    ACC_BITS: accBits(c.xBits), BIAS: c.bias ? 1 : 0,
  },
  inputs: [{ name: 'in', width: c.kpar * c.xBits }],
  outputs: [{ name: 'out', width: c.par * c.xBits }],
});

/** A layer as the quantizer makes them: weights within ±qmax, biases within the contract's bound, real multipliers. */
function layer(c: Case, seed: number) {
  const g = rng(seed);
  const qmax = 2 ** (c.wBits - 1) - 1, xmax = 2 ** (c.xBits - 1);
  const w = Array.from({ length: c.N * c.K }, () => g.int(-qmax, qmax));
  // Full-range rows with the extremes, and small rows (|x| <= 8) whose sums hit ties of channel 3's 1/8.
  const x = Array.from({ length: ROWS * c.K }, (_, i) => (i >= 3 * c.K ? g.int(-8, 8)
    : g.uniform() < 0.05 ? (g.uniform() < 0.5 ? -xmax : xmax - 1) : g.int(-xmax, xmax - 1)));
  const typical = xmax * qmax * Math.sqrt(c.K) / 2;
  const m: number[] = [], shift: number[] = [], bias: number[] = [];
  for (let n = 0; n < c.N; n++) {
    const sumAbs = w.slice(n * c.K, (n + 1) * c.K).reduce((s, v) => s + Math.abs(v), 0);
    const bound = Math.min(2 ** (accBits(c.xBits) - 1), 2 ** 38) - 1 - xmax * sumAbs;
    bias.push(n === 3 ? g.int(-64, 64) : Math.max(-bound, Math.min(bound, Math.round(g.normal() * typical))));
    // Outputs around the format's range, some saturating; a zero multiplier, a left shift (r >= 2^15)
    // and an exact 1/8 (ties to even) too.
    const r = n === 1 ? 0 : n === 2 ? 2 ** 15 * (1 + g.uniform()) : n === 3 ? 1 / 8
      : (2 ** (c.xBits - 1) / typical) * 2 ** (g.uniform() * 6 - 4);
    const mult = toMultiplier(r);
    m.push(mult.m);
    shift.push(mult.shift);
  }
  return { w, x, m, shift, bias: c.bias ? bias : undefined };
}

async function check(c: Case, seed: number) {
  const mod = moduleOf(c);
  const L = layer(c, seed);
  const roms = linearRoms({ K: c.K, N: c.N, par: c.par, kpar: c.kpar, wBits: c.wBits, accBits: accBits(c.xBits) }, L.w, L.m, L.shift, L.bias);
  const files: Record<string, string> = { 'w.hex': roms.w, 'q.hex': roms.q, ...(roms.b ? { 'b.hex': roms.b } : {}) };
  const want = await runTwin('linear_q', {
    ROWS, IN_DIM: c.K, OUT_DIM: c.N, Y_BITS: c.xBits, X_BITS: c.xBits, PAR: c.par, KPAR: c.kpar, II: c.ii, BIAS: c.bias ? 1 : 0,
  }, [...L.w, ...(L.bias ?? []), ...L.m, ...L.shift, ...L.x]);
  expect(want.length).toBe(ROWS * c.N);
  const beatsIn = rowsToBeats(L.x, c.K, c.kpar, c.xBits);
  const beatsOut = ROWS * Math.ceil(c.N / c.par);
  // Random gaps and backpressure: the values, in Verilator and in Icarus.
  for (const simulator of ['verilator', 'icarus'] as const) {
    const stalled = await simulate(mod, [beatsIn], [beatsOut], { seed, inGap: 30, outStall: 30, files, simulator });
    expect(beatsToRows(stalled.beats[0], c.N, c.par, c.xBits)).toEqual(want);
  }
  // Neither: the values again, and the cycles per row in the steady state.
  const free = await simulate(mod, [beatsIn], [beatsOut], { seed, files });
  expect(beatsToRows(free.beats[0], c.N, c.par, c.xBits)).toEqual(want);
  const NB = Math.ceil(c.N / c.par);
  const rowEnds = free.cycles[0].filter((_, i) => i % NB === NB - 1);
  const perRow = rowEnds.slice(1).map((t, i) => t - rowEnds[i]);
  return { perRow, first: rowEnds[0] };
}

/** The planner's cycles per token for a fixed-point Linear of this shape and lanes. */
function plannedCycles(c: Case): number {
  const task = { kind: 'linear', dims: { T: ROWS, K: c.K, N: c.N } } as unknown as Task;
  const plan: Plan = { uk: c.kpar, un: c.par, tt: 1 };
  return tokenCycles(task, plan, 0, { precision: { float: false } } as unknown as CostContext) * c.ii;
}

const CASES: [string, Case][] = [
  ['lanes 1, int8 weights, int16 activations, bias', { K: 24, N: 16, par: 1, kpar: 1, ii: 1, xBits: 16, wBits: 8, bias: true }],
  ['UN 4 x UK 8, int8 weights, int16 activations, no bias', { K: 64, N: 32, par: 4, kpar: 8, ii: 1, xBits: 16, wBits: 8, bias: false }],
  ['UN 3 x UK 5 (not dividing N 16, K 36), int4 weights, int8 activations, bias', { K: 36, N: 16, par: 3, kpar: 5, ii: 1, xBits: 8, wBits: 4, bias: true }],
  ['UN 2 x UK 4, II 3, int4 weights, int16 activations, bias', { K: 32, N: 8, par: 2, kpar: 4, ii: 3, xBits: 16, wBits: 4, bias: true }],
  ['UN 16 (all outputs) x UK 1, int8 weights, int8 activations, no bias', { K: 16, N: 16, par: 16, kpar: 1, ii: 1, xBits: 8, wBits: 8, bias: false }],
];

describe('llm2hls_linear = linear_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const { perRow } = await check(c, 1000 + c.K * 7 + c.N);
      // Steady state: one row every ceil(K/UK) * ceil(N/UN) * II cycles, as the cost model plans.
      expect(perRow.every((p) => p === plannedCycles(c))).toBe(true);
    }, 120_000);
  }
});

describe('llm2hls_linear in the tools', () => {
  const small: Case = { K: 8, N: 4, par: 2, kpar: 2, ii: 1, xBits: 16, wBits: 8, bias: true };
  it('is clean under verilator --lint-only -Wall and Icarus Verilog (-g2005)', async () => {
    for (const c of [small, CASES[1][1], CASES[2][1], CASES[3][1]]) {
      expect(await lint('llm2hls_linear', moduleOf(c).params)).toBe('');
      expect(await icarus('llm2hls_linear', moduleOf(c).params)).toBe('');
    }
  }, 60_000);
  it('synthesizes in Yosys with its ROMs', async () => {
    const L = layer(small, 7);
    const roms = linearRoms({ ...small, accBits: 48 }, L.w, L.m, L.shift, L.bias);
    const stat = await yosysSynth('llm2hls_linear', moduleOf(small).params, { 'w.hex': roms.w, 'q.hex': roms.q, 'b.hex': roms.b! });
    expect(stat).toMatch(/Number of cells:\s+[1-9]/);
  }, 120_000);
});
