/**
 * The cocotb leg (runtime/cocotb.ts, templates/project-rtl/cocotb_tb.py and
 * cocotb_run.py): llm2hls_add with 4 lanes under cocotb 2.x and Icarus
 * Verilog, against its C++ twin bit for bit and against the Verilator
 * testbench on the same stimulus (same seed: same beats on the same cycles),
 * under gaps and backpressure, heavy backpressure, none; the cycle bound
 * (a run that cannot finish fails quickly, naming the waiting streams); the
 * one-line errors of a missing environment.
 *
 * Nothing is skipped: without the virtual environment (scripts/setup.sh --test)
 * these tests fail with the message that says to make it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { beatsToRows, rowsToBeats } from '../../backend-rtl/rom.js';
import { CocotbError, cocotbPython, runCocotb, type CocotbOptions } from '../../runtime/cocotb.js';
import { RTL_DIR, runTwin, simulate } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-cocotb-'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));
let runs = 0;

// lanes 4, int16 into int8, rounding by 5 bits (ties and saturation both happen).
const C = { LANES: 4, X_BITS: 16, Y_BITS: 8, A_SHIFT: 0, B_SHIFT: 2, SHIFT: 5 };
const SIZE = 240;
const BEATS = SIZE / C.LANES;
const IN_W = C.LANES * C.X_BITS, OUT_W = C.LANES * C.Y_BITS;
const mod = {
  top: 'llm2hls_add', params: C,
  inputs: [{ name: 'a', width: IN_W }, { name: 'b', width: IN_W }], outputs: [{ name: 'out', width: OUT_W }],
};

const g = rng(4242);
const lim = 2 ** (C.X_BITS - 1);
const a = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
const b = Array.from({ length: SIZE }, () => g.int(-lim, lim - 1));
const aBeats = rowsToBeats(a, SIZE, C.LANES, C.X_BITS), bBeats = rowsToBeats(b, SIZE, C.LANES, C.X_BITS);
const twin = () => runTwin('add_q', { SIZE, X_BITS: C.X_BITS, Y_BITS: C.Y_BITS, A_SHIFT: C.A_SHIFT, B_SHIFT: C.B_SHIFT, SHIFT: C.SHIFT }, [...a, ...b]);

const BUILD = path.join(WORK, 'build'); // one Icarus build of the design for every run
function options(tb: Partial<CocotbOptions['tb']>, o: Partial<CocotbOptions> = {}): CocotbOptions {
  return {
    sources: [path.join(RTL_DIR, 'llm2hls_add.v')], top: 'llm2hls_add', params: C, libDirs: [RTL_DIR],
    tb: {
      inputs: [{ name: 'a', width: IN_W, beats: aBeats }, { name: 'b', width: IN_W, beats: bBeats }],
      outputs: [{ name: 'out', width: OUT_W, beats: BEATS }], ...tb,
    },
    workDir: path.join(WORK, `run-${runs++}`), buildDir: BUILD, timeoutMs: 60_000, ...o,
  };
}

describe('cocotb + Icarus: llm2hls_add, 4 lanes', () => {
  for (const [name, seed, inGap, outStall] of [
    ['random gaps and backpressure', 1, 30, 30],
    ['stalled: the output ready one cycle in five', 2, 10, 80],
  ] as const) {
    it(`${name}: = the C++ twin, and the Verilator run cycle for cycle`, async () => {
      const want = await twin();
      const r = await runCocotb(options({ seed, inGap, outStall }));
      expect(r.finished).toBe(true);
      expect(beatsToRows(r.beats[0], SIZE, C.LANES, C.Y_BITS)).toEqual(want);
      const v = await simulate(mod, [aBeats, bBeats], [BEATS], { seed, inGap, outStall });
      expect(r.beats).toEqual(v.beats);
      expect(r.at).toEqual(v.cycles); // tb.cpp's random draws: the same stimulus on the same cycles
      expect(r.totalCycles).toBe(v.totalCycles);
      expect(r.cycles).toBeGreaterThanOrEqual(BEATS);
      if (outStall === 80) expect(r.cycles).toBeGreaterThan(3 * BEATS); // the backpressure did hold it up
    }, 60_000);
  }

  it('no gaps: one beat a cycle, and cycles counts first input to last output', async () => {
    const r = await runCocotb(options({ seed: 3 }));
    expect(beatsToRows(r.beats[0], SIZE, C.LANES, C.Y_BITS)).toEqual(await twin());
    expect(r.at[0].at(-1)! - r.at[0][0]).toBe(BEATS - 1);
    expect(r.cycles).toBe(r.at[0].at(-1)! + 1); // the first input beat goes in on cycle 0
  }, 60_000);

  it('the cycle bound: more output beats wanted than the design makes fails quickly, naming the streams', async () => {
    const t0 = Date.now();
    const err = await runCocotb(options({ seed: 4, inGap: 30, outStall: 30, maxCycles: 2000,
      outputs: [{ name: 'out', width: OUT_W, beats: BEATS + 5 }] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CocotbError);
    const e = err as CocotbError;
    expect(e.message).toMatch(new RegExp(`cycle bound 2000 hit; waiting: out out ${BEATS}/${BEATS + 5} beats \\(valid 0, ready [01]\\)`));
    expect(e.message).not.toMatch(/\n/);
    expect(e.result?.finished).toBe(false);
    expect(e.result?.totalCycles).toBe(2000);
    expect(e.result?.waiting).toEqual([expect.objectContaining({ stream: 'out', dir: 'out', beats: BEATS, of: BEATS + 5, valid: false })]);
    expect(e.result?.beats[0]).toHaveLength(BEATS); // what did arrive is kept
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  it('an input the design never takes is named too (the output held not ready)', async () => {
    const err = await runCocotb(options({ seed: 5, outStall: 100, maxCycles: 200 })).catch((e: unknown) => e) as CocotbError;
    expect(err).toBeInstanceOf(CocotbError);
    // The add has a one-beat output register: one beat in, then both inputs wait with valid high and ready low.
    expect(err.message).toMatch(/waiting: out out 0\/60 beats \(valid 1, ready 0\), in a 1\/60 beats \(valid 1, ready 0\), in b 1\/60 beats \(valid 1, ready 0\)/);
  }, 60_000);
});

describe('cocotb: errors, one line each', () => {
  const wrapper = (body: string) => {
    const f = path.join(WORK, `python-${runs++}.sh`);
    fs.writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return f;
  };
  it('no virtual environment: says to run scripts/setup.sh --test', async () => {
    const err = await runCocotb(options({}, { python: path.join(WORK, 'no-venv', 'bin', 'python') })).catch((e: unknown) => e) as Error;
    expect(err.message).toMatch(/^cocotb: no Python virtual environment .* run scripts\/setup\.sh --test$/);
  });
  it('a Python without cocotb: says to run scripts/setup.sh --test', async () => {
    // -S: the venv's Python without its site-packages, so no cocotb.
    const err = await runCocotb(options({}, { python: wrapper(`exec ${cocotbPython()} -S "$@"`) })).catch((e: unknown) => e) as Error;
    expect(err.message).toMatch(/^cocotb: llm2hls_add: cocotb is not installed for .*: run scripts\/setup\.sh --test/);
    expect(err.message).not.toMatch(/\n/);
  });
  it('a description that does not match the ports', async () => {
    const err = await runCocotb(options({ outputs: [{ name: 'out', width: 16, beats: BEATS }] })).catch((e: unknown) => e) as Error;
    expect(err.message).toBe(`cocotb: llm2hls_add: out_data is ${OUT_W} bits, the description says 16`);
  }, 60_000);
  it('the wall-clock timeout ends the run, simulator included', async () => {
    const o = options({ outStall: 100, maxCycles: 100_000_000 }, { timeoutMs: 2500 });
    const t0 = Date.now();
    const err = await runCocotb(o).catch((e: unknown) => e) as Error;
    expect(err.message).toMatch(/^cocotb: llm2hls_add did not finish within 2500 ms/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // No vvp of this run left behind (its process group was killed).
    const { stdout } = await execa('ps', ['-eo', 'args'], { reject: false });
    expect(stdout.split('\n').filter((l) => l.includes('vvp') && l.includes(BUILD))).toEqual([]);
  }, 60_000);
  it('no iverilog on PATH: says to install Icarus Verilog', async () => {
    const err = await runCocotb(options({}, { python: wrapper(`PATH=/nonexistent exec ${cocotbPython()} "$@"`) })).catch((e: unknown) => e) as Error;
    expect(err.message).toMatch(/^cocotb: llm2hls_add: iverilog not found: install Icarus Verilog/);
  });
});
