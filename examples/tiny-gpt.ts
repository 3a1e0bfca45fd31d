/**
 * The bundled example: a tiny GPT-2-style decoder written with llm2hls's own
 * ModelBuilder, in the patterns PyTorch's exporter writes (LayerNormalization,
 * fused QKV split, Reshape/Transpose heads, Trilu causal mask sliced by a
 * Shape/Gather chain over a dynamic `sequence` axis, tanh GELU as
 * elementwise ops, tied LM head).
 *
 *   node dist/examples/tiny-gpt.js OUT_DIR   -> OUT_DIR/tiny_gpt.onnx, OUT_DIR/tiny_gpt_data/input_0.pb
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../compiler/tensor.js';
import { FloatAttr, ModelBuilder } from '../frontend/onnx-writer.js';
import { writeTensorPb } from '../frontend/tensor-files.js';

export interface TinyGptConfig { vocab: number; context: number; dim: number; heads: number; layers: number; seed: number }

export const TINY_GPT: TinyGptConfig = { vocab: 64, context: 16, dim: 16, heads: 2, layers: 2, seed: 7 };

/** Deterministic uniform numbers (mulberry32), so the example is byte-identical on every machine. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTinyGpt(cfg: TinyGptConfig = TINY_GPT): ModelBuilder {
  const rand = random(cfg.seed);
  const { vocab, context, dim: d, heads: h, layers } = cfg;
  const hd = d / h;
  const b = new ModelBuilder('tiny_gpt', 17);
  const weights = (name: string, shape: number[], scale: number) => {
    const values = new Float32Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < values.length; i++) values[i] = (rand() * 2 - 1) * scale;
    return b.initializer(name, new Tensor('float32', shape, values));
  };
  const constant = (name: string, dtype: 'int64' | 'float32', shape: number[], values: number[]) => b.initializer(name, Tensor.from(dtype, shape, values));
  const linear = (x: string, name: string, nIn: number, nOut: number) =>
    b.node('Add', [b.node('MatMul', [x, weights(`${name}.weight`, [nIn, nOut], 1 / Math.sqrt(nIn))]), weights(`${name}.bias`, [nOut], 0.1)]);
  const layerNorm = (x: string, name: string) =>
    b.node('LayerNormalization', [x, weights(`${name}.weight`, [d], 1), weights(`${name}.bias`, [d], 0.1)], { axis: -1, epsilon: new FloatAttr(1e-5) });

  const ids = b.input('input_ids', 'int64', [1, 'sequence']);
  const wte = weights('wte.weight', [vocab, d], 1);
  const seq = b.node('Gather', [b.node('Shape', [ids]), constant('one', 'int64', [], [1])], { axis: 0 });
  const seq1 = b.node('Unsqueeze', [seq, constant('axes0', 'int64', [1], [0])]);
  const positions = b.node('Range', [constant('zero', 'int64', [], [0]), seq, constant('step', 'int64', [], [1])]);
  let x = b.node('Add', [b.node('Gather', [wte, ids], { axis: 0 }), b.node('Gather', [weights('wpe.weight', [context, d], 1), positions], { axis: 0 })]);

  const tril = b.node('Trilu', [b.node('ConstantOfShape', [constant('ctx2', 'int64', [2], [context, context])], { value: Tensor.from('bool', [1], [1]) })], { upper: 0 });
  const ends = b.node('Concat', [seq1, seq1], { axis: 0 });
  const mask = b.node('Slice', [tril, constant('starts', 'int64', [2], [0, 0]), ends, constant('axes01', 'int64', [2], [0, 1])]);
  const headShape = constant('head_shape', 'int64', [4], [0, 0, h, hd]);
  const mergeShape = constant('merge_shape', 'int64', [3], [0, 0, d]);
  const scalar = (name: string, v: number) => constant(name, 'float32', [], [v]);
  const negInf = scalar('neg_inf', -Infinity);
  const scale = scalar('attn_scale', 1 / Math.sqrt(hd));

  for (let l = 0; l < layers; l++) {
    const p = `h.${l}`;
    const qkv = linear(layerNorm(x, `${p}.ln_1`), `${p}.attn.c_attn`, d, 3 * d);
    const [q, k, v] = b.nodeN('Split', [qkv, constant(`${p}.split`, 'int64', [3], [d, d, d])], 3, { axis: 2 });
    const heads = (t: string, perm: number[]) => b.node('Transpose', [b.node('Reshape', [t, headShape])], { perm });
    const scores = b.node('Mul', [b.node('MatMul', [heads(q, [0, 2, 1, 3]), heads(k, [0, 2, 3, 1])]), scale]);
    const probs = b.node('Softmax', [b.node('Where', [mask, scores, negInf])], { axis: -1 });
    const merged = b.node('Reshape', [b.node('Transpose', [b.node('MatMul', [probs, heads(v, [0, 2, 1, 3])])], { perm: [0, 2, 1, 3] }), mergeShape]);
    x = b.node('Add', [x, linear(merged, `${p}.attn.c_proj`, d, d)]);
    const fc = linear(layerNorm(x, `${p}.ln_2`), `${p}.mlp.c_fc`, d, 4 * d);
    // GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const cube = b.node('Mul', [b.node('Pow', [fc, scalar(`${p}.three`, 3)]), scalar(`${p}.gelu_c`, 0.044715)]);
    const inner = b.node('Mul', [b.node('Add', [fc, cube]), scalar(`${p}.gelu_s`, Math.sqrt(2 / Math.PI))]);
    const gelu = b.node('Mul', [b.node('Mul', [fc, scalar(`${p}.half`, 0.5)]), b.node('Add', [b.node('Tanh', [inner]), scalar(`${p}.one_f`, 1)])]);
    x = b.node('Add', [x, linear(gelu, `${p}.mlp.c_proj`, 4 * d, d)]);
  }
  const logits = b.node('MatMul', [layerNorm(x, 'ln_f'), b.node('Transpose', [wte], { perm: [1, 0] })]);
  const [named] = b.nodeN('Identity', [logits], ['logits'], {}, 'lm_head');
  b.output(named, 'float32', [1, 'sequence', vocab]);
  return b;
}

/** Writes NAME.onnx and NAME_data/input_0.pb (8 prompt tokens) into `dir`. */
export function writeTinyGpt(dir: string, cfg: TinyGptConfig = TINY_GPT, name = 'tiny_gpt'): string {
  fs.mkdirSync(path.join(dir, `${name}_data`), { recursive: true });
  const file = path.join(dir, `${name}.onnx`);
  buildTinyGpt(cfg).save(file);
  const rand = random(cfg.seed + 1);
  const ids = Tensor.from('int64', [1, 8], Array.from({ length: 8 }, () => Math.floor(rand() * cfg.vocab)));
  writeTensorPb(path.join(dir, `${name}_data`, 'input_0.pb'), ids, 'input_ids');
  return file;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(writeTinyGpt(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples')));
}
