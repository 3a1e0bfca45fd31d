/**
 * What compile checks and says, through the real CLI: a design over the
 * device's budget, --config placements the device does not have, float
 * inputs calibrated without real inputs, the `next:` command it prints,
 * and errors that name both the API option and the flag.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../compiler/tensor.js';
import { ModelBuilder } from '../../frontend/onnx-writer.js';
import { writeTinyGpt } from '../../examples/tiny-gpt.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';

const MODEL = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini.onnx');

let work: string;

beforeAll(() => { work = tempDir('llm2hls-compile-checks-'); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

/** Splits a printed command line into arguments (the paths here have no spaces or quotes). */
function words(cmd: string): string[] {
  return cmd.trim().split(/\s+/);
}

describe('compile: a design that does not fit the device', () => {
  it('compiles, but says which resources are over budget (stderr note and README), as estimate does', async () => {
    // 24 small layers: the planner's smallest design still needs more LUTs than a kv260 has.
    const model = writeTinyGpt(path.join(work, 'big'), { vocab: 64, context: 16, dim: 64, heads: 2, layers: 24, seed: 7 }, 'big');
    const est = await llm2hls('estimate', model, '--device', 'kv260', '--bind', 'sequence=8', '--json');
    expect(est.exitCode, est.stderr).toBe(5);
    const report = JSON.parse(est.stdout) as { fits: boolean; utilization: Record<string, number> };
    expect(report.fits).toBe(false);
    const over = Object.entries(report.utilization).filter(([, u]) => u > 1);
    expect(over.length).toBeGreaterThan(0);

    const dir = path.join(work, 'big-project');
    const r = await llm2hls('compile', model, '-o', dir, '--device', 'kv260', '--bind', 'sequence=8');
    expect(r.exitCode, r.stderr).toBe(0);
    const note = /llm2hls: note: (the design does not fit kv260: .* of the device \(llm2hls estimate shows the plan\))/.exec(r.stderr);
    expect(note, r.stderr).not.toBeNull();
    const names: Record<string, string> = { dsp: 'DSP', bram18k: 'BRAM', uram: 'URAM', lut: 'LUT', ff: 'FF' };
    for (const [k, u] of over) expect(note![1]).toContain(`${names[k]} ${Math.round(100 * u)}%`);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain(note![1]);

    // A design that fits says nothing of the kind.
    const small = await llm2hls('compile', MODEL, '-o', path.join(work, 'small'), '--device', 'kv260');
    expect(small.exitCode, small.stderr).toBe(0);
    expect(small.stderr).not.toMatch(/does not fit/);
  }, 120_000);

  it('costs in the --config parallelism the project is generated with', async () => {
    const cfg = path.join(work, 'wide.json');
    fs.writeFileSync(cfg, JSON.stringify({ layerTypes: { 'llm.Linear': { parallelism: 64 } } }));
    const r = await llm2hls('compile', MODEL, '-o', path.join(work, 'wide'), '--device', 'kv260', '--config', cfg);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/llm2hls: note: the design does not fit kv260: DSP \d+%.* of the device with the config's parallelism \(llm2hls estimate shows the planner's own plan\)/);
  }, 60_000);
});

describe('compile: --config placements are checked against the device', () => {
  it('a bank or memory the device does not have: exit 1 naming the file, the key path and the device\'s memories', async () => {
    const cfg = path.join(work, 'placement.json');
    fs.writeFileSync(cfg, JSON.stringify({ model: { weightPlacement: 'HBM[99]' } }));
    const out = path.join(work, 'placement-bad');
    let r = await llm2hls('compile', MODEL, '-o', out, '--config', cfg, '--device', 'u55c');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /placement\.json: config\.model\.weightPlacement: HBM\[99\] is not a memory of u55c \(it has HBM\[0\] \.\. HBM\[31\]/, expect);

    fs.writeFileSync(cfg, JSON.stringify({ layerTypes: { 'llm.Linear': { weightPlacement: 'HBM[3]' } } }));
    r = await llm2hls('compile', MODEL, '-o', out, '--config', cfg, '--device', 'kv260');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /placement\.json: config\.layerTypes\["llm\.Linear"\]\.weightPlacement: HBM\[3\] is not a memory of kv260 \(it has DDR\[0\]/, expect);

    fs.writeFileSync(cfg, JSON.stringify({ model: { kvPlacement: 'DDR[1]' } }));
    r = await llm2hls('compile', MODEL, '-o', out, '--config', cfg, '--device', 'kv260');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /placement\.json: config\.model\.kvPlacement: DDR\[1\] is not a memory of kv260/, expect);
    expect(fs.existsSync(out)).toBe(false);

    // A bank the device has is still accepted.
    fs.writeFileSync(cfg, JSON.stringify({ model: { weightPlacement: 'HBM[31]' } }));
    r = await llm2hls('compile', MODEL, '-o', path.join(work, 'placement-ok'), '--config', cfg, '--device', 'u55c');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(work, 'placement-ok', 'connectivity.cfg'), 'utf8')).toMatch(/:HBM\[31\]$/m);
  }, 120_000);
});

