/**
 * Stream plumbing of the Verilog library: llm2hls_fifo (no C++ twin; the
 * hls::stream of a planned depth) delivers every beat once, in order, and at
 * one beat per cycle from depth 2; llm2hls_fork2 equals fork2 of
 * llm2hls_stream_ops.h on both outputs. Seeded random data, random input
 * gaps and output backpressure.
 */
import { describe, expect, it } from 'vitest';
import { packLanes, unpackLanes } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const randomBeats = (n: number, width: number, seed: number) => {
  const g = rng(seed);
  return Array.from({ length: n }, () => packLanes(Array.from({ length: Math.ceil(width / 16) }, () => g.int(0, 65535)), 16) & ((1n << BigInt(width)) - 1n));
};

describe('llm2hls_fifo', () => {
  for (const [width, depth] of [[8, 1], [16, 2], [70, 5]]) {
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
  for (const width of [16, 40]) {
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

describe('stream plumbing in the tools', () => {
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [top, params] of [['llm2hls_fifo', { WIDTH: 8, DEPTH: 1 }], ['llm2hls_fifo', { WIDTH: 64, DEPTH: 6 }], ['llm2hls_fork2', { WIDTH: 12 }]] as const) {
      expect(await lint(top, params)).toBe('');
      expect(await icarus(top, params)).toBe('');
      expect(await yosysSynth(top, params)).toMatch(/Number of cells:\s+[1-9]/);
    }
  }, 60_000);
});
