/**
 * `llm2hls sim --mode cocotb` on a whole --target rtl project (runtime/cocotb-design.ts,
 * the project's sim/cocotb_design.py, `make cocotb`): tiny_gpt w8a16 on kv260
 * under cocotb + Icarus against the Verilator run of the same project: bit-exact
 * with the quantized golden model, the same raw output files, the same cycles
 * (at full rate and under the harness's seeded gaps and stalls); the cycle bound
 * (exit 5 naming the waiting streams); the one-line errors.
 *
 * Costs: one Verilator build of tiny_gpt (~50 s on an idle 2-core machine), the
 * Icarus build (~1 s) and ~5 s per cocotb run (746 cycles).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../compiler/errors.js';
import { runCocotbDesign } from '../../runtime/cocotb-design.js';
import { cocotbPython } from '../../runtime/cocotb.js';
import { simulate, type SimResult } from '../../runtime/csim.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';
import { builtTinyRtl } from '../helpers/rtl-project.js';

const MODEL = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const WORK = tempDir('llm2hls-cocotb-design-');
const PROJECT = path.join(WORK, 'rtl');
const SAMPLE = path.join(PROJECT, 'sim', 'sample');
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

/** Every sim writes its raw outputs to sim/out (cleared first): keep a copy. */
const rawOut = (name: string) => {
  const to = path.join(WORK, `raw-${name}`);
  fs.cpSync(path.join(PROJECT, 'sim', 'out'), to, { recursive: true });
  return to;
};
const read = (dir: string, f = 'output_0.bin') => fs.readFileSync(path.join(dir, f));

/** The CLI with extra environment (the helper's llm2hls() takes none). */
const cli = (args: string[], env: Record<string, string>) =>
  execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), ...args], { reject: false, env: { FORCE_COLOR: '0', ...env } })
    .then((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }));

let verilator: SimResult;
let verilatorRaw: string;

beforeAll(async () => {
  await builtTinyRtl(PROJECT); // the Verilator build is shared with the other RTL test files
  verilator = await simulate(PROJECT, { mode: 'verilator', inputs: SAMPLE, out: path.join(WORK, 'out-verilator') });
  expect(verilator.passed, verilator.failure).toBe(true);
  verilatorRaw = rawOut('verilator');
}, 400_000);

