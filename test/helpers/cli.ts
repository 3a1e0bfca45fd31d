/** Runs the real `llm2hls` command (bin/llm2hls.js over dist/) in a child process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'llm2hls.js');

export interface CliResult { exitCode: number; stdout: string; stderr: string }

export async function llm2hls(...args: string[]): Promise<CliResult> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'compiler', 'cli.js'))) throw new Error('dist/ is missing: run `npx tsc` (npm test does)');
  const r = await execa('node', [BIN, ...args], { reject: false, timeout: 120_000, env: { FORCE_COLOR: '0' } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tempDir(prefix = 'llm2hls-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A user-facing failure: non-zero exit, one line on stderr, no stack trace. */
export function expectCleanFailure(r: CliResult, pattern: RegExp, expectFn: (v: unknown) => any): void {
  expectFn(r.exitCode).not.toBe(0);
  expectFn(r.stderr).toMatch(pattern);
  expectFn(r.stderr).not.toMatch(/\n\s+at /);
  expectFn(r.stderr.trim().split('\n')).toHaveLength(1);
}
