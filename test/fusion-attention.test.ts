/**
 * The full fusion pipeline on every exported fixture and the bundled
 * example: afterwards only transformer kernels (plus residual Adds) remain,
 * exactly the expected multiset of them, and the golden interpreter still
 * reproduces the exporter's outputs (ONNX Runtime's for the example).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Graph } from '../compiler/graph.js';
import { interpret } from '../compiler/interpreter.js';
import { prepareGraph } from '../compiler/model.js';
import { fuseGraph } from '../compiler/passes/pipelines.js';
import { runPipeline } from '../compiler/passes/pass.js';
import { fuseRope } from '../compiler/passes/fuse-rope.js';
import { fuseAttention } from '../compiler/passes/fuse-attention.js';
import { Tensor } from '../compiler/tensor.js';
import { bindingsFromInputs } from '../frontend/bind.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { relativeError } from './helpers/compare.js';
import { runOrt } from './helpers/ort.js';
import { ROOT } from './helpers/cli.js';

const dir = path.join(import.meta.dirname, 'fixtures', 'exported');
const example = path.join(ROOT, 'examples');

const KERNELS = new Set([
  'llm.Linear', 'llm.Embedding', 'llm.LayerNorm', 'llm.RMSNorm', 'llm.Gelu', 'llm.SiLU', 'llm.SwiGLU', 'llm.RoPE', 'llm.Attention', 'Add',
]);

type Counts = Record<string, number>;

/** GPT-2 block: token embedding (positions fold to a constant table slice), ln1/ln2/lnf, qkv split into 3 + proj + fc + out + tied head. */
const GPT2: Counts = { 'llm.Embedding': 1, Add: 3, 'llm.LayerNorm': 3, 'llm.Linear': 7, 'llm.Attention': 1, 'llm.Gelu': 1 };

interface Case {
  model: string;
  data: string;
  kernels: Counts;
  /** Attributes of each llm.Attention, in graph order. */
  attention: Record<string, number>[];
}

const cases: Case[] = [
  { model: 'gpt2_mini.onnx', data: 'gpt2_mini_data', kernels: GPT2, attention: [{ heads: 2, kv_heads: 2, causal: 1, scale: 0.25 }] },
  { model: 'gpt2_mini_op17.onnx', data: 'gpt2_mini_op17_data', kernels: GPT2, attention: [{ heads: 2, kv_heads: 2, causal: 1, scale: 0.25 }] },
  {
    model: 'llama_mini.onnx', data: 'llama_mini_data',
    // n1, n2, norm; q, k, v, o, gate, up, down, head; RoPE on q and k; two residual Adds.
    kernels: { 'llm.Embedding': 1, 'llm.RMSNorm': 3, 'llm.Linear': 8, 'llm.RoPE': 2, 'llm.Attention': 1, Add: 2, 'llm.SwiGLU': 1 },
    attention: [{ heads: 4, kv_heads: 2, causal: 1, scale: 1 / Math.fround(Math.sqrt(8)) }],
  },
  {
    model: 'encoder_mini.onnx', data: 'encoder_mini_data',
    // emb + pos Add, two residual Adds; ln, ln1, ln2; q, k, v, o, fc, out.
    kernels: { 'llm.Embedding': 1, Add: 3, 'llm.LayerNorm': 3, 'llm.Linear': 6, 'llm.Attention': 1, 'llm.Gelu': 1 },
    attention: [{ heads: 2, kv_heads: 2, causal: 0, scale: 0.25 }],
  },
  { model: 'gpt2_mini_past.onnx', data: 'gpt2_mini_past_data/prefill', kernels: GPT2, attention: [{ heads: 2, kv_heads: 2, causal: 1, scale: 0.25 }] },
  { model: 'gpt2_mini_past.onnx', data: 'gpt2_mini_past_data/decode', kernels: GPT2, attention: [{ heads: 2, kv_heads: 2, causal: 1, scale: 0.25 }] },
];