describe('sim --mode cocotb: tiny_gpt (w8a16, kv260) under cocotb + Icarus', () => {
  it('passes bit-exact, with the Verilator run\'s output files and cycles', async () => {
    const out = path.join(WORK, 'out-cocotb');
    const r = await llm2hls('sim', PROJECT, '--mode', 'cocotb', '--inputs', SAMPLE, '--out', out, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as SimResult;
    expect(j).toMatchObject({ mode: 'cocotb', passed: true, bitExact: true });
    expect(j.outputs[0].mismatches).toBe(0);
    expect(read(rawOut('cocotb'))).toEqual(read(verilatorRaw));
    expect(read(out, 'output_0.pb')).toEqual(read(path.join(WORK, 'out-verilator'), 'output_0.pb'));
    expect(j.rtl!.cycles).toBe(verilator.rtl!.cycles);
    expect(j.rtl!.estimateCycles).toBe(verilator.rtl!.estimateCycles);
    // The top's counters under Icarus: the same cycles, so the same per-kernel and per-FIFO figures.
    expect(j.rtl!.kernels.length).toBeGreaterThan(5);
    expect(j.rtl!.kernels).toEqual(verilator.rtl!.kernels);
    expect(j.rtl!.fifos).toEqual(verilator.rtl!.fifos);
    expect(j.buildSeconds).toBeGreaterThan(0); // the first run builds sim.vvp
  }, 120_000);

  it('under the harness\'s seeded input gaps and output stalls (env, as for Verilator): the same cycles', async () => {
    const env = { LLM2HLS_IN_GAP: '30', LLM2HLS_OUT_STALL: '40', LLM2HLS_SEED: '7' };
    const v = await simulate(PROJECT, { mode: 'verilator', inputs: SAMPLE, out: path.join(WORK, 'out-vg'), env });
    const vRaw = rawOut('verilator-gaps');
    expect(v.rtl!.cycles).not.toBe(verilator.rtl!.cycles); // the gaps did change the schedule
    // The text form: cycles against the estimate, and the statistics line.
    const t = await cli(['sim', PROJECT, '--mode', 'cocotb', '--inputs', SAMPLE, '--out', path.join(WORK, 'out-cg')], env);
    expect(t.exitCode, t.stderr).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`^cycles: ${v.rtl!.cycles} simulated .* ${v.rtl!.estimateCycles} estimated`, 'm'));
    expect(t.stdout).toMatch(/busiest kernels: .* fullest FIFOs \(beats\): /);
    expect(t.stdout).toMatch(/cocotb \(w8a16\) .*passed \(bit-exact\)/);
    expect(read(rawOut('cocotb-gaps'))).toEqual(read(vRaw));
  }, 120_000);

  it('the cycle bound: exit 5, naming the streams still waiting', async () => {
    const t0 = Date.now();
    const err = await runCocotbDesign(PROJECT, SAMPLE, path.join(WORK, 'out-bound'), { maxCycles: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    expect(e.exitCode).toBe(5);
    expect(e.message).toMatch(/^cocotb simulation passed the cycle bound of 300 cycles .*; (full FIFO\(s\): \S+ \(\d+\/\d+\)|no FIFO is full).*; still waiting: out out0 (\d+)\/(\d+) beats \(valid [01], ready 1\)/);
    const [, got, all] = /out out0 (\d+)\/(\d+) beats/.exec(e.message)!;
    expect(Number(got)).toBeLessThan(Number(all));
    expect(e.message).not.toMatch(/\n/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it('no beat for the idle limit (inputs held back for good): exit 5, stopped making progress', async () => {
    const err = await runCocotbDesign(PROJECT, SAMPLE, path.join(WORK, 'out-idle'), { idleLimit: 40, env: { LLM2HLS_IN_GAP: '100' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(5);
    expect((err as UserError).message).toMatch(/^cocotb simulation stopped making progress \(no beat moved on any port\) after 4\d cycles; no FIFO is full; no kernel waits on its output; still waiting: out out0 0\/\d+ beats .*in in0 0\/\d+ beats/);
  }, 60_000);

  it('make cocotb runs the same testbench without llm2hls', async () => {
    const out = path.join(WORK, 'out-make');
    const r = await execa('make', ['--no-print-directory', 'cocotb', `PYTHON=${cocotbPython()}`, `RTL_OUT=${out}`], { cwd: PROJECT, reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^llm2hls-rtl cycles ${verilator.rtl!.cycles} first_in 0 `, 'm'));
    expect(read(out)).toEqual(read(verilatorRaw));
  }, 60_000);
});

describe('sim --mode cocotb: errors, one line each', () => {
  const sim = (env: Record<string, string> = {}, dir = PROJECT) => cli(['sim', dir, '--mode', 'cocotb', '--inputs', SAMPLE, '--out', path.join(WORK, 'o')], env);
  const wrapper = (name: string, body: string) => {
    const f = path.join(WORK, name);
    fs.writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return f;
  };

  it('an HLS (--target vitis) project: exit 1, says to compile with --target rtl', async () => {
    const hls = path.join(WORK, 'hls');
    const c = await llm2hls('compile', MODEL, '-o', hls, '--device', 'kv260', '--bind', 'sequence=8');
    expect(c.exitCode, c.stderr).toBe(0);
    const r = await sim({}, hls);
    expectCleanFailure(r, /an HLS C\+\+ project \(--target vitis\); --mode cocotb simulates Verilog: compile with --target rtl/, expect);
    expect(r.exitCode).toBe(1);
  }, 60_000);
  it('no virtual environment: says to run scripts/setup.sh --test', async () => {
    expectCleanFailure(await sim({ LLM2HLS_PYTHON: path.join(WORK, 'no-venv', 'python') }), /needs cocotb 2\.x .* run scripts\/setup\.sh --test$/, expect);
  }, 60_000);
  it('a Python without cocotb: says what to install', async () => {
    const r = await sim({ LLM2HLS_PYTHON: wrapper('no-cocotb.sh', `exec ${cocotbPython()} -S "$@"`) });
    expectCleanFailure(r, /cocotb is not installed for .*: run scripts\/setup\.sh --test .*pip install cocotb==2\.1\.0$/, expect);
  }, 60_000);
  it('no iverilog: says to install Icarus Verilog', async () => {
    const r = await sim({ LLM2HLS_PYTHON: wrapper('no-iverilog.sh', `PATH=/nonexistent exec ${cocotbPython()} "$@"`) });
    expectCleanFailure(r, /iverilog not found: install Icarus Verilog/, expect);
  }, 60_000);
});
