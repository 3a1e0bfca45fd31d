/** The compile/sim commands as users run them: directory safety, interrupts, errors. */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../compiler/tensor.js';
import { ModelBuilder } from '../../frontend/onnx-writer.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';
import { MARKER } from '../../backend-hls/project.js';

const MODEL = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini.onnx');
const DATA = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_data');
let work: string;

beforeAll(() => { work = tempDir('llm2hls-project-'); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

describe('compile: the output directory', () => {
  it('refuses a non-empty directory llm2hls did not create, and --force replaces it', async () => {
    const dir = path.join(work, 'foreign');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'thesis.tex'), 'precious');
    const r = await llm2hls('compile', MODEL, '-o', dir);
    expectCleanFailure(r, /not empty and was not created by llm2hls.*--force/, expect);
    expect(fs.readFileSync(path.join(dir, 'thesis.tex'), 'utf8')).toBe('precious');
    expect(fs.readdirSync(work).filter((f) => f.includes('.partial-'))).toEqual([]);

    const forced = await llm2hls('compile', MODEL, '-o', dir, '--force');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, MARKER))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'thesis.tex'))).toBe(false);
    // The design's defaults: w8a16 (the hardware precision) on the U55C.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.precision).toBe('w8a16');
    expect(manifest.device.id).toBe('u55c');
    expect(fs.existsSync(path.join(dir, 'quant_spec.json'))).toBe(true);
  }, 60_000);

  it('rewrites its own project without --force, and accepts an empty directory', async () => {
    const dir = path.join(work, 'own');
    fs.mkdirSync(dir);
    expect((await llm2hls('compile', MODEL, '-o', dir)).exitCode).toBe(0);
    const again = await llm2hls('compile', MODEL, '-o', dir, '--target', 'bambu', '--precision', 'fp32', '--json');
    expect(again.exitCode, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ target: 'bambu', top: 'torch_jit', precision: 'fp32', kernels: 16 });
    expect(fs.readFileSync(path.join(dir, 'src', 'llm2hls_types.h'), 'utf8')).toContain('ac_channel');
    expect(fs.readdirSync(work).filter((f) => /\.(partial|old)-/.test(f))).toEqual([]);
  }, 60_000);

  it('refuses a file, the working directory and its parents', async () => {
    const file = path.join(work, 'afile');
    fs.writeFileSync(file, 'x');
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', file), /exists and is not a directory/, expect);
    const r = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'compile', MODEL, '-o', '.', '--force'], { cwd: work, reject: false, env: { FORCE_COLOR: '0' } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/refusing to replace the working directory/);
    expect(fs.existsSync(file)).toBe(true);
  }, 60_000);

  it('an interrupted compile leaves no directory that looks complete', async () => {
    // ~200 MB of fp32 weights (written as they are): long enough to interrupt while they are written.
    const big = path.join(work, 'big.onnx');
    const V = 800_000, D = 64;
    const b = new ModelBuilder('big', 17);
    b.input('ids', 'int64', [1, 4]);
    b.initializer('table', new Tensor('float32', [V, D], new Float32Array(V * D).fill(0.5)));
    b.initializer('w', new Tensor('float32', [D, D], new Float32Array(D * D).fill(0.25)));
    b.nodeN('Gather', ['table', 'ids'], ['e'], { axis: 0 });
    b.nodeN('MatMul', ['e', 'w'], ['y']);
    b.output('y', 'float32', [1, 4, D]);
    b.save(big);
    const dir = path.join(work, 'interrupted');
    const child = execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'compile', big, '-o', dir, '--precision', 'fp32'], { reject: false, env: { FORCE_COLOR: '0' } });
    const partial = `${dir}.partial-${child.pid}`;
    for (let i = 0; i < 3000 && !fs.existsSync(partial); i++) await new Promise((r) => setTimeout(r, 2));
    expect(fs.existsSync(partial), 'the compile never started writing').toBe(true);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/interrupted/);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(partial)).toBe(false);
    fs.rmSync(big);
  }, 60_000);
});

