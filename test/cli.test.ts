/** The command line through a real process: inspect, run, and their JSON forms. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTensorFile } from '../frontend/tensor-files.js';
import { ModelBuilder } from '../frontend/onnx-writer.js';
import { Tensor } from '../compiler/tensor.js';
import { relativeError } from './helpers/compare.js';
import { ROOT, llm2hls, tempDir } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');

describe('llm2hls inspect', () => {
  it('reports opset, ops, parameters and symbolic dims of a dynamic-axes export as JSON', async () => {
    const r = await llm2hls('inspect', path.join(fixtures, 'gpt2_mini_past.onnx'), '--json');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.opset).toBe(14);
    expect(report.producer).toMatch(/pytorch/);
    expect(report.supported).toBe(true);
    expect(report.inputs.map((i: { name: string }) => i.name)).toEqual(['input_ids', 'past_key_values.0.key', 'past_key_values.0.value']);
    expect(report.inputs[0].shape).toEqual([1, 'sequence']);
    expect(report.inputs[1].shape).toEqual([1, 2, 'past_sequence', 16]);
    expect(report.symbolicDims.sort()).toEqual(['past_sequence', 'sequence', 'total_sequence'].sort());
    expect(report.opHistogram.MatMul).toBeGreaterThan(0);
    // The file's float initializers: wte 128x32, wpe 32x32, the tied head's folded transpose 32x128,
    // qkv/proj/fc/out weights and biases, one LayerNorm weight+bias (PyTorch's exporter stores the
    // identical all-ones/all-zeros LayerNorm parameters once).
    expect(report.parameters.count).toBe(4096 + 1024 + 4096 + (3072 + 96) + (1024 + 32) + (4096 + 128) + (4096 + 32) + 32 + 32);
  });

  it('prints a human summary and binds dims with --bind', async () => {
    const r = await llm2hls('inspect', path.join(fixtures, 'gpt2_mini_past.onnx'), '--bind', 'sequence=3', '--bind', 'past_sequence=4');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/opset 14/);
    expect(r.stdout).toMatch(/logits: float32\[1, 3, 128\]/);
    expect(r.stdout).toMatch(/present\.0\.key: float32\[1, 2, 7, 16\]/);
    expect(r.stdout).toMatch(/all ops are supported/);
  });

  it('lists the transformer kernels after fusion, and names what fusion left over', async () => {
    const llama = JSON.parse((await llm2hls('inspect', path.join(fixtures, 'llama_mini.onnx'), '--json')).stdout);
    expect(llama.fusion.kernels).toEqual({ 'llm.Embedding': 1, 'llm.RMSNorm': 3, 'llm.Linear': 8, 'llm.RoPE': 2, 'llm.Attention': 1, 'llm.SwiGLU': 1, Add: 2 });
    expect(llama.fusion.leftover).toEqual([]);
    // A Relu MLP is supported by the golden interpreter but is no transformer kernel.
    const dir = tempDir();
    const b = new ModelBuilder('relu_mlp', 17);
    const x = b.input('x', 'float32', [1, 4, 8]);
    const w = b.initializer('w', Tensor.from('float32', [8, 8], Array.from({ length: 64 }, (_, i) => (i % 7) / 7)));
    b.output(b.node('Relu', [b.node('MatMul', [x, w])], {}, 'the_relu'), 'float32', [1, 4, 8]);
    b.save(path.join(dir, 'relu.onnx'));
    const r = await llm2hls('inspect', path.join(dir, 'relu.onnx'));
    expect(r.exitCode).toBe(3); // it runs, but cannot be compiled: exit 0 only if it can
    expect(r.stdout).toMatch(/after fusion: llm\.Linear x1/);
    expect(r.stdout).toMatch(/Relu in node 'the_relu'/);
  });

  it('rejects --bind of a dimension the model does not have', async () => {
    const r = await llm2hls('inspect', path.join(fixtures, 'gpt2_mini.onnx'), '--bind', 'batch=2');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/binding batch=2: the model has no symbolic dimension named 'batch'/);
  });
});

describe('llm2hls run', () => {
  it('writes output_N.pb with the graph output names, matching the exporter', async () => {
    const out = tempDir();
    const data = path.join(fixtures, 'gpt2_mini_past_data', 'decode');
    const r = await llm2hls('run', path.join(fixtures, 'gpt2_mini_past.onnx'), '--inputs', data, '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.outputs.map((o: { name: string }) => o.name)).toEqual(['logits', 'present.0.key', 'present.0.value']);
    for (let i = 0; i < 3; i++) {
      const got = readTensorFile(path.join(out, `output_${i}.pb`));
      const want = readTensorFile(path.join(data, `output_${i}.pb`));
      expect(got.name).toBe(want.name);
      expect([...got.tensor.shape]).toEqual([...want.tensor.shape]);
      expect(relativeError(got.tensor.toArray(), want.tensor.toArray())).toBeLessThan(1e-5);
    }
    expect(fs.readdirSync(out).sort()).toEqual(['output_0.pb', 'output_1.pb', 'output_2.pb']);
  });

  it('reads .npy inputs', async () => {
    const inputs = tempDir();
    // int64 [1, 8] as .npy: the same tokens as the fixture's input_0.pb
    const ids = readTensorFile(path.join(fixtures, 'gpt2_mini_data', 'input_0.pb')).tensor.toArray();
    const header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 8), }";
    const padded = header.padEnd(118, ' ') + '\n';
    const body = Buffer.alloc(64);
    ids.forEach((v, i) => body.writeBigInt64LE(BigInt(v), i * 8));
    fs.writeFileSync(path.join(inputs, 'input_0.npy'), Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]), Buffer.from([padded.length, 0]), Buffer.from(padded), body]));
    const out = tempDir();
    const r = await llm2hls('run', path.join(fixtures, 'gpt2_mini.onnx'), '--inputs', inputs, '--out', out);
    expect(r.exitCode).toBe(0);
    const got = readTensorFile(path.join(out, 'output_0.pb')).tensor.toArray();
    const want = readTensorFile(path.join(fixtures, 'gpt2_mini_data', 'output_0.pb')).tensor.toArray();
    expect(relativeError(got, want)).toBeLessThan(1e-5);
  });

  it('says which parts are not built yet', async () => {
    const r = await llm2hls('generate', path.join(fixtures, 'gpt2_mini_past.onnx'), '--prompt-ids', '1,2', '--max-new-tokens', '2', '--mode', 'verilator');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/not built yet/);
  });
});
