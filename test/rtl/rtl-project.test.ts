/**
 * The --target rtl project's resource report: `make yosys` (yosys/synth.ys,
 * yosys/count.py rendered from CELL_RULES) writes yosys.json with the same
 * counts runYosys gives for the same files, count.py counts as
 * countResources does, and the README's resources table has the estimate.
 *
 * The design is the bundled example's builder with no layers, 4 wide
 * (embedding, norm, LM head: 4 kernels, 49 DSP48E2) at parallelism 1: Yosys
 * takes about 45 s of CPU on it; tiny_gpt (1048 estimated DSPs on kv260) and
 * even a one-layer 8-wide one take many minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../backend-hls/compile.js';
import { CELL_RULES, countResources, parseStat, runYosys, yosysFamily, yosysScript } from '../../backend-rtl/yosys.js';
import { estimateModel } from '../../compiler/estimate.js';
import { buildTinyGpt } from '../../examples/tiny-gpt.js';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-rtl-project-'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));
const MODEL = path.join(WORK, 'micro_gpt.onnx');
const PROJECT = path.join(WORK, 'project');
const OPTIONS = { device: 'kv260', precision: 'w8a16' as const, bindings: { sequence: 2 } };

beforeAll(async () => {
  buildTinyGpt({ vocab: 8, context: 4, dim: 4, heads: 1, layers: 0, seed: 7 }).save(MODEL);
  await compileModel(MODEL, PROJECT, { ...OPTIONS, target: 'rtl', config: { model: { parallelism: 1 }, layerTypes: {}, layers: {} } });
}, 60_000);

const libFiles = () => fs.readdirSync(path.join(PROJECT, 'rtl', 'lib')).filter((f) => f.endsWith('.v')).sort();

describe('rtl project resources', () => {
  it('README lists the estimate beside make yosys', () => {
    const est = estimateModel(MODEL, OPTIONS);
    const readme = fs.readFileSync(path.join(PROJECT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Resources'));
    expect(section).toContain('make yosys');
    const rows: [string, keyof typeof est.resources][] = [['DSP', 'dsp'], ['BRAM18K', 'bram18k'], ['URAM', 'uram'], ['LUT', 'lut'], ['FF', 'ff']];
    for (const [name, k] of rows) {
      expect(section).toContain(`| ${name} | ${est.resources[k]} | ${est.available[k]} | \`${k}\` |`);
    }
    expect(est.resources.dsp).toBeGreaterThan(0);
  });

  it('the project script is yosysScript of its sources, run from rtl/', () => {
    const t = yosysFamily('kv260');
    const script = yosysScript({
      files: ['tiny_gpt.v', ...libFiles().map((f) => `lib/${f}`)], top: 'tiny_gpt', family: t.family, uram: t.uram,
      statFile: '../build/yosys/stat.json',
    });
    expect(fs.readFileSync(path.join(PROJECT, 'yosys', 'synth.ys'), 'utf8')).toBe(script);
    expect(script).toContain('synth_xilinx -family xcup');
  });

  it('count.py counts every rule of CELL_RULES as countResources does', async () => {
    // Cells of every kind synth_xilinx makes, and some no rule counts; every rule matches one of them.
    const types = ['DSP48E2', 'DSP48E1', 'RAMB18E2', 'RAMB36E2', 'FIFO36E2', 'URAM288', 'LUT1', 'LUT6', 'SRL16E', 'SRLC32E',
      'FDRE', 'FDSE', 'FDCE_1', 'LDCE', 'CARRY8', 'MUXF7', 'INV',
      ...CELL_RULES.filter((r) => /^\^RAM\w+\$$/.test(r.match)).map((r) => r.match.slice(1, -1))];
    for (const r of CELL_RULES) expect(types.some((t) => new RegExp(r.match).test(t)), r.match).toBe(true);
    const cells = Object.fromEntries(types.map((t, i) => [t, i + 1]));
    const stat = path.join(WORK, 'stat.json');
    fs.writeFileSync(stat, JSON.stringify({ design: { num_cells_by_type: Object.fromEntries(Object.entries(cells).map(([k, v]) => [`\\${k}`, v])) } }));
    const out = path.join(WORK, 'count.json');
    await execa('python3', [path.join(PROJECT, 'yosys', 'count.py'), stat, out, '1.5']);
    const got = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect({ ...got, estimate: undefined, familyNote: undefined }).toEqual({
      ...countResources(parseStat(fs.readFileSync(stat, 'utf8'))), family: 'xcup', flow: 'full', seconds: 1.5, cells: parseStat(fs.readFileSync(stat, 'utf8')),
      estimate: undefined, familyNote: undefined,
    });
    expect(got.lutAsMemory).toBeGreaterThan(0);
  });

  it('make yosys writes yosys.json with runYosys\'s counts', async () => {
    const rtl = path.join(PROJECT, 'rtl');
    // Both synthesis runs at once: two cores.
    const [make, direct] = await Promise.all([
      execa('make', ['-C', PROJECT, 'yosys'], { reject: false, all: true }),
      runYosys({ files: [path.join(rtl, 'tiny_gpt.v'), ...libFiles().map((f) => path.join(rtl, 'lib', f))], top: 'tiny_gpt', device: 'kv260', romDir: rtl }),
    ]);
    expect(make.exitCode, make.all).toBe(0);
    const y = JSON.parse(fs.readFileSync(path.join(PROJECT, 'yosys.json'), 'utf8'));
    expect(y.dsp).toBeGreaterThan(0);
    expect(y.ff).toBeGreaterThan(0);
    expect(y.family).toBe('xcup');
    expect(y.seconds).toBeGreaterThanOrEqual(0);
    for (const k of ['dsp', 'bram18k', 'uram', 'lut', 'ff', 'lutAsMemory'] as const) expect(y[k], k).toBe(direct[k]);
    expect(y.cells).toEqual(direct.cells);
    expect(y.estimate.dsp).toBeGreaterThan(0);
    expect(make.all).toMatch(/DSP\s+\d+\s+\d+/);
    // FLOW=dsp-bram: the same DSP and block RAM, no LUT or FF figure.
    const fast = await execa('make', ['-C', PROJECT, 'yosys', 'FLOW=dsp-bram'], { reject: false, all: true });
    expect(fast.exitCode, fast.all).toBe(0);
    const f = JSON.parse(fs.readFileSync(path.join(PROJECT, 'yosys.json'), 'utf8'));
    expect(f).toMatchObject({ flow: 'dsp-bram', dsp: direct.dsp, bram18k: direct.bram18k, uram: direct.uram, lut: null, ff: null });
    expect(fast.all).toMatch(/LUT\s+\d+\s+-\s+-/);
    const bad = await execa('make', ['-C', PROJECT, 'yosys', 'FLOW=fast'], { reject: false, all: true });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.all).toMatch(/FLOW=fast: use full or dsp-bram/);
  }, 600_000);
});
