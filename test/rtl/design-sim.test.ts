// A whole model as Verilog (compile --target rtl) simulated with Verilator
// (sim --mode verilator): bit for bit equal to the quantized golden model and
// to the HLS project's C simulation, with cycles, kernel and FIFO figures;
// and the ways it must refuse or stop.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';
import { builtTinyRtl } from '../helpers/rtl-project.js';

const MODEL = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const BIND = ['--bind', 'sequence=8'];
const work = tempDir('llm2hls-rtl-design-');
const rtl = path.join(work, 'rtl_kv260');
const sample = path.join(rtl, 'sim', 'sample');

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
for (const f of fs.readdirSync(path.join(ROOT, 'docs', 'schemas'))) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'schemas', f), 'utf8')));

/** The CLI with a long time limit: a Verilator build of a whole model takes a minute on a loaded machine. */
async function slow(...args: string[]) {
  const r = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), ...args], { reject: false, timeout: 600_000, env: { FORCE_COLOR: '0' } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('compile --target rtl + sim --mode verilator (tiny_gpt, w8a16, kv260)', () => {
  beforeAll(async () => {
    await builtTinyRtl(rtl); // the Verilator build is shared with the other RTL test files
  }, 900_000);

  it('writes a self-contained project whose Verilog lints clean', async () => {
    const c = await llm2hls('compile', MODEL, '-o', path.join(work, 'again'), '--target', 'rtl', '--device', 'kv260', ...BIND);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/rtl project/);
    expect(c.stdout).toMatch(/next: .* sim .* --mode verilator --inputs .*sim\/sample/);
    const manifest = JSON.parse(fs.readFileSync(path.join(rtl, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('llm2hls-rtl-project');
    expect(manifest.target).toBe('rtl');
    const top = manifest.rtl.module as string;
    expect(fs.existsSync(path.join(rtl, 'rtl', `${top}.v`))).toBe(true);
    expect(fs.readdirSync(path.join(rtl, 'rtl', 'lib'))).toContain('llm2hls_attention.v');
    expect(fs.readdirSync(path.join(rtl, 'rtl', 'mem')).some((f) => f.endsWith('_w.hex'))).toBe(true);
    // One instance per kernel of the design, lanes as the plan (or the legal lanes below it).
    expect(manifest.rtl.kernels.length).toBe(manifest.kernels.length);
    for (const [i, k] of manifest.rtl.kernels.entries()) {
      expect(k.task).toBe(manifest.kernels[i].task);
      expect(k.par).toBeLessThanOrEqual(Math.max(1, manifest.kernels[i].par));
    }
    const lint = await execa('make', ['--no-print-directory', 'lint'], { cwd: rtl, reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
    expect(lint.all).not.toMatch(/%Warning|%Error/);
  }, 120_000);

  it('simulates bit-exact with the golden model and the csim of the same design, reporting cycles, kernels and FIFOs', async () => {
    const build = await execa('make', ['--no-print-directory', 'sim-build'], { cwd: rtl, reject: false, all: true, timeout: 600_000 });
    expect(build.exitCode, build.all).toBe(0);
    const out = path.join(work, 'out_rtl');
    const r = await slow('sim', rtl, '--mode', 'verilator', '--inputs', sample, '--out', out, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const validate = ajv.getSchema('https://llm2hls.dev/schemas/sim.schema.json')!;
    expect(validate(j) ? [] : ajv.errorsText(validate.errors).split(', ')).toEqual([]);
    expect(j).toMatchObject({ mode: 'verilator', passed: true, bitExact: true });
    expect(j.outputs[0].mismatches).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(rtl, 'manifest.json'), 'utf8'));
    expect(j.rtl.estimateCycles).toBe(manifest.rtl.estimateCycles);
    expect(j.rtl.estimateCycles).toBeGreaterThan(0);
    // At least one cycle per output beat: the logits leave in rows of ceil(V / lanes) beats.
    const o = manifest.rtl.outputs[0];
    expect(j.rtl.cycles).toBeGreaterThanOrEqual((o.count / o.rowWidth) * Math.ceil(o.rowWidth / o.lanes));
    expect(j.rtl.ratio).toBeCloseTo(j.rtl.cycles / j.rtl.estimateCycles, 6);
    expect(j.rtl.kernels.map((k: { name: string }) => k.name)).toEqual(manifest.kernels.map((k: { task: string }) => k.task));
    for (const k of j.rtl.kernels) {
      expect(k.busy).toBeGreaterThan(0);
      expect(k.busy + k.stalled + k.starved + k.idle).toBeLessThanOrEqual(j.rtl.cycles + 4);
    }
    expect(j.rtl.fifos.length).toBe(manifest.rtl.fifos.length);
    for (const f of j.rtl.fifos) expect(f.maxOccupancy).toBeLessThanOrEqual(f.depth);
    expect(j.rtl.fifos.some((f: { maxOccupancy: number }) => f.maxOccupancy > 0)).toBe(true);

    // The HLS project of the same model and device: its csim writes the same integers.
    const hls = path.join(work, 'hls_kv260');
    expect((await llm2hls('compile', MODEL, '-o', hls, '--device', 'kv260', ...BIND)).exitCode).toBe(0);
    const c = await llm2hls('sim', hls, '--mode', 'csim', '--inputs', sample, '--out', path.join(work, 'out_csim'));
    expect(c.exitCode, c.stderr).toBe(0);
    expect(fs.readFileSync(path.join(rtl, 'sim', 'out', 'output_0.bin')).equals(fs.readFileSync(path.join(hls, 'csim', 'out', 'output_0.bin')))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'output_0.pb')).equals(fs.readFileSync(path.join(work, 'out_csim', 'output_0.pb')))).toBe(true);

    // Text mode prints the cycles against the estimate.
    const t = await slow('sim', rtl, '--mode', 'verilator', '--inputs', sample, '--out', path.join(work, 'out_rtl_text'));
    expect(t.exitCode, t.stderr).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`cycles: ${j.rtl.cycles} simulated .*, ${j.rtl.estimateCycles} estimated`));
    expect(t.stdout).toMatch(/bit-exact with the quantized golden model/);
  }, 900_000);

  it('stays bit-exact under random input gaps and output backpressure', async () => {
    const r = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'sim', rtl, '--mode', 'verilator', '--inputs', sample, '--out', path.join(work, 'out_stall'), '--json'],
      { reject: false, timeout: 600_000, env: { FORCE_COLOR: '0', LLM2HLS_IN_GAP: '40', LLM2HLS_OUT_STALL: '60', LLM2HLS_SEED: '7' } });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const j = JSON.parse(String(r.stdout));
    expect(j).toMatchObject({ passed: true, bitExact: true });
    expect(j.rtl.kernels.some((k: { stalled: number }) => k.stalled > 0)).toBe(true);
  }, 600_000);

  it('a design that stops moving ends with exit 5 naming the full FIFOs', async () => {
    // Outputs never taken: every FIFO behind the output fills and the run stops after its idle limit.
    const r = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'sim', rtl, '--mode', 'verilator', '--inputs', sample, '--out', path.join(work, 'out_dead')],
      { reject: false, timeout: 600_000, env: { FORCE_COLOR: '0', LLM2HLS_OUT_STALL: '100' } });
    expectCleanFailure({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) },
      /stopped making progress .*full FIFO\(s\): f_\S+ \(\d+\/\d+\).*kernels waiting on a full output: /, expect);
    expect(r.exitCode).toBe(5);
    expect(fs.existsSync(path.join(work, 'out_dead', 'output_0.pb'))).toBe(false);
  }, 600_000);

  it('a corrupt project is one clear line', async () => {
    const copy = path.join(work, 'corrupt');
    fs.cpSync(rtl, copy, { recursive: true, preserveTimestamps: true }); // the built simulation stays up to date
    const rom = fs.readdirSync(path.join(copy, 'rtl', 'mem')).find((f) => f.endsWith('_w.hex'))!;
    fs.rmSync(path.join(copy, 'rtl', 'mem', rom));
    const r = await slow('sim', copy, '--mode', 'verilator', '--inputs', sample, '--out', path.join(work, 'out_corrupt'));
    expectCleanFailure(r, /Verilator simulation failed: llm2hls-rtl: ROM image rtl\/mem\/\S+_w\.hex is missing/, expect);
  }, 600_000);

  it('without Verilator on PATH: one line saying how to install it', async () => {
    // g++ and make are there (sim checks them first), verilator is not.
    const bin = path.join(work, 'path-without-verilator');
    fs.mkdirSync(bin, { recursive: true });
    for (const tool of ['g++', 'make']) {
      const found = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    const r = await execa(process.execPath, [path.join(ROOT, 'bin', 'llm2hls.js'), 'sim', rtl, '--mode', 'verilator', '--inputs', sample, '--out', path.join(work, 'o_nov')],
      { reject: false, env: { PATH: bin, FORCE_COLOR: '0' }, extendEnv: false });
    expectCleanFailure({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }, /needs Verilator .*apt-get install verilator/, expect);
  }, 120_000);

  it('refuses what it cannot build, and the wrong simulator, with one line each', async () => {
    const fp32 = await llm2hls('compile', MODEL, '-o', path.join(work, 'fp32'), '--target', 'rtl', '--precision', 'fp32', ...BIND);
    expectCleanFailure(fp32, /--target rtl: .*fixed point.*w8a16/, expect);
    expect(fp32.exitCode).toBe(4);
    expect(fs.existsSync(path.join(work, 'fp32'))).toBe(false);
    const past = await llm2hls('compile', path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past.onnx'), '-o', path.join(work, 'past'), '--target', 'rtl',
      '--bind', 'sequence=4', '--bind', 'past_sequence=3');
    expectCleanFailure(past, /KV cache .*no RTL/, expect);
    expect(past.exitCode).toBe(4);
    // Weights the plan streams from HBM: the RTL has no memory ports yet, so no design whose figures would not hold.
    const cfg = path.join(work, 'hbm.json');
    fs.writeFileSync(cfg, JSON.stringify({ model: { weightPlacement: 'HBM[0]' } }));
    const hbm = await llm2hls('compile', MODEL, '-o', path.join(work, 'hbm'), '--target', 'rtl', '--config', cfg, ...BIND);
    expectCleanFailure(hbm, /--target rtl: the plan for u55c puts \d+ weight\/KV tensor\(s\) in external memory/, expect);
    expect(hbm.exitCode).toBe(4);
    expect(fs.existsSync(path.join(work, 'hbm'))).toBe(false);
    const csim = await llm2hls('sim', rtl, '--mode', 'csim', '--inputs', sample, '--out', path.join(work, 'o'));
    expectCleanFailure(csim, /a Verilog project \(--target rtl\); simulate it with --mode verilator/, expect);
    expect(csim.exitCode).toBe(1);
  }, 300_000);
});