describe('compile: float inputs without calibration inputs', () => {
  it('calibrates them on seeded random normal values (not zeros) and says so', async () => {
    const model = path.join(work, 'floaty', 'floaty.onnx');
    fs.mkdirSync(path.dirname(model), { recursive: true });
    const b = new ModelBuilder('floaty', 17);
    b.input('x', 'float32', [1, 4, 16]);
    b.initializer('w', new Tensor('float32', [16, 8], Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 0.5)));
    b.output(b.node('MatMul', ['x', 'w']), 'float32', [1, 4, 8]);
    b.save(model);
    const dir = path.join(work, 'floaty-project');
    const r = await llm2hls('compile', model, '-o', dir, '--precision', 'w8a16');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/llm2hls: note: calibrated float input 'x' on seeded random normal values .*pass calibrate \(--calibrate\) DIR with real inputs/);
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'quant_spec.json'), 'utf8')) as { maxAbs: Record<string, number> };
    expect(spec.maxAbs.x).toBeGreaterThan(1);
    expect(spec.maxAbs.x).toBeLessThan(10);
    expect(Object.values(spec.maxAbs).every((v) => v > 0)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/calibrated float input 'x'/);

    // With real inputs there is nothing to say.
    const cal = path.join(work, 'floaty-cal');
    fs.mkdirSync(cal);
    const { writeTensorPb } = await import('../../frontend/tensor-files.js');
    writeTensorPb(path.join(cal, 'input_0.pb'), Tensor.from('float32', [1, 4, 16], Array.from({ length: 64 }, (_, i) => Math.cos(i) * 3)), 'x');
    const c = await llm2hls('compile', model, '-o', path.join(work, 'floaty-cal-project'), '--precision', 'w8a16', '--calibrate', cal);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stderr).not.toMatch(/calibrated float input/);
    // Token-id models are not affected.
    const ids = await llm2hls('compile', MODEL, '-o', path.join(work, 'ids-project'));
    expect(ids.stderr).not.toMatch(/calibrated float input/);
  }, 120_000);
});

describe('compile: the next: command it prints', () => {
  it('runs as printed: sim on the project\'s own sample', async () => {
    const dir = path.join(work, 'next');
    const r = await llm2hls('compile', MODEL, '-o', dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const next = /; next: (.*)$/m.exec(r.stdout);
    expect(next, r.stdout).not.toBeNull();
    expect(next![1]).not.toMatch(/\bDIR\b/);
    const args = words(next![1]);
    const sim = args.indexOf('sim');
    expect(sim).toBeGreaterThan(0);
    expect(args.slice(sim)).toEqual(['sim', dir, '--mode', 'csim', '--inputs', path.join(dir, 'csim', 'sample'), '--out', path.join(dir, 'sim-out')]);
    const s = await llm2hls(...args.slice(sim));
    expect(s.exitCode, s.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'sim-out', 'output_0.pb'))).toBe(true);
  }, 180_000);
});

describe('compile: errors name the API option and the flag', () => {
  it('out (-o) and config (--config)', async () => {
    const file = path.join(work, 'a-file');
    fs.writeFileSync(file, 'x');
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', file), /^llm2hls: error: out \(-o\) .*a-file: exists and is not a directory/, expect);
    const foreign = path.join(work, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'keep.txt'), 'x');
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', foreign), /out \(-o\) .*foreign: directory is not empty .*use force \(--force\) to replace it/, expect);
    const missing = path.join(work, 'missing.json');
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'x'), '--config', missing), /config \(--config\) .*missing\.json: cannot read the file/, expect);
    fs.writeFileSync(path.join(work, 'broken.json'), '{');
    expectCleanFailure(await llm2hls('compile', MODEL, '-o', path.join(work, 'x'), '--config', path.join(work, 'broken.json')), /config \(--config\) .*broken\.json: not valid JSON/, expect);
  }, 60_000);
});
