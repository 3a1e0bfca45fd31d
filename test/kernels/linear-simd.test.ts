import { describe, expect, it } from 'vitest';
import { linearSimd, linearStripesWorker, setLinearHelper } from '../../compiler/kernels/linear-simd.js';
import { HELPER_MIN_BYTES, registerModelFile } from '../../compiler/helper-worker.js';

/** The scalar llm.Linear arithmetic: float64 sums in k order from 0, then + bias. */
function reference(x: Float32Array, w: Float32Array, b: Float32Array | undefined, rows: number, K: number, N: number): Float32Array {
  const out = new Float32Array(rows * N), acc = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) { const xv = x[r * K + k]; for (let j = 0; j < N; j++) acc[j] += xv * w[k * N + j]; }
    for (let j = 0; j < N; j++) out[r * N + j] = b ? acc[j] + b[j] : acc[j];
  }
  return out;
}

describe('linearSimd', () => {
  it('is bit-identical to the scalar float64 kernel, with W bytes at any alignment', () => {
    let s = 7;
    const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    for (const [rows, K, N] of [[1, 1, 1], [3, 5, 7], [4, 64, 64], [13, 70, 131], [16, 96, 257]]) {
      const x = Float32Array.from({ length: rows * K }, () => rand() * 1e3);
      const w = Float32Array.from({ length: K * N }, () => rand() * 1e-2);
      const b = Float32Array.from({ length: N }, () => rand());
      const bytes = new Uint8Array(K * N * 4 + 3);
      bytes.set(new Uint8Array(w.buffer), 3); // misaligned, like a weight inside an ONNX file
      for (const bias of [b, undefined]) {
        const out = new Float32Array(rows * N);
        expect(linearSimd(x, bytes.subarray(3), bias, out, rows, K, N, (v) => v)).toBe(true);
        const ref = reference(x, w, bias, rows, K, N);
        expect(Buffer.from(out.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      }
    }
  });

  it('reads W as a column slice of a wider matrix (strided rows)', () => {
    const rows = 5, K = 9, N = 13, W = 40, from = 7;
    const wide = Float32Array.from({ length: K * W }, (_, i) => ((i * 37) % 101) / 50 - 1);
    const w = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) w[k * N + j] = wide[k * W + from + j];
    const x = Float32Array.from({ length: rows * K }, (_, i) => ((i * 13) % 17) - 8);
    const bytes = new Uint8Array(wide.byteLength + 1);
    bytes.set(new Uint8Array(wide.buffer), 1);
    const out = new Float32Array(rows * N);
    expect(linearSimd(x, { bytes: bytes.subarray(1), stride: W * 4, offset: from * 4 }, undefined, out, rows, K, N, (v) => v)).toBe(true);
    expect(Buffer.from(out.buffer).equals(Buffer.from(reference(x, w, undefined, rows, K, N).buffer))).toBe(true);
  });
});

describe('linearSimd with the helper worker\'s stripes (compiler/helper-worker.ts)', () => {
  it('gives the same bits whichever thread computes which stripes', () => {
    // A large model file's buffer (registered like loadOnnxFile does) holding a misaligned W.
    const file = Buffer.alloc(HELPER_MIN_BYTES);
    registerModelFile(file, 'model.onnx');
    let s = 11;
    const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    const rows = 5, K = 33, N = 64 * 9 + 5;
    const x = Float32Array.from({ length: rows * K }, () => rand() * 1e3);
    const w = Float32Array.from({ length: K * N }, () => rand() * 1e-2);
    const b = Float32Array.from({ length: N }, () => rand());
    file.set(new Uint8Array(w.buffer), 1001);
    const wRows = { bytes: file.subarray(1001, 1001 + K * N * 4), stride: N * 4, offset: 0 };
    const ref = reference(x, w, b, rows, K, N);
    // The stand-in "worker" claims every stripe (synchronously, before the caller) or none.
    for (const claim of ['all', 'none'] as const) {
      let posted = 0;
      setLinearHelper((req) => {
        posted++;
        expect(req.w).toEqual({ file: 'model.onnx', offset: 1001, stride: N * 4 });
        if (claim === 'none') return;
        expect(linearStripesWorker(req, wRows)).toBe(true);
      });
      try {
        const out = new Float32Array(rows * N);
        expect(linearSimd(x, wRows, b, out, rows, K, N, (v) => v)).toBe(true);
        expect(posted).toBe(1);
        expect(Buffer.from(out.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      } finally {
        setLinearHelper(undefined);
      }
    }
  });

  it('gives the same bits when stripes are claimed in units and the worker stages each unit\'s columns', () => {
    const file = Buffer.alloc(HELPER_MIN_BYTES);
    registerModelFile(file, 'model.onnx');
    let s = 13;
    const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    const rows = 6, K = 17, N = 64 * 10 + 3;
    const x = Float32Array.from({ length: rows * K }, () => rand() * 1e3);
    const w = Float32Array.from({ length: K * N }, () => rand() * 1e-2);
    const b = Float32Array.from({ length: N }, () => rand());
    file.set(new Uint8Array(w.buffer), 2003);
    const wRows = { bytes: file.subarray(2003, 2003 + K * N * 4), stride: N * 4, offset: 0 };
    const ref = reference(x, w, b, rows, K, N);
    // Columns [j0, j1) packed into a fresh buffer, as the worker reads them from the file (helper-worker-main.ts).
    const stage = (j0: number, j1: number) => {
      const n = (j1 - j0) * 4, bytes = new Uint8Array(K * n);
      for (let k = 0; k < K; k++) bytes.set(file.subarray(2003 + k * N * 4 + j0 * 4, 2003 + k * N * 4 + j1 * 4), k * n);
      return { bytes, stride: n, offset: 0, col0: j0 };
    };
    for (const claim of ['all', 'none'] as const) {
      setLinearHelper((req) => {
        req.unit = 3; // both threads claim units of 3 stripes (a W too large to stage whole)
        if (claim === 'all') expect(linearStripesWorker(req, stage)).toBe(true);
      });
      try {
        const out = new Float32Array(rows * N);
        expect(linearSimd(x, wRows, b, out, rows, K, N, (v) => v)).toBe(true);
        expect(Buffer.from(out.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      } finally {
        setLinearHelper(undefined);
      }
    }
  });
});
