/**
 * A GPT-2-small-shaped model (12 layers, d 768, 12 heads, vocab 50257,
 * context 1024, tied LM head; about 500 MB) written by our own ModelBuilder,
 * for scale and speed work without PyTorch (scripts/bench.mjs).
 *   node dist/examples/gpt2-small-shape.js OUT_DIR   -> OUT_DIR/gpt2_small_shape.onnx
 * No sample inputs are written beside it: w8a16 then calibrates on random
 * token ids of the bound shape. Sample inputs of another length than the
 * one bound would be a calibration set of their own shape, which compile
 * runs on a second loaded and fused copy of the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTinyGpt } from './tiny-gpt.js';

export const GPT2_SMALL_SHAPE = { vocab: 50257, context: 1024, dim: 768, heads: 12, layers: 12, seed: 11 };

/** Writes DIR/gpt2_small_shape.onnx and returns its path. */
export function writeGpt2SmallShape(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'gpt2_small_shape.onnx');
  buildTinyGpt(GPT2_SMALL_SHAPE).save(file);
  return file;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(writeGpt2SmallShape(process.argv[2] ?? 'out/bench'));
}
