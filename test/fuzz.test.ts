/**
 * A quick subset of scripts/fuzz.mjs: 40 mutants of the fixtures through
 * the real CLI with ONNX Runtime as the oracle; no internal errors, hangs,
 * crashes, untidy errors, stray writes or disagreements. The full runs
 * (`node scripts/fuzz.mjs --count 1000 --seed S`) are in docs/validation.md.
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('fuzzing the fixtures', () => {
  it('40 mutants of seed 7 are all handled cleanly', async () => {
    const r = await execa('node', [path.join(ROOT, 'scripts', 'fuzz.mjs'), '--count', '40', '--seed', '7', '--json'], { reject: false, timeout: 600_000 });
    const report = JSON.parse(String(r.stdout));
    expect(report.checked).toBeGreaterThan(30);
    expect(report.failing, JSON.stringify(report.failing, null, 2)).toEqual([]);
    for (const category of ['internalErrors', 'hangs', 'crashes', 'untidyErrors', 'strayWrites', 'disagreements']) expect(report[category]).toBe(0);
    // The oracle must have had something to say: some mutants ORT runs, some it refuses.
    expect(report.ort.ran).toBeGreaterThan(0);
    expect(report.ort['refused-load']).toBeGreaterThan(0);
    expect(r.exitCode).toBe(0);
  }, 600_000);
});
