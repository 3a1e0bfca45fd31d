/**
 * The helper worker's thread (protocol and purpose: helper-worker.ts). It runs
 * the main thread's own kernels on the same bytes of the model file, so its
 * results are the bytes the main thread would produce.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { FileRows, HelperReply, HelperRequest, MaxAbsJob, STAGE_MAX, WriteJob, readRange, spanOf } from './helper-worker.js';
import type { StridedRows } from './tensor.js';
import { linearStripesWorker } from './kernels/linear-simd.js';
import { channelMaxAbsSimd } from './numerics/maxabs-simd.js';
import { quantizeRowsSimdBlocks, quantizeTransposedSimdBlocks } from './numerics/quantize-simd.js';

const port = parentPort!;
const reply = (m: HelperReply) => port.postMessage(m);

port.on('message', (req: HelperRequest) => {
  if (req.kind === 'linear') {
    // All of W when it fits the staging buffer, else each claimed unit's columns (the LM head).
    const rows = req.unit === 1 ? staged(req.w, req.K, req.N) : (j0: number, j1: number) => ({ ...stagedColumns(req.w, req.K, j0, j1), col0: j0 });
    if (rows) linearStripesWorker(req, rows); // else this thread claims no stripe: the main thread computes them all
    return;
  }
  if (req.kind === 'maxabs') {
    const flags = new Int32Array(req.done);
    req.jobs.forEach((j, i) => {
      let ok = false;
      try {
        ok = maxAbsJob(j, new Float64Array(req.results, j.at * 8, j.axis === 1 ? j.C : j.R));
      } catch {
        ok = false;
      }
      Atomics.store(flags, i, ok ? 1 : 2);
      Atomics.notify(flags, i);
    });
    return;
  }
  const out = new Map<string, number>();
  try {
    for (const j of req.jobs) {
      let fd = out.get(j.file);
      if (fd === undefined) { fd = fs.openSync(j.file, 'r+'); out.set(j.file, fd); }
      if (j.layout === 'rows') {
        // Each row is quantized on its own (its own scale), so blocks of rows give the same bytes.
        const block = Math.max(1, Math.floor((4 << 20) / j.rows.stride));
        for (let r0 = 0; r0 < j.R; r0 += block) {
          const n = Math.min(j.R, r0 + block) - r0;
          const rows = staged({ ...j.rows, offset: j.rows.offset + r0 * j.rows.stride }, n, j.C)!;
          writeJob(fd, rows, { ...j, position: j.position + r0 * j.C, R: n, scale: j.scale.subarray(r0, r0 + n) });
        }
        continue;
      }
      const rows = staged(j.rows, j.R, j.C);
      if (!rows) throw new Error(`weight of ${spanOf(j.rows, j.R, j.C)} bytes exceeds the staging limit`);
      writeJob(fd, rows, j);
    }
    reply({ kind: 'done' });
  } catch (e) {
    reply({ kind: 'error', message: (e as Error).message });
  } finally {
    for (const fd of out.values()) fs.closeSync(fd);
  }
});

let stage = Buffer.alloc(0);
const inputs = new Map<string, number>();

/** Rows [0, R) of C float32 at `rows` in the model file, read into the staging buffer (undefined when larger than STAGE_MAX). */
function staged(rows: FileRows, R: number, C: number): StridedRows | undefined {
  const n = spanOf(rows, R, C);
  if (n > STAGE_MAX) return undefined;
  if (stage.length < n) stage = Buffer.allocUnsafeSlow(Math.max(n, 4 << 20));
  let fd = inputs.get(rows.file);
  if (fd === undefined) { fd = fs.openSync(rows.file, 'r'); inputs.set(rows.file, fd); }
  readRange(fd, stage, 0, n, rows.offset);
  return { bytes: new Uint8Array(stage.buffer, stage.byteOffset, n), stride: rows.stride, offset: 0 };
}

/** Columns [j0, j1) of R rows of float32 at `rows` in the model file, read row by row into the staging buffer (packed rows). */
function stagedColumns(rows: FileRows, R: number, j0: number, j1: number): StridedRows {
  const w = (j1 - j0) * 4, n = R * w;
  if (n > STAGE_MAX) throw new Error(`a block of ${n} bytes exceeds the staging limit`);
  if (stage.length < n) stage = Buffer.allocUnsafeSlow(Math.max(n, 4 << 20));
  let fd = inputs.get(rows.file);
  if (fd === undefined) { fd = fs.openSync(rows.file, 'r'); inputs.set(rows.file, fd); }
  for (let r = 0; r < R; r++) readRange(fd, stage, r * w, (r + 1) * w, rows.offset + r * rows.stride + j0 * 4);
  return { bytes: new Uint8Array(stage.buffer, stage.byteOffset, n), stride: w, offset: 0 };
}

/** channelMaxAbsSimd of a job, in blocks of rows read from the model file. */
function maxAbsJob(j: MaxAbsJob, m: Float64Array): boolean {
  const block = Math.max(1, Math.floor((4 << 20) / j.rows.stride));
  for (let r0 = 0; r0 < j.R; r0 += block) {
    const n = Math.min(j.R, r0 + block) - r0;
    const rows = staged({ ...j.rows, offset: j.rows.offset + r0 * j.rows.stride }, n, j.C);
    // The maxima of blocks merge exactly (max is exact, NaN ignored either way).
    if (!rows || !channelMaxAbsSimd(rows, n, j.C, j.axis, j.axis === 1 ? m : m.subarray(r0, r0 + n))) return false;
  }
  return true;
}

function writeJob(fd: number, rows: StridedRows, j: WriteJob): void {
  const blocks = j.layout === 'transposed'
    ? quantizeTransposedSimdBlocks(rows, j.scale, j.qmax, j.R, j.C)
    : quantizeRowsSimdBlocks(rows, j.scale, j.qmax, j.R, j.C);
  if (!blocks) throw new Error('the WebAssembly SIMD kernels are unavailable');
  let pos = j.position;
  for (const b of blocks) {
    for (let done = 0; done < b.length;) done += fs.writeSync(fd, b, done, b.length - done, pos + done);
    pos += b.length;
    reply({ kind: 'progress', bytes: b.length });
  }
  if (pos - j.position !== j.R * j.C) throw new Error(`wrote ${pos - j.position} bytes, expected ${j.R * j.C}`);
}