function countOps(g: Graph): Counts {
  const counts: Counts = {};
  for (const n of g.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
}

function fused(file: string, inputs: readonly Tensor[]): Graph {
  const g = loadOnnxFile(file);
  prepareGraph(g, { bindings: bindingsFromInputs(g, inputs) });
  fuseGraph(g, { log: () => {} });
  return g;
}

function expectKernels(g: Graph, c: Pick<Case, 'kernels' | 'attention'>): void {
  expect(countOps(g)).toEqual(c.kernels);
  expect(g.nodes.filter((n) => !KERNELS.has(n.opType)).map((n) => `${n.name} (${n.opType})`)).toEqual([]);
  const attrs = g.nodes.filter((n) => n.opType === 'llm.Attention').map((n) => n.attrs);
  expect(attrs.length).toBe(c.attention.length);
  attrs.forEach((a, i) => {
    const { scale, ...rest } = c.attention[i];
    expect({ heads: a.heads, kv_heads: a.kv_heads, causal: a.causal }).toEqual(rest);
    expect(a.scale as number).toBeCloseTo(scale, 6);
  });
}

describe('fusion pipeline on exported transformers', () => {
  it.each(cases.map((c) => [c.model, c.data, c] as const))('%s on %s: kernels only, outputs within 1e-5', (_m, _d, c) => {
    const data = path.join(dir, c.data);
    const inputs = readTensorDir(data).map((t) => t.tensor);
    const expected = readTensorDir(data, 'output');
    const g = fused(path.join(dir, c.model), inputs);
    expectKernels(g, c);
    expect(g.outputs.map((o) => o.name)).toEqual(expected.map((e) => e.name));
    const outputs = interpret(g, inputs);
    outputs.forEach((o, i) => {
      expect([...o.shape]).toEqual([...expected[i].tensor.shape]);
      expect(relativeError(o.toArray(), expected[i].tensor.toArray())).toBeLessThan(1e-5);
    });
  });

  it.each(cases.map((c) => [c.model, c.data, c] as const))('%s on %s: attention fuses on raw MatMul/Add/Split projections too', (_m, _d, c) => {
    const data = path.join(dir, c.data);
    const inputs = readTensorDir(data).map((t) => t.tensor);
    const expected = readTensorDir(data, 'output');
    const g = loadOnnxFile(path.join(dir, c.model));
    prepareGraph(g, { bindings: bindingsFromInputs(g, inputs) });
    runPipeline(g, [fuseRope, fuseAttention]);
    const counts = countOps(g);
    expect(counts['llm.Attention']).toBe(c.kernels['llm.Attention']);
    expect(counts['llm.RoPE']).toBe(c.kernels['llm.RoPE']);
    for (const op of ['Softmax', 'Transpose', 'Reshape', 'Where', 'Trilu', 'Expand', 'Unsqueeze', 'Slice', 'Neg', 'Concat']) expect(counts[op]).toBeUndefined();
    interpret(g, inputs).forEach((o, i) => expect(relativeError(o.toArray(), expected[i].tensor.toArray())).toBeLessThan(1e-5));
  });

  it('gpt2_mini_past: present K/V are llm.Attention outputs under their graph-output names', () => {
    const data = path.join(dir, 'gpt2_mini_past_data/decode');
    const g = fused(path.join(dir, 'gpt2_mini_past.onnx'), readTensorDir(data).map((t) => t.tensor));
    const attn = g.nodes.find((n) => n.opType === 'llm.Attention')!;
    expect(attn.inputs.slice(3)).toEqual(['past_key_values.0.key', 'past_key_values.0.value']);
    expect(attn.outputs.slice(1)).toEqual(['present.0.key', 'present.0.value']);
  });

  it('gpt2_mini_past greedily generates the exporter\'s 10 tokens with the fused graph', () => {
    const file = path.join(dir, 'gpt2_mini_past.onnx');
    const ref = JSON.parse(readFileSync(path.join(dir, 'gpt2_mini_past_generate.json'), 'utf8')) as { prompt: number[]; generated: number[] };
    const vocab = 128;
    let ids = Tensor.from('int64', [1, ref.prompt.length], ref.prompt);
    let past = [Tensor.zeros('float32', [1, 2, 0, 16]), Tensor.zeros('float32', [1, 2, 0, 16])];
    const tokens: number[] = [];
    for (let step = 0; step < ref.generated.length; step++) {
      const inputs = [ids, ...past];
      const g = fused(file, inputs);
      expect(countOps(g)['llm.Attention']).toBe(1);
      const [logits, key, value] = interpret(g, inputs);
      const T = logits.shape[1];
      const last = Array.from(logits.data.subarray((T - 1) * vocab, T * vocab));
      const next = last.indexOf(Math.max(...last));
      tokens.push(next);
      ids = Tensor.from('int64', [1, 1], [next]);
      past = [key, value];
    }
    expect(tokens).toEqual(ref.generated);
  });

  it('examples/tiny_gpt.onnx: kernels only, outputs match ONNX Runtime within 1e-5', async () => {
    const file = path.join(example, 'tiny_gpt.onnx');
    const inputs = readTensorDir(path.join(example, 'tiny_gpt_data')).map((t) => t.tensor);
    const g = fused(file, inputs);
    expectKernels(g, {
      // 2 layers: ln_1, ln_2 each + ln_f; qkv split into 3 + c_proj + c_fc + mlp c_proj per layer + tied head.
      kernels: { 'llm.Embedding': 1, Add: 5, 'llm.LayerNorm': 5, 'llm.Linear': 13, 'llm.Attention': 2, 'llm.Gelu': 2 },
      attention: [0, 1].map(() => ({ heads: 2, kv_heads: 2, causal: 1, scale: Math.fround(1 / Math.sqrt(8)) })),
    });
    const ort = await runOrt(file, inputs);
    const [logits] = interpret(g, inputs);
    expect([...logits.shape]).toEqual(ort[0].dims);
    expect(relativeError(logits.toArray(), ort[0].data)).toBeLessThan(1e-5);
  });
});