describe('compile: options', () => {
  it('--config overrides reach the project, and errors name the key path', async () => {
    const cfg = path.join(work, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({
      model: { fifoDepth: 77, kvPlacement: 'HBM[5]' },
      layerTypes: { 'llm.Linear': { weightPlacement: 'HBM[3]' } },
    }));
    const dir = path.join(work, 'configured');
    const r = await llm2hls('compile', MODEL, '-o', dir, '--config', cfg);
    expect(r.exitCode, r.stderr).toBe(0);
    const top = fs.readFileSync(path.join(dir, 'src', 'top.cpp'), 'utf8');
    // 77 elements a FIFO, in beats of its writer's lanes; the port packers and lane adapters hold 2 beats.
    const streams: { name: string; depth: number; lanes: number; beats: number }[] = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).streams;
    expect(streams.filter((s) => s.depth === 77).length).toBeGreaterThan(5);
    for (const s of streams) {
      expect(s.beats, s.name).toBe(s.depth === 77 ? Math.max(2, Math.ceil(77 / s.lanes)) : 2);
      expect(top).toContain(`#pragma HLS STREAM variable=${s.name} depth=${s.beats}\n`);
    }
    expect(top.match(/#pragma HLS STREAM/g)!.length).toBe(streams.length);
    const cfgText = fs.readFileSync(path.join(dir, 'connectivity.cfg'), 'utf8');
    expect(cfgText).toMatch(/^sp=torch_jit_xrt_1\.m_axi_gmem\d:HBM\[3\]$/m);
    expect(cfgText).toMatch(/^sp=torch_jit_xrt_1\.m_axi_kvmem0:HBM\[5\]$/m);

    fs.writeFileSync(cfg, JSON.stringify({ layers: { '/blocks.0/qkv/MatMul': { parallelsm: 2 } } }));
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'bad'), '--config', cfg), /cfg\.json: config\.layers\["\/blocks\.0\/qkv\/MatMul"\]\.parallelsm: unknown key/, expect);
    fs.writeFileSync(cfg, JSON.stringify({ layers: { nonexistent: { fifoDepth: 2 } } }));
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'bad'), '--config', cfg), /layers\.nonexistent: no fused layer has this name/, expect);
    expect(fs.existsSync(path.join(work, 'bad'))).toBe(false);
  }, 60_000);

  it('symbolic dims need --bind; unknown devices and mixed precision are clean errors', async () => {
    const past = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past.onnx');
    expectCleanFailure(await llm2hls('compile', past, '-o', path.join(work, 'x')), /bind/, expect);
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'x'), '--device', 'nosuch'), /unknown device/, expect);
    const cfg = path.join(work, 'mixed.json');
    fs.writeFileSync(cfg, JSON.stringify({ layerTypes: { 'llm.Linear': { precision: 'w8a8' } } }));
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'x'), '--precision', 'w8a16', '--config', cfg), /mixed precision is not built yet/, expect);
  }, 60_000);
});

describe('sim', () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(work, 'simmed');
    const r = await llm2hls('compile', MODEL, '-o', dir, '--precision', 'fp32');
    expect(r.exitCode, r.stderr).toBe(0);
  }, 60_000);

  it('--json prints max error, cosine and top-1 against the fp32 golden model', async () => {
    const out = path.join(work, 'sim-out');
    const r = await llm2hls('sim', dir, '--mode', 'csim', '--inputs', DATA, '--out', out, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.reference).toBe('fp32 golden');
    expect(j.outputs[0]).toMatchObject({ name: 'logits', shape: [1, 8, 128], top1: 1 });
    expect(j.outputs[0].maxRelError).toBeLessThan(1e-5);
    expect(j.outputs[0].cosine).toBeGreaterThan(0.99999);
    expect(fs.existsSync(path.join(out, 'output_0.pb'))).toBe(true);
    const text = await llm2hls('sim', dir, '--inputs', DATA, '--out', out);
    expect(text.stdout).toMatch(/logits: \[1, 8, 128\] .* max error .* cosine 1\.0000\d*, top-1 100\.0%/);
  }, 60_000);

  it('verilator and cocotb modes on an HLS project say to compile with --target rtl', async () => {
    for (const mode of ['verilator', 'cocotb']) {
      const r = await llm2hls('sim', dir, '--mode', mode, '--inputs', DATA, '--out', path.join(work, 'o'));
      expectCleanFailure(r, /an HLS C\+\+ project .*compile with --target rtl/, expect);
      expect(r.exitCode).toBe(1);
    }
  }, 60_000);

  it('missing g++/make is one line naming apt-get install g++ make', async () => {
    const r = await execa(process.execPath, [path.join(ROOT, 'bin', 'llm2hls.js'), 'sim', dir, '--inputs', DATA, '--out', path.join(work, 'o')], {
      reject: false, env: { PATH: path.join(work, 'empty-path'), FORCE_COLOR: '0' }, extendEnv: false,
    });
    expectCleanFailure({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }, /apt-get install g\+\+ make/, expect);
  }, 60_000);

  it('wrong inputs and non-projects are clean errors', async () => {
    const llama = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past_data', 'decode');
    expectCleanFailure(await llm2hls('sim', dir, '--inputs', llama, '--out', path.join(work, 'o')), /takes 1 input/, expect);
    expectCleanFailure(await llm2hls('sim', work, '--inputs', DATA, '--out', path.join(work, 'o')), /not a compiled llm2hls project/, expect);
  }, 60_000);
});
