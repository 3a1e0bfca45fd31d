/**
 * Stream plumbing of the Verilog library: llm2hls_fifo (no C++ twin; the
 * hls::stream of a planned depth) delivers every beat once, in order, and at
 * one beat per cycle from depth 2; llm2hls_fork2 and llm2hls_split2 equal
 * fork2 and split2 of llm2hls_stream_ops.h on both outputs. Seeded random
 * data, random input gaps and output backpressure.
 */
import { describe, expect, it } from 'vitest';
import { beatsToRows, packLanes, rowsToBeats, unpackLanes } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const randomBeats = (n: number, width: number, seed: number) => {
  const g = rng(seed);
  return Array.from({ length: n }, () => packLanes(Array.from({ length: Math.ceil(width / 16) }, () => g.int(0, 65535)), 16) & ((1n << BigInt(width)) - 1n));
};

describe('llm2hls_fifo', () => {
  for (const [width, depth] of [[8, 1], [70, 5]]) {
    it(`WIDTH ${width}, DEPTH ${depth}: every beat once, in order`, async () => {
      const mod = { top: 'llm2hls_fifo', params: { WIDTH: width, DEPTH: depth }, inputs: [{ name: 'in', width }], outputs: [{ name: 'out', width }] };
      const beats = randomBeats(300, width, width * 31 + depth);
      for (const [seed, inGap, outStall, simulator] of [[1, 30, 30, 'verilator'], [2, 5, 60, 'verilator'], [3, 60, 5, 'verilator'], [4, 30, 30, 'icarus']] as const) {
        const r = await simulate(mod, [beats], [beats.length], { seed, inGap, outStall, simulator });
        expect(r.beats[0]).toEqual(beats);
      }
      // No gaps, no backpressure: one beat per cycle once DEPTH >= 2 (depth 1 alternates).
      const free = await simulate(mod, [beats], [beats.length], { seed: 4 });
      const gaps = free.cycles[0].slice(1).map((c, i) => c - free.cycles[0][i]);
      expect(Math.max(...gaps)).toBe(depth >= 2 ? 1 : 2);
    }, 60_000);
  }
});

describe('llm2hls_fork2 = fork2', () => {
  for (const width of [40]) {
    it(`WIDTH ${width}: both outputs carry every beat`, async () => {
      const mod = { top: 'llm2hls_fork2', params: { WIDTH: width }, inputs: [{ name: 'in', width }], outputs: [{ name: 'a', width }, { name: 'b', width }] };
      const values = randomBeats(200, width, width).map((b) => unpackLanes(b, 1, width)[0]);
      const want = await runTwin('fork2', { SIZE: values.length }, values);
      const beats = values.map((v) => packLanes([v], width));
      for (const [seed, inGap, outStall, simulator] of [[5, 20, 40, 'verilator'], [6, 0, 70, 'verilator'], [7, 20, 40, 'icarus']] as const) {
        const r = await simulate(mod, [beats], [beats.length, beats.length], { seed, inGap, outStall, simulator });
        expect([...r.beats[0], ...r.beats[1]].map((b) => unpackLanes(b, 1, width)[0])).toEqual(want);
      }
    }, 60_000);
  }
});

describe('llm2hls_split2 = split2', () => {
  for (const [lanes, w0, w1] of [[1, 5, 3], [4, 8, 12]]) {
    it(`lanes ${lanes}, rows of ${w0} + ${w1}: each part to its output, in order`, async () => {
      const rows = 20, bits = 16;
      const g = rng(lanes * 100 + w0);
      const values = Array.from({ length: rows * (w0 + w1) }, () => g.int(-32768, 32767));
      const want = await runTwin('split2', { ROWS: rows, W0: w0, W1: w1 }, values);
      const mod = {
        top: 'llm2hls_split2', params: { EL_BITS: bits, LANES: lanes, W0: w0, W1: w1 }, inputs: [{ name: 'in', width: lanes * bits }],
        outputs: [{ name: 'a', width: lanes * bits }, { name: 'b', width: lanes * bits }],
      };
      for (const simulator of ['verilator', 'icarus'] as const) {
        const r = await simulate(mod, [rowsToBeats(values, w0 + w1, lanes, bits)], [rows * w0 / lanes, rows * w1 / lanes],
          { seed: 8, inGap: 20, outStall: 40, simulator });
        expect([...beatsToRows(r.beats[0], w0, lanes, bits), ...beatsToRows(r.beats[1], w1, lanes, bits)]).toEqual(want);
      }
    }, 60_000);
  }
});

describe('stream plumbing in the tools', () => {
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [top, params] of [['llm2hls_fifo', { WIDTH: 8, DEPTH: 1 }], ['llm2hls_fifo', { WIDTH: 64, DEPTH: 6 }], ['llm2hls_fork2', { WIDTH: 12 }],
      ['llm2hls_split2', { LANES: 4, W0: 8, W1: 12 }], ['llm2hls_drain', { WIDTH: 9 }]] as const) {
      expect(await lint(top, params)).toBe('');
      expect(await icarus(top, params)).toBe('');
      // A drain is a constant ready: no cells.
      expect(await yosysSynth(top, params)).toMatch(top === 'llm2hls_drain' ? /Number of cells:\s+0/ : /Number of cells:\s+[1-9]/);
    }
  }, 60_000);
});
