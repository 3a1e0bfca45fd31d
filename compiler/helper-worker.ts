/**
 * The second core for large models (docs/performance.md): one worker_threads
 * worker (helper-worker-main.ts) runs the main thread's own kernels on a
 * model file of at least HELPER_MIN_BYTES:
 *
 *  - 'maxabs': the per-channel max |w| of the weights (the quantization
 *    scales) while the main thread calibrates; the main thread blocks on a
 *    shared flag (Atomics.wait) only when it needs a result not ready yet.
 *  - 'linear': about half of each calibration Linear's 64-column stripes,
 *    claimed one at a time from a shared counter (kernels/linear-simd.ts); for a W
 *    larger than the staging buffer (the LM head), a unit of stripes at a time,
 *    whose columns the worker reads from the file row by row.
 *  - 'write': quantize (and transpose) some int8 weights and write them at
 *    their offsets in the bundle files, while the main thread writes the rest.
 *
 * The worker reads the weights' bytes from the model file itself (positioned
 * reads: the file was just read, so they come from the page cache), not from
 * a SharedArrayBuffer: V8 copies out of one with relaxed atomics, 3-13x slower
 * than memcpy here, and every kernel copies its weights into WebAssembly
 * memory (the main thread's copies would pay that too). It runs the same
 * kernels on the same bytes, so every result is identical to the
 * single-threaded one. Without a worker (small models, which so pay no
 * start-up; the worker script missing, e.g. under vitest, which runs the .ts
 * sources) the main thread does everything itself. Callers terminate the
 * worker when their step ends, errors and interrupts included, so none
 * outlives a compile.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StridedRows } from './tensor.js';
import type { LinearStripesRequest } from './kernels/linear-simd.js';

/**
 * Model files from this size on use the helper worker. Starting one costs ~50 ms of the
 * second core; below this size the work it could take is not worth it.
 */
export const HELPER_MIN_BYTES = 64 << 20;

/** A weight's float32 rows in the model file: byte offset of row 0 and the row stride. */
export interface FileRows { file: string; offset: number; stride: number }

/** One max |w| pass (channelMaxAbsSimd): results[at .. at + channels) as float64. */
export interface MaxAbsJob { rows: FileRows; R: number; C: number; axis: 0 | 1; at: number }

/** One int8 weight written at `position` of `file`: W [R, C] transposed to [C][R] ('transposed') or row-major ('rows'). */
export interface WriteJob { file: string; position: number; layout: 'transposed' | 'rows'; rows: FileRows; R: number; C: number; scale: Float64Array; qmax: number }

export type HelperRequest =
  /** done[i]: 0 pending, 1 ready, 2 failed (the main thread then computes job i itself). */
  | { kind: 'maxabs'; jobs: MaxAbsJob[]; results: SharedArrayBuffer; done: SharedArrayBuffer }
  | { kind: 'write'; jobs: WriteJob[] }
  | LinearStripesRequest;

export type HelperReply = { kind: 'progress'; bytes: number } | { kind: 'done' } | { kind: 'error'; message: string };

/** Large model files' buffers (from fs.readFileSync: the whole file) and their paths. */
const modelFiles = new WeakMap<ArrayBufferLike, { file: string; base: number }>();

/** Notes that `bytes` holds all of `file` (only large files: they alone use the helper). */
export function registerModelFile(bytes: Buffer, file: string): void {
  if (bytes.length >= HELPER_MIN_BYTES && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) modelFiles.set(bytes.buffer, { file, base: 0 });
}

/** Where a weight's rows are in a large model file, when they are still the file's bytes. */
export function fileRows(rows: StridedRows | undefined): FileRows | undefined {
  const f = rows ? modelFiles.get(rows.bytes.buffer) : undefined;
  return f && rows ? { file: f.file, offset: rows.bytes.byteOffset - f.base + rows.offset, stride: rows.stride } : undefined;
}

/** The bytes [offset, offset + (R − 1)·stride + C·4) a weight's rows span in the file. */
export function spanOf(rows: FileRows, R: number, C: number): number {
  return R === 0 ? 0 : (R - 1) * rows.stride + C * 4;
}

/** Largest weight span the worker reads into its staging buffer (the main thread keeps larger weights). */
export const STAGE_MAX = 32 << 20;

/** Reads bytes [position, position + to − from) of the open file `fd` into `into`[from, to). */
export function readRange(fd: number, into: Uint8Array, from: number, to: number, position: number): void {
  for (let at = from; at < to;) {
    const n = fs.readSync(fd, into, at, to - at, position + at - from);
    if (n === 0) throw new Error('model file shrank while being read');
    at += n;
  }
}

let script: URL | null | undefined;
function helperScript(): URL | null {
  if (script === undefined) {
    const url = new URL('./helper-worker-main.js', import.meta.url);
    // LLM2HLS_NO_WORKER=1 forces the single-threaded path (tests compare the two).
    const enabled = process.env.LLM2HLS_NO_WORKER !== '1' && typeof SharedArrayBuffer === 'function';
    script = enabled && fs.existsSync(fileURLToPath(url)) ? url : null;
  }
  return script;
}

let starts = 0;
/** How many helper workers this process has started (reported by compile). */
export function helperStarts(): number { return starts; }

/** How long the main thread waits for a result before computing it itself (a stuck or dead worker). */
export const WAIT_MS = 30_000;

/** A running helper worker. */
export class Helper {
  private constructor(private readonly worker: Worker) {}

  static start(): Helper | undefined {
    const url = helperScript();
    if (!url) return undefined;
    try {
      const worker = new Worker(url);
      worker.unref(); // never keeps the process alive
      worker.on('error', () => {}); // a failed worker only means the main thread does the work (see maxAbs, write)
      starts++;
      return new Helper(worker);
    } catch {
      return undefined;
    }
  }

  /**
   * Starts the max |w| passes; `result(i)` returns job i's maxima (waiting for
   * them if needed), or undefined when the worker failed on it.
   */
  maxAbs(jobs: MaxAbsJob[], channels: number): (i: number) => Float64Array | undefined {
    const results = new SharedArrayBuffer(channels * 8), done = new SharedArrayBuffer(Math.max(1, jobs.length) * 4);
    const flags = new Int32Array(done);
    this.worker.postMessage({ kind: 'maxabs', jobs, results, done } satisfies HelperRequest);
    return (i) => {
      if (Atomics.wait(flags, i, 0, WAIT_MS) === 'timed-out' || Atomics.load(flags, i) !== 1) return undefined;
      const j = jobs[i];
      return new Float64Array(results, j.at * 8, j.axis === 1 ? j.C : j.R).slice();
    };
  }

  /** Sends a shared Linear's stripes (linear-simd.ts); the caller waits on the request's own flags. */
  linear(req: LinearStripesRequest): void {
    this.worker.postMessage(req satisfies HelperRequest);
  }

  /** Writes `jobs` (the files exist); `onBytes` reports progress. Rejects on the worker's first error. */
  write(jobs: WriteJob[], onBytes: (n: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.worker.on('message', (m: HelperReply) => {
        if (m.kind === 'progress') onBytes(m.bytes);
        else if (m.kind === 'done') resolve();
        else reject(new Error(`weight writer: ${m.message}`));
      });
      this.worker.on('error', reject);
      this.worker.on('exit', (code) => reject(new Error(`weight writer exited (${code})`)));
      this.worker.postMessage({ kind: 'write', jobs } satisfies HelperRequest);
    });
  }

  /** Stops the worker (whatever it is doing). */
  close(): Promise<number> {
    return this.worker.terminate();
  }
}
