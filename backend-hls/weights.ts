/**
 * Weights go to binary files, one per memory bundle, never into C array
 * literals: each tensor is written in chunks at its 64-byte aligned offset
 * (little-endian, in the format the manifest names), so a model of any size
 * is written with bounded memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BundleInfo, FORMAT_BYTES, WeightChunk, WeightEntry } from './emit.js';
import { Helper, WriteJob } from '../compiler/helper-worker.js';
import type { SharedQuantJob } from '../compiler/numerics/quantize.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface WeightProgress { (writtenBytes: number, totalBytes: number): void }

export interface WriteWeightsOptions {
  onProgress?: WeightProgress;
  /** Awaited every few megabytes: lets signals in (and throws when one arrived). */
  pause?: () => Promise<void>;
}

const PAUSE_BYTES = 8 << 20;
/** About what the worker's start-up costs, in bytes of int8 weights written (startWriter). */
const WORKER_HEAD_START = 12 << 20;

/** Writes DIR/<bundle>.bin for every bundle; returns the total bytes written. */
export async function writeWeightFiles(dir: string, bundles: readonly BundleInfo[], weights: readonly WeightEntry[], options: WriteWeightsOptions = {}): Promise<number> {
  const { onProgress, pause } = options;
  let sincePause = 0;
  fs.mkdirSync(dir, { recursive: true });
  const total = bundles.reduce((s, b) => s + b.bytes, 0);
  let written = 0;
  // Every file exists (empty) before the helper worker opens any of them.
  for (const bundle of bundles) fs.closeSync(fs.openSync(path.join(dir, bundle.file), 'w'));
  const helper = startWriter(dir, bundles, weights, (n) => { written += n; onProgress?.(written, total); });
  try {
    for (const bundle of bundles) {
      const out = new SequentialWriter(fs.openSync(path.join(dir, bundle.file), 'r+'));
      try {
        const entries = weights.filter((w) => w.bundle === bundle.name).sort((a, b) => a.offset - b.offset);
        for (const w of entries) {
          if (w.offset > out.pos) { written += w.offset - out.pos; out.zeros(w.offset - out.pos); }
          if (helper?.theirs.has(w)) { out.skip(w.bytes); continue; } // the worker writes these bytes
          let n = 0;
          for (const chunk of w.chunks()) {
            const bytes = toLittleEndian(chunk);
            out.write(bytes);
            n += bytes.length / FORMAT_BYTES[w.format]; written += bytes.length;
            onProgress?.(written, total);
            sincePause += bytes.length;
            if (pause && sincePause >= PAUSE_BYTES) { sincePause = 0; out.flush(); await pause(); }
          }
          if (n !== w.count) throw new Error(`weight ${w.original}: wrote ${n} elements, expected ${w.count}`);
        }
        if (out.pos < bundle.bytes) { written += bundle.bytes - out.pos; out.zeros(bundle.bytes - out.pos); }
        out.flush();
      } finally {
        fs.closeSync(out.fd);
      }
    }
    if (helper) {
      // Signals still get in while waiting for the worker's share.
      let finished = false;
      void helper.done.then(() => { finished = true; }, () => { finished = true; });
      while (!finished) { await Promise.race([helper.done, new Promise((r) => setTimeout(r, 50))]); if (pause) await pause(); }
      await helper.done;
    }
  } finally {
    await helper?.helper.close();
  }
  onProgress?.(written, total);
  return written;
}

/**
 * Hands about half of a large model's int8 weights (by bytes) to the helper worker
 * (compiler/helper-worker.ts), which quantizes and writes them at their offsets while this
 * thread writes the rest: the same kernels on the same bytes, so the files are identical.
 * Undefined (this thread writes everything) for small models or without a worker.
 */
function startWriter(dir: string, bundles: readonly BundleInfo[], weights: readonly WeightEntry[], onBytes: (n: number) => void):
  { helper: Helper; theirs: Set<WeightEntry>; done: Promise<void> } | undefined {
  const fileOf = new Map(bundles.map((b) => [b.name, path.join(dir, b.file)]));
  const candidates: { w: WeightEntry; job: SharedQuantJob }[] = [];
  for (const w of weights) {
    const job = w.bytes > 0 ? w.shared?.() : undefined;
    if (job && fileOf.has(w.bundle)) candidates.push({ w, job });
  }
  if (candidates.length === 0) return undefined;
  // Largest first, each to the side with fewer bytes so far (this thread also writes everything else,
  // e.g. weights too large for the worker's staging buffer).
  candidates.sort((a, b) => b.w.bytes - a.w.bytes);
  const theirs = new Set<WeightEntry>();
  const jobs: WriteJob[] = [];
  const offered = new Set(candidates.map((c) => c.w));
  // The worker starts its share behind this thread (starting it, opening and reading the file), so it
  // counts as WORKER_HEAD_START bytes ahead.
  let mine = weights.reduce((n, w) => n + (offered.has(w) ? 0 : w.bytes), 0), other = WORKER_HEAD_START;
  for (const { w, job } of candidates) {
    if (other >= mine) { mine += w.bytes; continue; }
    other += w.bytes;
    theirs.add(w);
    jobs.push({ ...job, file: fileOf.get(w.bundle)!, position: w.offset });
  }
  if (jobs.length === 0) return undefined;
  const helper = Helper.start();
  if (!helper) return undefined;
  const done = helper.write(jobs, onBytes);
  done.catch(() => {}); // awaited by the caller; never an unhandled rejection if this thread fails first
  return { helper, theirs, done };
}

/** Large sequential writes: small pieces are gathered into a staging buffer, large ones written directly. */
class SequentialWriter {
  private static readonly SIZE = 4 << 20;
  private buf = Buffer.allocUnsafe(SequentialWriter.SIZE);
  private used = 0;
  pos = 0;
  constructor(readonly fd: number) {}

  write(bytes: Uint8Array): void {
    if (bytes.length >= SequentialWriter.SIZE / 2) { this.flush(); writeAll(this.fd, bytes, this.pos); this.pos += bytes.length; return; }
    if (this.used + bytes.length > SequentialWriter.SIZE) this.flush();
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
    this.pos += bytes.length;
  }

  zeros(n: number): void {
    for (let left = n; left > 0;) {
      if (this.used === SequentialWriter.SIZE) this.flush();
      const m = Math.min(left, SequentialWriter.SIZE - this.used);
      this.buf.fill(0, this.used, this.used + m);
      this.used += m; left -= m; this.pos += m;
    }
  }

  /** Leaves n bytes as they are (another thread writes them). */
  skip(n: number): void {
    this.flush();
    this.pos += n;
  }

  flush(): void {
    // Positioned writes: the staged bytes end at pos (skip() may have moved past bytes written by the helper worker).
    if (this.used) writeAll(this.fd, this.buf.subarray(0, this.used), this.pos - this.used);
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** A chunk's bytes in little-endian order (raw Uint8Array chunks already are: file bytes). */
function toLittleEndian(chunk: WeightChunk): Uint8Array {
  const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (LITTLE_ENDIAN || chunk.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  const n = chunk.BYTES_PER_ELEMENT;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk instanceof Float32Array) view.setFloat32(i * n, chunk[i], true);
    else if (chunk instanceof Int16Array) view.setInt16(i * n, chunk[i], true);
    else if (chunk instanceof Int32Array) view.setInt32(i * n, chunk[i], true);
    else if (chunk instanceof BigInt64Array) view.setBigInt64(i * n, chunk[i], true);
  }
  return out;
}
