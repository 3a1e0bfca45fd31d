/**
 * Weights a fixed-point preset cannot represent (NaN, infinity, magnitudes
 * near float32's limit, as bit flips in a model file make them) are refused
 * by compile in one line naming the node, and leave no project; fp32 keeps
 * them, as ONNX Runtime would compute with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx } from '../frontend/onnx-proto.js';
import { ROOT, expectCleanFailure, llm2hls, tempDir } from './helpers/cli.js';

const GPT2 = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini.onnx');

/** gpt2_mini with element 10 of an initializer (default its token embedding) set to `value`. */
function withWeight(value: number, initializer = 'wte.weight'): string {
  const m = onnx.ModelProto.decode(fs.readFileSync(GPT2));
  const wte = m.graph!.initializer!.find((t) => t.name === initializer)!;
  const bytes = Buffer.from(wte.rawData!);
  bytes.writeFloatLE(value, 40);
  wte.rawData = bytes;
  const file = path.join(tempDir(), `gpt2_${initializer}_${value}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
  return file;
}

describe('weights a fixed-point preset cannot represent', () => {
  for (const [value, exitCode, message] of [
    [Number.NaN, 1, /node '\/wte\/Gather' \(llm\.Embedding\): a weight of channel 0 is NaN: fixed-point precisions need finite weights/],
    [Number.POSITIVE_INFINITY, 1, /node '\/wte\/Gather' \(llm\.Embedding\): a weight of channel 0 is Infinity/],
    [1e37, 3, /node '\/wte\/Gather' \(llm\.Embedding\): a requantization factor of \S+ is beyond the fixed-point formats .*--precision fp32/],
  ] as const) {
    it(`${value}: compile w8a16 refuses it in one line (exit ${exitCode}); fp32 compiles`, async () => {
      const model = withWeight(value);
      const dir = path.join(tempDir(), 'p');
      const r = await llm2hls('compile', model, '-o', dir, '--precision', 'w8a16');
      expectCleanFailure(r, message, expect);
      expect(r.exitCode).toBe(exitCode);
      expect(fs.existsSync(dir)).toBe(false);
      expect((await llm2hls('run', model, '--inputs', path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_data'), '--out', path.join(tempDir(), 'o'), '--precision', 'w4a16')).exitCode).toBe(exitCode);
      expect((await llm2hls('compile', model, '-o', path.join(tempDir(), 'f'), '--precision', 'fp32')).exitCode).toBe(0);
    });
  }

  // Parameters other than weights: a norm's gamma/beta and a linear's bias (fuzz seed 4 found a NaN
  // LayerNorm bias making compile fail with an internal error).
  for (const [initializer, message] of [
    ['blocks.0.ln1.bias', /\(llm\.LayerNorm\): beta\[10\] is NaN: fixed-point precisions need finite parameters/],
    ['blocks.0.ln1.weight', /\(llm\.LayerNorm\): gamma\[10\] is NaN/],
    ['blocks.0.fc.bias', /\(llm\.Linear\): bias\[10\] is NaN/],
  ] as const) {
    it(`NaN in ${initializer}: compile w8a16 refuses it in one line naming the node; fp32 compiles`, async () => {
      const model = withWeight(Number.NaN, initializer);
      const dir = path.join(tempDir(), 'p');
      const r = await llm2hls('compile', model, '-o', dir, '--precision', 'w8a16');
      expectCleanFailure(r, message, expect);
      expect(r.exitCode).toBe(1);
      expect(fs.existsSync(dir)).toBe(false);
      expect((await llm2hls('compile', model, '-o', path.join(tempDir(), 'f'), '--precision', 'fp32')).exitCode).toBe(0);
    });
  }
});
