/**
 * End to end: compile every exported fixture (and the bundled example) for
 * both targets, build the C simulation with -Wall -Wextra -Werror (the host
 * type header serves both flavours), run it, and compare with ONNX Runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../backend-hls/compile.js';
import { simulate } from '../../runtime/csim.js';
import { readTensorDir, readTensorFile } from '../../frontend/tensor-files.js';
import { tempDir } from '../helpers/cli.js';
import { FIXTURE_CASES, FixtureCase } from '../helpers/fixtures.js';
import { relativeError } from '../helpers/compare.js';
import { runOrt } from '../helpers/ort.js';
import { FORBIDDEN_FRAGMENTS, buildWeirdModel } from './weird-model.js';

type Case = FixtureCase;
const CASES = FIXTURE_CASES;
const TARGETS = ['vitis', 'bambu'] as const;
const TOLERANCE = 1e-3;

async function compileAndCompare(model: string, data: string, target: 'vitis' | 'bambu', bind?: Record<string, number>) {
  const work = tempDir('llm2hls-csim-');
  const dir = path.join(work, 'prj');
  try {
    await compileModel(model, dir, { target, precision: 'fp32', bindings: bind });
    const sim = await simulate(dir, { inputs: data, out: path.join(work, 'out'), extraCxxFlags: '-Werror' });
    const inputs = readTensorDir(data).map((t) => t.tensor);
    const ort = await runOrt(model, inputs);
    expect(sim.outputs).toHaveLength(ort.length);
    const errors = sim.outputs.map((o, i) => {
      const actual = readTensorFile(o.file).tensor;
      expect([...actual.shape]).toEqual(ort[i].dims);
      const err = relativeError(actual.data, ort[i].data);
      expect(err, `${o.name}: error ${err} relative to the output scale`).toBeLessThan(TOLERANCE);
      expect(o.cosine!).toBeGreaterThan(0.9999);
      if (o.top1 !== undefined) expect(o.top1).toBe(1);
      return err;
    });
    return { dir, sim, errors };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describe.concurrent('fp32 csim of the exported fixtures matches ONNX Runtime', () => {
  for (const c of CASES) {
    for (const target of TARGETS) {
      it(`${c.name} (${target})`, async () => {
        const { errors, sim } = await compileAndCompare(c.model, c.data, target, c.bind);
        expect(sim.reference).toBe('fp32 golden');
        expect(Math.max(...errors)).toBeLessThan(TOLERANCE);
      }, 60_000);
    }
  }
});

describe.concurrent('hostile names', () => {
  for (const target of TARGETS) {
    it(`a model named with keywords, shell fragments, unicode and digits compiles and csims (${target})`, async () => {
      const work = tempDir('llm2hls-names-');
      try {
        const model = path.join(work, 'weird.onnx');
        buildWeirdModel().save(model);
        const dir = path.join(work, 'prj');
        await compileModel(model, dir, { target, precision: 'fp32' });
        // Names never reach code, comments, the Makefile or the TCL script unsanitized.
        const texts = ['Makefile', 'script.tcl', 'connectivity.cfg', 'README.md', ...fs.readdirSync(path.join(dir, 'src')).map((f) => `src/${f}`)];
        for (const f of texts) {
          const text = fs.readFileSync(path.join(dir, f), 'utf8');
          for (const bad of FORBIDDEN_FRAGMENTS) expect(text.includes(bad), `${f} contains ${JSON.stringify(bad)}`).toBe(false);
          expect(/[^\x09\x0a\x20-\x7e]/.test(text), `${f} has non-ASCII characters`).toBe(false);
        }
        const data = path.join(work, 'data');
        fs.mkdirSync(data);
        const { Tensor } = await import('../../compiler/tensor.js');
        const { writeTensorPb } = await import('../../frontend/tensor-files.js');
        const ids = Tensor.from('int64', [1, 5], [3, 0, 23, 7, 7]);
        writeTensorPb(path.join(data, 'input_0.pb'), ids, 'int');
        const sim = await simulate(dir, { inputs: data, out: path.join(work, 'out'), extraCxxFlags: '-Werror' });
        const ort = await runOrt(model, [ids]);
        sim.outputs.forEach((o, i) => {
          expect(relativeError(readTensorFile(o.file).tensor.data, ort[i].data)).toBeLessThan(TOLERANCE);
          expect(readTensorFile(o.file).name).toBe(ort[i].name);
        });
        expect(sim.outputs.map((o) => o.name)).toEqual(['main', 'ап_int']);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 60_000);
  }
});

/** Fixed point: csim equals the quantized golden model (compiler/numerics) bit for bit. */
const FIXED: { c: Case; precision: string; target: 'vitis' | 'bambu' }[] = [
  ...CASES.flatMap((c) => TARGETS.map((target) => ({ c, precision: 'w8a16', target }))),
  ...['w8a8', 'w4a16'].flatMap((precision) => CASES.filter((c) => /gpt2_mini$|llama|decode/.test(c.name)).map((c) => ({ c, precision, target: 'vitis' as const }))),
];

describe.concurrent('fixed-point csim is bit-exact with the quantized golden model', () => {
  for (const { c, precision, target } of FIXED) {
    it(`${c.name} ${precision} (${target})`, async () => {
      const work = tempDir('llm2hls-fixed-');
      try {
        const dir = path.join(work, 'prj');
        await compileModel(c.model, dir, { target, precision, bindings: c.bind });
        expect(fs.existsSync(path.join(dir, 'quant_spec.json'))).toBe(true);
        const sim = await simulate(dir, { inputs: c.data, out: path.join(work, 'out'), extraCxxFlags: '-Werror' });
        expect(sim.precision).toBe(precision);
        expect(sim.reference).toMatch(/quantized golden \(bit-exact\)/);
        for (const o of sim.outputs) {
          expect(o.mismatches, `${o.name}: ${o.mismatches} elements differ (max ${o.maxLsbError} LSB)`).toBe(0);
          expect(o.cosine!).toBeGreaterThan(0.98);
        }
        expect(sim.bitExact).toBe(true);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
