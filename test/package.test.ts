/**
 * The published package: `npm pack` of this tree (dist/ as built), installed
 * into an empty project, runs the quick start (the llm2hls commands of
 * scripts/quickstart.sh) through the installed bin on the packaged example.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTensorDir, readTensorFile } from '../frontend/tensor-files.js';
import { ROOT, tempDir } from './helpers/cli.js';
import { relativeError } from './helpers/compare.js';
import { runOrt } from './helpers/ort.js';

const work = tempDir('llm2hls-package-');
const app = path.join(work, 'app');
const installed = path.join(app, 'node_modules', 'llm2hls');
let packed: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'compiler', 'cli.js'))) throw new Error('dist/ is missing: run `npx tsc` (npm test does)');
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'quickstart', private: true }));
  const install = (cache: string) =>
    execa('npm', ['install', cache, '--no-audit', '--no-fund', path.join(work, info.filename)], { cwd: app, reject: false });
  // Offline from the npm cache that installed node_modules; that cache may lack the registry's
  // package documents npm needs to resolve the version ranges, then the registry fills them in.
  let r = await install('--offline');
  if (r.exitCode !== 0) r = await install('--prefer-offline');
  if (r.exitCode !== 0) throw new Error(`npm install of the packed tarball failed:\n${r.stderr}`);
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the example with its data, the MIT LICENSE, and source maps that carry their sources', () => {
    for (const f of ['examples/tiny_gpt.onnx', 'examples/tiny_gpt_data/input_0.pb', 'LICENSE', 'bin/llm2hls.js']) expect(packed).toContain(f);
    expect(packed.filter((f) => f.startsWith('dist/test/'))).toEqual([]);
    // No stale output of a deleted source (tsc does not clean dist/).
    const stale = packed.filter((f) => /^dist\/.*\.js$/.test(f) && !fs.existsSync(path.join(ROOT, f.slice('dist/'.length).replace(/\.js$/, '.ts'))));
    expect(stale, 'dist/ files without a source: rebuild dist/ from scratch').toEqual([]);
    const license = fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the llm2hls authors\n/);
    expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).license).toBe('MIT');
    const maps = packed.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const f of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(installed, f), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
      expect(map.sourcesContent?.length, f).toBe(map.sources.length);
      expect(map.sourcesContent!.every((s) => s.length > 0), f).toBe(true);
    }
  });

  it('runs the quick start from the installed package', async () => {
    const script = fs.readFileSync(path.join(ROOT, 'scripts', 'quickstart.sh'), 'utf8');
    const commands = script.split('\n').filter((l) => /^(llm2hls|step) /.test(l)).map((l) => l.trim().split(/\s+/).slice(1));
    expect(commands.map((c) => c[0])).toEqual(['inspect', 'run', 'estimate', 'compile', 'sim', 'compile', 'sim']);
    const bin = path.join(app, 'node_modules', '.bin', 'llm2hls');
    const stdout: Record<string, string> = {};
    // The Verilator simulation of this same design is test/rtl/design-sim.test.ts's (a minute of
    // build); here the packaged RTL project must compile and lint clean.
    const rtlSim = commands.findIndex((c) => c[0] === 'sim' && c.includes('verilator'));
    expect(rtlSim).toBe(commands.length - 1);
    const rtlDir = path.join(app, commands[rtlSim][1]);
    for (const args of commands.slice(0, rtlSim)) {
      // The example's files from the package; out/ in the new project.
      const r = await execa(bin, args.map((a) => (a.startsWith('examples/') ? `node_modules/llm2hls/${a}` : a)), {
        cwd: app, reject: false, timeout: 60_000, env: { FORCE_COLOR: '0' },
      });
      expect(r.exitCode, `llm2hls ${args.join(' ')}\n${r.stderr}`).toBe(0);
      stdout[args[0]] = String(r.stdout);
    }
    expect(stdout.inspect).toContain('all ops are supported');
    expect(stdout.sim).toMatch(/bit-exact with the quantized golden model/);
    expect(stdout.compile).toMatch(/rtl project/);
    const lint = await execa('make', ['--no-print-directory', 'lint'], { cwd: rtlDir, reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
    expect(lint.all).not.toMatch(/%Warning|%Error/);

    // The golden model's output in out/ matches ONNX Runtime on the packaged example.
    const runOut = commands.find((c) => c[0] === 'run')!;
    const out = path.join(app, runOut[runOut.indexOf('--out') + 1]);
    const inputs = readTensorDir(path.join(installed, 'examples', 'tiny_gpt_data')).map((t) => t.tensor);
    const [ref] = await runOrt(path.join(installed, 'examples', 'tiny_gpt.onnx'), inputs);
    const ours = readTensorFile(path.join(out, 'output_0.pb')).tensor;
    expect([...ours.shape]).toEqual(ref.dims);
    expect(relativeError(ours.toArray(), ref.data)).toBeLessThan(1e-5);
  }, 120_000);
});
