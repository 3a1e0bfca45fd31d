/** lintFiles(): folders, headers found beside the file or under includeDirs, defines, classes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, lintFiles, lintSource } from '../../lint/index.js';

const SOURCE = `#include "params.h"
void clear(data_t buf[DEPTH]) {
  for (int i = 0; i <= DEPTH - 1 + EXTRA; i++) buf[i] = 0;
}
`;

function project(): { dir: string; inc: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-lint-api-'));
  const inc = path.join(dir, 'include');
  fs.mkdirSync(inc);
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(inc, 'params.h'), '#pragma once\n#include "sizes.h"\ntypedef ap_int<12> data_t;\n');
  fs.writeFileSync(path.join(inc, 'sizes.h'), 'const int DEPTH = 64;\n');
  const file = path.join(dir, 'src', 'clear.cpp');
  fs.writeFileSync(file, SOURCE);
  return { dir, inc, file };
}

describe('lintFiles', () => {
  it('reads constants from headers under includeDirs (nested includes too), and -D', async () => {
    const { inc, file } = project();
    // Without the header DEPTH is a symbol: DEPTH - 1 + EXTRA against DEPTH is not decided.
    expect((await lintFiles([file])).findings).toEqual([]);
    expect((await lintFiles([file], { includeDirs: [inc] })).findings).toEqual([]); // EXTRA unknown
    const r = await lintFiles([file], { includeDirs: [inc], defines: { EXTRA: '1' } });
    expect(r.files).toBe(1);
    expect(r.findings.map((f) => [f.line, f.class])).toEqual([[3, 'OOB']]);
    expect(r.findings[0].message).toMatch(/reaches 64, but buf has 64 elements/);
  });

  it('walks folders for C/C++ sources and headers only', async () => {
    const { dir } = project();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'int a[1]; void f() { a[5] = 0; }');
    expect((await lintFiles([dir])).files).toBe(3);
  });

  it('restricts to the classes asked for; every rule has a class, a name and a severity', async () => {
    const src = 'void f(int a[4]) { int s; for (int i = 0; i <= 4; i++) s += a[i]; }';
    expect((await lintSource('f.cpp', src)).map((f) => f.class).sort()).toEqual(['INIT', 'OOB']);
    expect((await lintSource('f.cpp', src, { classes: ['INIT'] })).map((f) => f.class)).toEqual(['INIT']);
    expect(new Set(RULES.map((r) => r.cls)).size).toBe(18);
    for (const r of RULES) expect(r.name).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});
