/**
 * `llm2hls lint`: finds the HLS bug classes of the Chrysalis taxonomy in HLS
 * C++ files, fragments included. lintFiles() is the API; lint/command.ts the
 * CLI; lint/rules/ one module per class; docs/lint.md lists them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileModel, Symbols, collectSymbols, detach, releaseIndex } from './model.js';
import { parseCpp } from './parser.js';
import { blankIfZero, macrosOf, rewritePragmaMacros } from './macros.js';
import type { Finding, Rule, RuleContext } from './rule.js';
import { RULES } from './rules/index.js';

export type { Finding, Rule } from './rule.js';
export { RULES } from './rules/index.js';

export interface LintOptions {
  target?: 'vitis' | 'bambu';
  /** folders searched for `#include "..."` headers (their constants and typedefs are read, not linted) */
  includeDirs?: string[];
  /** -D NAME=VALUE */
  defines?: Record<string, string>;
  /** restrict to these class ids */
  classes?: string[];
  /** a rule that fails on a file (a lint bug) is reported here and the others go on; without it the error is thrown */
  onRuleError?: (file: string, rule: string, error: Error) => void;
}

export interface LintResult {
  findings: Finding[];
  files: number;
}

export const SOURCE_EXTENSIONS = ['.cpp', '.cc', '.cxx', '.c', '.h', '.hpp', '.hh', '.hxx', '.inl', '.tpp'];

/** Files to lint: the files given, and the C/C++ sources under the folders given (sorted, hidden and node_modules skipped). */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (SOURCE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  for (const p of paths) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new Error(`${p}: no such file or folder`);
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** Symbols of the headers a file includes with quotes, read once per run. */
class HeaderCache {
  private cache = new Map<string, Symbols | null>();
  constructor(private includeDirs: string[]) {}

  async symbolsFor(file: string, source: string, depth = 0, seen = new Set<string>()): Promise<Symbols | undefined> {
    const includes = [...source.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)].map((m) => m[1]);
    let merged: Symbols | undefined;
    for (const inc of includes) {
      const found = [path.dirname(file), ...this.includeDirs].map((d) => path.resolve(d, inc)).find((p) => fs.existsSync(p));
      if (!found || seen.has(found) || depth > 8) continue;
      seen.add(found);
      let syms = this.cache.get(found);
      if (syms === undefined) {
        const text = fs.readFileSync(found, 'utf8');
        const nested = await this.symbolsFor(found, text, depth + 1, seen);
        const tree = await parseCpp(rewritePragmaMacros(text, macrosOf(text, new Map(nested?.macros))));
        syms = detach(collectSymbols(tree.rootNode, nested));
        releaseIndex(tree);
        tree.delete();
        this.cache.set(found, syms);
      }
      if (!syms) continue;
      merged = merged ? mergeSymbols(merged, syms) : syms;
    }
    return merged;
  }
}

function mergeSymbols(a: Symbols, b: Symbols): Symbols {
  return {
    defines: new Map([...a.defines, ...b.defines]),
    macros: new Map([...a.macros, ...b.macros]),
    constants: new Map([...a.constants, ...b.constants]),
    typedefs: new Map([...a.typedefs, ...b.typedefs]),
  };
}

/** Lint one source text (file is the name findings carry). */
export async function lintSource(file: string, source: string, options: LintOptions = {}, headers?: HeaderCache): Promise<Finding[]> {
  const imported = headers ? await headers.symbolsFor(file, source) : undefined;
  const macros = macrosOf(source, new Map(imported?.macros));
  const tree = await parseCpp(rewritePragmaMacros(blankIfZero(source), macros));
  try {
    const model = new FileModel(file, source, tree, { defines: options.defines, imported });
    const findings: Finding[] = [];
    const rules: Rule[] = options.classes ? RULES.filter((r) => options.classes!.includes(r.cls)) : RULES;
    for (const rule of rules) {
      const ctx: RuleContext = {
        model,
        target: options.target ?? 'vitis',
        report(node, message) {
          const { line, column } = model.position(node);
          findings.push({ file, line, column, class: rule.cls, rule: rule.name, severity: rule.severity, message });
        },
      };
      try {
        rule.check(ctx);
      } catch (e) {
        if (!options.onRuleError) throw new Error(`${file}: lint rule ${rule.cls} ${rule.name} failed: ${(e as Error).message}`, { cause: e });
        options.onRuleError(file, `${rule.cls} ${rule.name}`, e as Error);
      }
    }
    // One finding per place and class; in file order.
    const seen = new Set<string>();
    return findings
      .filter((f) => { const k = `${f.line}:${f.column}:${f.class}:${f.message}`; if (seen.has(k)) return false; seen.add(k); return true; })
      .sort((a, b) => a.line - b.line || a.column - b.column || a.class.localeCompare(b.class));
  } finally {
    releaseIndex(tree);
    tree.delete();
  }
}

/** Lint files and folders (folders: every C/C++ source under them). */
export async function lintFiles(paths: string[], options: LintOptions = {}): Promise<LintResult> {
  const files = expandPaths(paths);
  const headers = new HeaderCache(options.includeDirs ?? []);
  const findings: Finding[] = [];
  for (const f of files) findings.push(...(await lintSource(f, fs.readFileSync(f, 'utf8'), options, headers)));
  return { findings, files: files.length };
}

/** `FILE:LINE:COL: CLASS rule-name: message`, one line. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.class} ${f.rule}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** SARIF 2.1.0 for code-scanning tools. */
export function toSarif(result: LintResult, version = '0.0.0'): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'llm2hls lint',
          version,
          informationUri: 'https://github.com/llm2hls/llm2hls/blob/main/docs/lint.md',
          rules: RULES.map((r) => ({
            id: `${r.cls}/${r.name}`,
            name: r.name,
            shortDescription: { text: r.description },
            defaultConfiguration: { level: r.severity },
            properties: { class: r.cls },
          })),
        },
      },
      results: result.findings.map((f) => ({
        ruleId: `${f.class}/${f.rule}`,
        ruleIndex: RULES.findIndex((r) => r.cls === f.class && r.name === f.rule),
        level: f.severity,
        message: { text: f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: f.file.split(path.sep).join('/') },
            region: { startLine: f.line, startColumn: f.column },
          },
        }],
      })),
    }],
  };
}
