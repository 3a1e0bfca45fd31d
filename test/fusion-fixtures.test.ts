/**
 * The fusion pipeline on every exported fixture and the bundled example:
 * the fused graph still computes the exporter's outputs within 1e-5
 * relative, and none of the decomposed patterns the fusion passes own
 * (norms, GELU/SiLU, weight MatMuls, embedding Gathers) is left.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph } from '../compiler/graph.js';
import { interpret } from '../compiler/interpreter.js';
import { prepareGraph } from '../compiler/model.js';
import { fuseGraph } from '../compiler/passes/pipelines.js';
import { Tensor } from '../compiler/tensor.js';
import { verifyGraph } from '../compiler/verify.js';
import { bindingsFromInputs } from '../frontend/bind.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { relativeError } from './helpers/compare.js';
import { ROOT } from './helpers/cli.js';
import { runOrt } from './helpers/ort.js';

interface Case {
  model: string;
  data: string;
  /** Kernels the fusion passes of this file's scope must produce. */
  kernels: Record<string, number>;
}

const GPT2 = { 'llm.Embedding': 1, 'llm.LayerNorm': 3, 'llm.Linear': 7, 'llm.Gelu': 1 };

const cases: Case[] = [
  { model: 'test/fixtures/exported/gpt2_mini.onnx', data: 'test/fixtures/exported/gpt2_mini_data', kernels: GPT2 },
  { model: 'test/fixtures/exported/gpt2_mini_op17.onnx', data: 'test/fixtures/exported/gpt2_mini_op17_data', kernels: GPT2 },
  { model: 'test/fixtures/exported/gpt2_mini_past.onnx', data: 'test/fixtures/exported/gpt2_mini_past_data/prefill', kernels: GPT2 },
  { model: 'test/fixtures/exported/gpt2_mini_past.onnx', data: 'test/fixtures/exported/gpt2_mini_past_data/decode', kernels: GPT2 },
  {
    model: 'test/fixtures/exported/llama_mini.onnx', data: 'test/fixtures/exported/llama_mini_data',
    kernels: { 'llm.Embedding': 1, 'llm.RMSNorm': 3, 'llm.Linear': 8, 'llm.SwiGLU': 1 },
  },
  {
    model: 'test/fixtures/exported/encoder_mini.onnx', data: 'test/fixtures/exported/encoder_mini_data',
    kernels: { 'llm.Embedding': 1, 'llm.LayerNorm': 3, 'llm.Linear': 6, 'llm.Gelu': 1 },
  },
  {
    model: 'examples/tiny_gpt.onnx', data: 'examples/tiny_gpt_data',
    kernels: { 'llm.Embedding': 1, 'llm.LayerNorm': 5, 'llm.Linear': 13, 'llm.Gelu': 2 },
  },
];

/** Ops that must not survive fusion (they belong to a fused pattern). */
const DECOMPOSED = ['ReduceMean', 'Pow', 'Sqrt', 'Reciprocal', 'Erf', 'Tanh', 'Sigmoid', 'LayerNormalization', 'Gemm'];

function histogram(g: Graph): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of g.nodes) h[n.opType] = (h[n.opType] ?? 0) + 1;
  return h;
}

async function expectedOutputs(model: string, data: string, inputs: Tensor[]): Promise<number[][]> {
  const files = readTensorDir(data, 'output');
  if (files.length > 0) return files.map((f) => f.tensor.toArray());
  return (await runOrt(model, inputs)).map((o) => o.data); // the example ships inputs only
}

describe('fusion pipeline on exported models', () => {
  it.each(cases)('$model on $data still matches the reference within 1e-5', async ({ model, data, kernels }) => {
    const file = path.join(ROOT, model), dir = path.join(ROOT, data);
    const inputs = readTensorDir(dir).map((t) => t.tensor);
    const graph = prepareGraph(loadOnnxFile(file), { bindings: bindingsFromInputs(loadOnnxFile(file), inputs) });
    fuseGraph(graph);
    verifyGraph(graph);

    const expected = await expectedOutputs(file, dir, inputs);
    const outputs = interpret(graph, inputs);
    expect(outputs).toHaveLength(expected.length);
    outputs.forEach((o, i) => expect(relativeError(o.toArray(), expected[i])).toBeLessThan(1e-5));

    const ops = histogram(graph);
    for (const op of DECOMPOSED) expect(ops[op], `${op} left after fusion`).toBeUndefined();
    const isConst = (v: string) => graph.initializers.has(v);
    const weightMatMuls = graph.nodes.filter((n) => n.opType === 'MatMul' && n.inputs.some(isConst)).map((n) => n.name);
    expect(weightMatMuls, 'MatMul with a constant operand').toEqual([]);
    const weightGathers = graph.nodes.filter((n) => n.opType === 'Gather' && isConst(n.inputs[0])).map((n) => n.name);
    expect(weightGathers, 'Gather on a constant table').toEqual([]);
    const ours = Object.fromEntries(Object.keys(kernels).map((k) => [k, ops[k]]));
    expect(ours).toEqual(kernels);
  });
});
