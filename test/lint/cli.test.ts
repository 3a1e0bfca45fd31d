/** `llm2hls lint` on the command line: the line format, exit codes, --json against its schema, --sarif. */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from '../helpers/cli.js';

const BUGGY = `#define N 8
void f(int a[N]) {
  for (int i = 0; i <= N; i++) a[i] = 0;
}
`;
const CLEAN = BUGGY.replace('<=', '<');

function files(): { dir: string; bug: string; ok: string } {
  const dir = tempDir('llm2hls-lint-cli-');
  fs.writeFileSync(path.join(dir, 'bug.cpp'), BUGGY);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'ok.hpp'), CLEAN);
  return { dir, bug: path.join(dir, 'bug.cpp'), ok: path.join(dir, 'sub', 'ok.hpp') };
}

describe('llm2hls lint', () => {
  it('prints FILE:LINE:COL: CLASS rule: message and exits 1 on a finding, 0 when clean', async () => {
    const { bug, ok } = files();
    const r = await llm2hls('lint', bug);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${bug.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:34: OOB out-of-bounds: index 'i' of 'a\\[i\\]' reaches 8`))]);
    const c = await llm2hls('lint', ok);
    expect(c.exitCode).toBe(0);
    expect(c.stdout).toBe('');
  });

  it('--json matches docs/schemas/lint.schema.json; folders are walked; -D defines a macro', async () => {
    const { dir } = files();
    const r = await llm2hls('lint', dir, '--json');
    expect(r.exitCode).toBe(1);
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'schemas', 'lint.schema.json'), 'utf8')));
    const value = JSON.parse(r.stdout);
    expect(validate(value) ? [] : validate.errors).toEqual([]);
    expect(value.files).toBe(2);
    expect(value.findings.map((f: { class: string; severity: string }) => [f.class, f.severity])).toEqual([['OOB', 'error']]);
    // A fragment without its #define: -D supplies it.
    const frag = path.join(dir, 'frag.cpp');
    fs.writeFileSync(frag, 'void g(int b[M]) { b[4] = 1; }\n');
    expect((await llm2hls('lint', frag)).exitCode).toBe(0);
    const d = await llm2hls('lint', frag, '-D', 'M=4');
    expect(d.exitCode).toBe(1);
    expect(d.stdout).toMatch(/frag\.cpp:1:22: OOB/);
  });

  it('--sarif writes SARIF 2.1.0', async () => {
    const { bug, dir } = files();
    const sarif = path.join(dir, 'out.sarif');
    const r = await llm2hls('lint', bug, '--sarif', sarif);
    expect(r.exitCode).toBe(1);
    const s = JSON.parse(fs.readFileSync(sarif, 'utf8'));
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0].tool.driver.rules.length).toBeGreaterThanOrEqual(14);
    expect(s.runs[0].results).toEqual([expect.objectContaining({
      ruleId: 'OOB/out-of-bounds', level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: bug.split(path.sep).join('/') }, region: { startLine: 3, startColumn: 34 } } }],
    })]);
  });

  it('a bad command line is exit 2 with one line', async () => {
    const { bug } = files();
    expectCleanFailure(await llm2hls('lint'), /missing required argument/, expect);
    expect((await llm2hls('lint')).exitCode).toBe(2);
    for (const args of [[bug, '--target', 'vivado'], ['/nonexistent/x.cpp'], [bug, '-D', '1X=2'], [bug, '--bogus']]) {
      const r = await llm2hls('lint', ...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expectCleanFailure(r, /llm2hls: error: /, expect);
    }
  });
});
