/**
 * Our own output is lint-clean: the kernel library, and the projects
 * examples/tiny_gpt.onnx compiles to for both HLS targets in fp32 and w8a16.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../compiler/index.js';
import { formatFinding, lintFiles } from '../../lint/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TINY = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-lint-self-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const clean = (r: { findings: Parameters<typeof formatFinding>[0][] }) => r.findings.map(formatFinding).join('\n');

describe('lint: our own output has no findings', () => {
  it('the kernel library (templates/kernels)', async () => {
    const r = await lintFiles([path.join(ROOT, 'templates', 'kernels')]);
    expect(r.files).toBeGreaterThanOrEqual(10);
    expect(clean(r)).toBe('');
  });

  for (const target of ['vitis', 'bambu'] as const) {
    for (const precision of ['fp32', 'w8a16'] as const) {
      it(`tiny_gpt --bind sequence=8, ${target} ${precision}`, async () => {
        const dir = path.join(tmp, `${target}-${precision}`);
        await compileModel(TINY, dir, { target, precision, bindings: { sequence: 8 } });
        const r = await lintFiles([path.join(dir, 'src'), path.join(dir, 'kernels')], { target, includeDirs: [path.join(dir, 'src'), path.join(dir, 'kernels')] });
        expect(r.files).toBeGreaterThanOrEqual(10);
        expect(clean(r)).toBe('');
      });
    }
  }
});
