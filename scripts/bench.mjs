#!/usr/bin/env node
// Benchmark (issue #4): llm2hls inspect, estimate (load, fuse, plan) and compile
// (fp32 and w8a16, complete projects, --device u55c) against ONNX Runtime's
// session creation on the same model file, each in fresh processes, in the same run.
//   node scripts/bench.mjs [MODEL.onnx] [--runs N] [--bind name=N ...]
// Without MODEL it uses a GPT-2-small-shaped model (12 layers, d 768, vocab
// 50257, context 1024), written once to out/bench/ by llm2hls's own
// ModelBuilder, at --bind sequence=64 unless told otherwise.
// Targets: compile time <= 1.5x ORT session creation (aim 1.0x); peak RSS of
// inspect and of both compiles <= 1.5x the file size. Exits 1 if one is missed;
// on any failure it prints one line (no stack trace) and exits with the failing step's code.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(message, code = 1) {
  console.error(`bench: ${message}`);
  process.exit(code);
}

/** Runs node with ARGS; on failure exits with the child's last stderr line (its one-line error) and code. */
function node(what, args, options = {}) {
  try {
    return execFileSync('node', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (e) {
    const said = String(e.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? e.message;
    fail(`${what} failed: ${said}`, typeof e.status === 'number' && e.status !== 0 ? e.status : 70);
  }
}

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
if (!Number.isInteger(runs) || runs < 1) fail('--runs needs a positive integer');
const bind = {};
for (let i; (i = args.indexOf('--bind')) >= 0;) {
  const [name, value, extra] = String(args.splice(i, 2)[1]).split('=');
  if (!name || !/^[1-9][0-9]*$/.test(value ?? '') || extra !== undefined) fail('--bind needs name=N (a dim name and a positive integer)');
  bind[name] = Number(value);
}
const unknown = args.find((a) => a.startsWith('-'));
if (unknown || args.length > 1) fail(`usage: node scripts/bench.mjs [MODEL.onnx] [--runs N] [--bind name=N ...] (got '${unknown ?? args[1]}')`);
let model = args[0];

if (!fs.existsSync(path.join(root, 'dist', 'compiler', 'index.js'))) fail('dist/ is missing: run scripts/setup.sh (or npm run build) first');
if (!model) {
  model = path.join(root, 'out', 'bench', 'gpt2_small_shape.onnx');
  bind.sequence ??= 64;
  // Older versions wrote 8-token sample inputs beside it; w8a16 would calibrate on those (examples/gpt2-small-shape.ts).
  fs.rmSync(path.join(path.dirname(model), 'gpt2_small_shape_data'), { recursive: true, force: true });
  if (!fs.existsSync(model)) {
    console.log(`writing a GPT-2-small-shaped model to ${model} (once) ...`);
    node('writing the model', [path.join(root, 'dist', 'examples', 'gpt2-small-shape.js'), path.dirname(model)]);
  }
}
if (!fs.existsSync(model)) fail(`${model}: no such file`);

function measure(name, what) {
  const child = path.join(root, 'scripts', 'bench', 'measure-child.mjs');
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const env = { ...process.env, LLM2HLS_BENCH_BIND: JSON.stringify(bind) };
    samples.push(JSON.parse(node(name, [child, what, model], { env }).trim().split('\n').pop()));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { seconds: median(samples.map((s) => s.seconds)), maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)) };
}

const size = fs.statSync(model).size;
const rows = [
  ['llm2hls inspect', 'llm2hls-inspect'],
  ['llm2hls estimate (u55c)', 'llm2hls-estimate'],
  ['llm2hls compile fp32', 'llm2hls-compile-fp32'],
  ['llm2hls compile w8a16', 'llm2hls-compile-w8a16'],
  ['ORT session creation', 'ort-session'],
].map(([name, what]) => [name, measure(name, what)]);
const ort = rows[4][1];
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const bound = Object.entries(bind).map(([k, v]) => ` --bind ${k}=${v}`).join('');
console.log(`model: ${model} (${mib(size)})${bound}, median time / max peak RSS of ${runs} fresh processes each`);
console.log(`${''.padEnd(24)}  seconds   / ORT   peak RSS   / file`);
for (const [name, r] of rows) {
  console.log(`${name.padEnd(24)} ${r.seconds.toFixed(2).padStart(8)} ${(r.seconds / ort.seconds).toFixed(2).padStart(6)}x ${mib(r.maxRssBytes).padStart(10)} ${(r.maxRssBytes / size).toFixed(2).padStart(6)}x`);
}
const checks = [
  ['compile fp32 time <= 1.5x ORT session creation', rows[2][1].seconds <= 1.5 * ort.seconds],
  ['compile w8a16 time <= 1.5x ORT session creation', rows[3][1].seconds <= 1.5 * ort.seconds],
  ['compile fp32 peak RSS <= 1.5x file size', rows[2][1].maxRssBytes <= 1.5 * size],
  ['compile w8a16 peak RSS <= 1.5x file size', rows[3][1].maxRssBytes <= 1.5 * size],
  ['inspect peak RSS <= 1.5x file size', rows[0][1].maxRssBytes <= 1.5 * size],
];
for (const [what, ok] of checks) console.log(`${ok ? 'met    ' : 'NOT met'}  ${what}`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
