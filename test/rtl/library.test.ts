/**
 * The Verilog library as a whole: every file of templates/rtl/ holds the one
 * module it is named after, is clean under verilator --lint-only -Wall and
 * Icarus Verilog with its default parameters, and is documented in
 * docs/backend-rtl.md. (Each module's own test checks it against its C++ twin.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RTL_DIR, icarus, lint } from '../helpers/rtl-harness.js';

const files = fs.readdirSync(RTL_DIR).filter((f) => f.endsWith('.v')).sort();
const doc = fs.readFileSync(path.join(RTL_DIR, '..', '..', 'docs', 'backend-rtl.md'), 'utf8');

describe('templates/rtl', () => {
  it('holds one module per file, named after it, each in the docs', () => {
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      const modules = [...fs.readFileSync(path.join(RTL_DIR, f), 'utf8').matchAll(/^\s*module\s+(\w+)/gm)].map((m) => m[1]);
      expect(modules).toEqual([f.replace(/\.v$/, '')]);
      expect(doc).toContain(`\`${modules[0]}\``);
    }
  });
  it('is clean under verilator -Wall and Icarus Verilog with default parameters', async () => {
    for (const f of files) {
      const top = f.replace(/\.v$/, '');
      expect(await lint(top, {}), top).toBe('');
      expect(await icarus(top, {}), top).toBe('');
    }
  }, 60_000);
});
