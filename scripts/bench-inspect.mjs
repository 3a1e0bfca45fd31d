#!/usr/bin/env node
// Benchmark: `llm2hls inspect` and `llm2hls estimate --device u55c` (load, fuse,
// plan) against ONNX Runtime's session creation on the
// same model file, each in fresh processes, in the same run.
//   node scripts/bench-inspect.mjs [MODEL.onnx] [--runs N]
// Without MODEL it uses a GPT-2-small-shaped model (12 layers, d 768, vocab
// 50257), written once to out/bench/ by llm2hls's own ModelBuilder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
let model = args[0];

if (!fs.existsSync(path.join(root, 'dist', 'compiler', 'index.js'))) {
  console.error('dist/ is missing: run scripts/setup.sh first');
  process.exit(1);
}
if (!model) {
  model = path.join(root, 'out', 'bench', 'gpt2_small_shape.onnx');
  if (!fs.existsSync(model)) {
    console.log(`writing a GPT-2-small-shaped model to ${model} (once) ...`);
    execFileSync('node', [path.join(root, 'dist', 'examples', 'gpt2-small-shape.js'), path.dirname(model)], { stdio: 'inherit' });
  }
}
if (!fs.existsSync(model)) {
  console.error(`${model}: no such file`);
  process.exit(1);
}

function measure(what) {
  const child = path.join(root, 'scripts', 'bench', 'measure-child.mjs');
  const samples = [];
  for (let i = 0; i < runs; i++) {
    samples.push(JSON.parse(execFileSync('node', [child, what, model], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop()));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { seconds: median(samples.map((s) => s.seconds)), maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)) };
}

const size = fs.statSync(model).size;
const ours = measure('llm2hls-inspect');
const plan = measure('llm2hls-estimate');
const ort = measure('ort-session');
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`model: ${model} (${mib(size)}), median of ${runs} fresh processes each`);
console.log(`                         seconds   peak RSS   RSS / file size`);
console.log(`llm2hls inspect         ${ours.seconds.toFixed(2).padStart(8)}   ${mib(ours.maxRssBytes).padStart(8)}   ${(ours.maxRssBytes / size).toFixed(2).padStart(6)}x`);
console.log(`llm2hls estimate (u55c) ${plan.seconds.toFixed(2).padStart(8)}   ${mib(plan.maxRssBytes).padStart(8)}   ${(plan.maxRssBytes / size).toFixed(2).padStart(6)}x`);
console.log(`ORT session creation    ${ort.seconds.toFixed(2).padStart(8)}   ${mib(ort.maxRssBytes).padStart(8)}   ${(ort.maxRssBytes / size).toFixed(2).padStart(6)}x`);
console.log(`inspect time / ORT session time: ${(ours.seconds / ort.seconds).toFixed(2)}x; estimate time / ORT session time: ${(plan.seconds / ort.seconds).toFixed(2)}x`);
const ok = ours.maxRssBytes <= 1.5 * size;
console.log(`peak memory target (<= 1.5x file size): ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
