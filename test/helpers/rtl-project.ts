/**
 * The bundled tiny GPT compiled with --target rtl for kv260 (w8a16), with its
 * Verilator simulation built: the Verilator build is the slow part (a minute
 * on two cores), so it is done once per distinct design and shared by test
 * files, each of which gets its own copy of the project (a simulation writes
 * into the project's sim/).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './cli.js';

export const TINY_MODEL = path.join(ROOT, 'examples', 'tiny_gpt.onnx');
export const TINY_ARGS = ['--target', 'rtl', '--device', 'kv260', '--bind', 'sequence=8'];

/** sha1 over the files a Verilator build reads. */
function buildKey(dir: string): string {
  const h = crypto.createHash('sha1');
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else h.update(r).update(fs.readFileSync(path.join(dir, r)));
    }
  };
  walk('rtl');
  h.update(fs.readFileSync(path.join(dir, 'sim', 'harness.cpp'))).update(fs.readFileSync(path.join(dir, 'Makefile')));
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Compiles tiny_gpt --target rtl into `dest` with its Verilator simulation already built. */
export async function builtTinyRtl(dest: string): Promise<string> {
  const fresh = `${dest}.fresh`;
  const c = await execa('node', [path.join(ROOT, 'bin', 'llm2hls.js'), 'compile', TINY_MODEL, '-o', fresh, ...TINY_ARGS], { reject: false, all: true });
  if (c.exitCode !== 0) throw new Error(`compile failed: ${c.all}`);
  const shared = path.join(os.tmpdir(), `llm2hls-tiny-rtl-${os.userInfo().uid}-${buildKey(fresh)}`);
  const lock = `${shared}.lock`;
  for (let waited = 0; !fs.existsSync(shared); waited += 1000) {
    let mine = false;
    try { fs.mkdirSync(lock); mine = true; } catch { /* another test file builds it */ }
    if (mine) {
      try {
        const b = await execa('make', ['--no-print-directory', 'sim-build'], { cwd: fresh, reject: false, all: true, timeout: 900_000 });
        if (b.exitCode !== 0) throw new Error(`make sim-build failed: ${b.all}`);
        fs.cpSync(fresh, `${shared}.tmp`, { recursive: true, preserveTimestamps: true });
        fs.renameSync(`${shared}.tmp`, shared);
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (waited > 900_000) throw new Error(`waited 15 min for ${shared}`);
    await sleep(1000);
  }
  fs.rmSync(fresh, { recursive: true, force: true });
  // Timestamps kept: make finds the copied simulation up to date.
  fs.cpSync(shared, dest, { recursive: true, preserveTimestamps: true });
  return dest;
}
