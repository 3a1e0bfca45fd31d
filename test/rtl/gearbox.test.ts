/**
 * llm2hls_gearbox re-beats rows from IN_LANES to OUT_LANES lanes a beat: its
 * output beats equal rowsToBeats of the same elements at OUT_LANES (order
 * kept, each row a fresh beat, padding zero), under random input gaps and
 * output backpressure; without stalls a row takes gearboxCyclesPerRow cycles
 * and the first output beat comes gearboxLatency cycles after the first input
 * beat. Lanes that divide nothing, outputs wider than the row, equal widths
 * (the register stage). Seeded random elements; input padding lanes carry
 * junk, which the gearbox must drop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gearboxCyclesPerRow, gearboxLatency } from '../../backend-rtl/gearbox.js';
import { packLanes, rowsToBeats, unpackLanes } from '../../backend-rtl/rom.js';
import { icarus, lint, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { el: number; row: number; inLanes: number; outLanes: number }
const CASES: Case[] = [
  { el: 16, row: 64, inLanes: 2, outLanes: 32 },
  { el: 16, row: 64, inLanes: 32, outLanes: 2 },
  { el: 8, row: 64, inLanes: 3, outLanes: 11 },
  { el: 8, row: 64, inLanes: 11, outLanes: 3 },
  { el: 16, row: 64, inLanes: 16, outLanes: 16 },
  { el: 16, row: 7, inLanes: 1, outLanes: 5 },
  { el: 8, row: 7, inLanes: 5, outLanes: 1 },
  { el: 8, row: 48, inLanes: 4, outLanes: 64 }, // OUT_LANES > ROW: one partial beat a row
  { el: 16, row: 5, inLanes: 7, outLanes: 2 }, // IN_LANES > ROW: one partial beat a row in
];
const ROWS = 6;

const moduleOf = (c: Case) => ({
  top: 'llm2hls_gearbox',
  params: { EL_BITS: c.el, ROW: c.row, IN_LANES: c.inLanes, OUT_LANES: c.outLanes },
  inputs: [{ name: 'in', width: c.inLanes * c.el }],
  outputs: [{ name: 'out', width: c.outLanes * c.el }],
});

/** Rows of random elements; the input beats with junk in the padding lanes of each row's last beat. */
function data(c: Case, seed: number) {
  const g = rng(seed);
  const half = 2 ** (c.el - 1);
  const values = Array.from({ length: ROWS * c.row }, () => g.int(-half, half - 1));
  const perRow = Math.ceil(c.row / c.inLanes), real = c.row - (perRow - 1) * c.inLanes;
  const input = rowsToBeats(values, c.row, c.inLanes, c.el).map((b, i) => {
    if (i % perRow !== perRow - 1 || c.inLanes === c.outLanes) return b; // the register stage passes beats as they are
    const lanes = unpackLanes(b, c.inLanes, c.el);
    for (let u = real; u < c.inLanes; u++) lanes[u] = g.int(-half, half - 1) || 1;
    return packLanes(lanes, c.el);
  });
  return { input, want: rowsToBeats(values, c.row, c.outLanes, c.el) };
}

/**
 * Every case in one Verilator build: a test-only top with one gearbox per
 * case, each on its own streams (its own random gaps and backpressure), so
 * the file pays for one build instead of one per parameter set.
 */
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-gearbox-'));
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));
const ALL = (() => {
  const ports = CASES.flatMap((c, k) => [
    `input wire i${k}_valid, output wire i${k}_ready, input wire [${c.inLanes * c.el - 1}:0] i${k}_data`,
    `output wire o${k}_valid, input wire o${k}_ready, output wire [${c.outLanes * c.el - 1}:0] o${k}_data`]);
  const insts = CASES.map((c, k) => `  llm2hls_gearbox #(.EL_BITS(${c.el}), .ROW(${c.row}), .IN_LANES(${c.inLanes}), .OUT_LANES(${c.outLanes})) g${k} (.clk(clk), .rst_n(rst_n),
    .in_valid(i${k}_valid), .in_ready(i${k}_ready), .in_data(i${k}_data), .out_valid(o${k}_valid), .out_ready(o${k}_ready), .out_data(o${k}_data));`);
  const file = path.join(DIR, 'gearbox_cases.v');
  fs.writeFileSync(file, `module gearbox_cases (input wire clk, input wire rst_n,\n  ${ports.join(',\n  ')});\n${insts.join('\n')}\nendmodule\n`);
  return {
    top: 'gearbox_cases', file, params: {},
    inputs: CASES.map((c, k) => ({ name: `i${k}`, width: c.inLanes * c.el })),
    outputs: CASES.map((c, k) => ({ name: `o${k}`, width: c.outLanes * c.el })),
  };
})();
const DATA = CASES.map((c) => data(c, c.row * 1000 + c.inLanes * 37 + c.outLanes));
const label = (c: Case) => `${c.inLanes} -> ${c.outLanes} lanes, rows of ${c.row}, ${c.el}-bit`;

describe('llm2hls_gearbox = rowsToBeats at OUT_LANES', () => {
  for (const [seed, inGap, outStall] of [[1, 30, 30], [2, 5, 60], [3, 60, 5]]) {
    it(`every case, input gaps ${inGap}%, output stalls ${outStall}%`, async () => {
      const r = await simulate(ALL, DATA.map((d) => d.input), DATA.map((d) => d.want.length), { seed, inGap, outStall });
      CASES.forEach((c, k) => expect(r.beats[k], label(c)).toEqual(DATA[k].want));
    }, 60_000);
  }

  it('without stalls: a row in gearboxCyclesPerRow cycles, the first beat after gearboxLatency', async () => {
    const r = await simulate(ALL, DATA.map((d) => d.input), DATA.map((d) => d.want.length), { seed: 4 });
    CASES.forEach((c, k) => {
      expect(r.beats[k], label(c)).toEqual(DATA[k].want);
      const outBeats = Math.ceil(c.row / c.outLanes);
      const starts = Array.from({ length: ROWS }, (_, row) => r.cycles[k][row * outBeats]);
      // Steady state from the third row (the first ones may run ahead while the buffer fills).
      const perRow = starts.slice(2).map((s, i) => s - starts[i + 1]);
      expect(perRow, label(c)).toEqual(perRow.map(() => gearboxCyclesPerRow(c.row, c.inLanes, c.outLanes)));
      // The first input beat is taken in cycle 0.
      expect(r.cycles[k][0], label(c)).toBe(gearboxLatency(c.row, c.inLanes, c.outLanes));
    });
  }, 60_000);

  it('the same under Icarus Verilog, stalled', async () => {
    const k = 2;
    const r = await simulate(moduleOf(CASES[k]), [DATA[k].input], [DATA[k].want.length], { seed: 5, inGap: 30, outStall: 40, simulator: 'icarus' });
    expect(r.beats[0]).toEqual(DATA[k].want);
  }, 60_000);
});

describe('llm2hls_gearbox in the tools', () => {
  it('is clean under verilator -Wall and Icarus Verilog for every case, and Yosys synthesizes it', async () => {
    for (const c of CASES) {
      const { params } = moduleOf(c);
      expect(await lint('llm2hls_gearbox', params)).toBe('');
      expect(await icarus('llm2hls_gearbox', params)).toBe('');
    }
    expect(await yosysSynth('llm2hls_gearbox', moduleOf(CASES[3]).params)).toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
