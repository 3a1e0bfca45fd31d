/**
 * A GPT-2-small-shaped model (12 layers, d 768, 12 heads, vocab 50257,
 * context 1024; about 650 MB) written by our own ModelBuilder, for scale and
 * speed work without PyTorch.   node dist/examples/gpt2-small-shape.js OUT_DIR
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyGpt } from './tiny-gpt.js';

export const GPT2_SMALL_SHAPE = { vocab: 50257, context: 1024, dim: 768, heads: 12, layers: 12, seed: 11 };

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(writeTinyGpt(process.argv[2] ?? 'out/bench', GPT2_SMALL_SHAPE, 'gpt2_small_shape'));
}
