/**
 * `llm2hls lint FILE|DIR... [--json] [--sarif FILE] [--target vitis|bambu] [-I DIR] [-D NAME=VALUE]`:
 * one line per finding (FILE:LINE:COL: CLASS rule-name: message), exit 0
 * clean, 1 with findings; a bad command line is exit 2 (compiler/cli.ts).
 */
import fs from 'node:fs';
import { UserError } from '../compiler/errors.js';
import { formatFinding, lintFiles, toSarif } from './index.js';

export interface LintCommandOptions {
  json?: boolean;
  sarif?: string;
  target?: string;
  include?: string[];
  define?: string[];
}

export function parseDefines(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of list) {
    const m = /^([A-Za-z_]\w*)(?:=(.*))?$/s.exec(d);
    if (!m) throw new UserError(`-D ${d}: expected NAME or NAME=VALUE`, 2);
    out[m[1]] = m[2] ?? '1';
  }
  return out;
}

/** Runs the command; returns the exit code (0 clean, 1 findings). */
export async function lintCommand(paths: string[], opts: LintCommandOptions, out: (s: string) => void, version = '0.0.0'): Promise<number> {
  // Exit 1 means findings here, so every bad command line, values included, is 2.
  const target = (opts.target ?? 'vitis') as 'vitis' | 'bambu';
  if (target !== 'vitis' && target !== 'bambu') throw new UserError(`--target ${opts.target}: expected vitis or bambu`, 2);
  for (const p of [...paths, ...(opts.include ?? [])]) {
    if (!fs.existsSync(p)) throw new UserError(`${p}: no such file or folder`, 2);
  }
  const result = await lintFiles(paths, {
    target, includeDirs: opts.include ?? [], defines: parseDefines(opts.define ?? []),
    // One rule failing on one file is a lint bug: say so on stderr and lint on.
    onRuleError: (file, rule, e) => process.stderr.write(`llm2hls: warning: ${file}: lint rule ${rule} failed (a bug in llm2hls): ${e.message.split('\n')[0]}\n`),
  });
  if (opts.sarif) fs.writeFileSync(opts.sarif, `${JSON.stringify(toSarif(result, version), null, 2)}\n`);
  if (opts.json) out(JSON.stringify({ findings: result.findings, files: result.files }, null, 2));
  else for (const f of result.findings) out(formatFinding(f));
  if (!opts.json && process.stderr.isTTY) {
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    process.stderr.write(`${result.files} file(s), ${errors} error(s), ${result.findings.length - errors} warning(s)\n`);
  }
  return result.findings.length > 0 ? 1 : 0;
}
