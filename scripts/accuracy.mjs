#!/usr/bin/env node
/**
 * Accuracy of the quantized golden models against the float32 golden
 * interpreter: for every exported fixture (+ examples/tiny_gpt.onnx) and
 * every quantized preset, the cosine similarity of the logits (output 0)
 * and the top-1 agreement over token positions. Calibration uses each
 * model's own test inputs (MODEL_data/). Needs a build (npm run build).
 *
 *   node scripts/accuracy.mjs [--json] [--precision w8a16,w8a8,w4a16]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { measureAccuracy, accuracyModels } = await import(path.join(root, 'dist/compiler/numerics/accuracy.js'));

const args = process.argv.slice(2);
const json = args.includes('--json');
const pi = args.indexOf('--precision');
const precisions = pi >= 0 ? args[pi + 1].split(',') : ['w8a16', 'w8a8', 'w4a16'];

const rows = [];
for (const m of accuracyModels(root)) {
  if (!fs.existsSync(m.model)) continue;
  for (const p of precisions) {
    for (const r of measureAccuracy(m.model, p)) rows.push({ model: m.name, precision: p, ...r });
  }
}
if (json) console.log(JSON.stringify(rows, null, 2));
else {
  const w = Math.max(...rows.map((r) => (r.model + (r.set ? `/${r.set}` : '')).length), 5);
  console.log(`${'model'.padEnd(w)}  precision  cosine    top-1   max|err|/max|ref|`);
  for (const r of rows) {
    const name = r.model + (r.set ? `/${r.set}` : '');
    console.log(`${name.padEnd(w)}  ${r.precision.padEnd(9)}  ${r.cosine.toFixed(5)}  ${r.top1.toFixed(3)}   ${r.relError.toFixed(4)}`);
  }
}
