/**
 * A tiny GPT whose context is longer than the prompt: the causal mask is a
 * [T, T] Slice of the [context, context] Trilu buffer. At context 16 the
 * frontend folds that Slice; at context 1024 (GPT-2's, and `npm run bench`'s
 * model) the buffer is at the frontend's folding cap, the Slice stays a node
 * and fuse-attention has to evaluate it. Either way the model must fuse to
 * kernels only, and its C simulation must match ONNX Runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../backend-hls/compile.js';
import { interpret } from '../compiler/interpreter.js';
import { prepareGraph } from '../compiler/model.js';
import { fuseGraph } from '../compiler/passes/pipelines.js';
import { writeTinyGpt } from '../examples/tiny-gpt.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { readTensorDir, readTensorFile } from '../frontend/tensor-files.js';
import { simulate } from '../runtime/csim.js';
import { tempDir } from './helpers/cli.js';
import { relativeError } from './helpers/compare.js';
import { runOrt } from './helpers/ort.js';

const work = tempDir('llm2hls-context-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.concurrent('a tiny GPT with context > sequence (8 prompt tokens)', () => {
  it.each([16, 1024])('context %i: fuses to kernels only; golden and csim match ONNX Runtime', async (context) => {
    const layers = 2;
    const model = writeTinyGpt(path.join(work, `ctx${context}`), { vocab: 64, context, dim: 16, heads: 2, layers, seed: 3 }, 'gpt');
    const data = path.join(work, `ctx${context}`, 'gpt_data');
    const inputs = readTensorDir(data).map((t) => t.tensor);
    const T = inputs[0].shape[1];
    expect(T).toBeLessThan(context);
    const [ort] = await runOrt(model, inputs);

    const g = prepareGraph(loadOnnxFile(model), { bindings: { sequence: T } });
    fuseGraph(g, { log: () => {} });
    expect(g.nodes.filter((n) => !n.opType.startsWith('llm.') && n.opType !== 'Add').map((n) => `${n.name} (${n.opType})`)).toEqual([]);
    expect(g.nodes.filter((n) => n.opType === 'llm.Attention').map((n) => n.attrs.causal)).toEqual(Array(layers).fill(1));
    const [golden] = interpret(g, inputs);
    expect(relativeError(golden.toArray(), ort.data)).toBeLessThan(1e-5);

    const dir = path.join(work, `prj${context}`);
    await compileModel(model, dir, { precision: 'fp32', bindings: { sequence: T } });
    const sim = await simulate(dir, { inputs: data, out: path.join(work, `out${context}`) });
    const csim = readTensorFile(sim.outputs[0].file).tensor;
    expect([...csim.shape]).toEqual(ort.dims);
    expect(relativeError(csim.toArray(), ort.data)).toBeLessThan(1e-3);
  }, 60_000);
});
