/**
 * Weights go to binary files, one per memory bundle, never into C array
 * literals: each tensor is written in chunks at its 64-byte aligned offset
 * (little-endian, in the format the manifest names), so a model of any size
 * is written with bounded memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BundleInfo, WeightChunk, WeightEntry } from './emit.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface WeightProgress { (writtenBytes: number, totalBytes: number): void }

export interface WriteWeightsOptions {
  onProgress?: WeightProgress;
  /** Awaited every few megabytes: lets signals in (and throws when one arrived). */
  pause?: () => Promise<void>;
}

const PAUSE_BYTES = 8 << 20;

/** Writes DIR/<bundle>.bin for every bundle; returns the total bytes written. */
export async function writeWeightFiles(dir: string, bundles: readonly BundleInfo[], weights: readonly WeightEntry[], options: WriteWeightsOptions = {}): Promise<number> {
  const { onProgress, pause } = options;
  let sincePause = 0;
  fs.mkdirSync(dir, { recursive: true });
  const total = bundles.reduce((s, b) => s + b.bytes, 0);
  let written = 0;
  for (const bundle of bundles) {
    const fd = fs.openSync(path.join(dir, bundle.file), 'w');
    try {
      let pos = 0;
      const entries = weights.filter((w) => w.bundle === bundle.name).sort((a, b) => a.offset - b.offset);
      for (const w of entries) {
        if (w.offset > pos) { fs.writeSync(fd, Buffer.alloc(w.offset - pos)); written += w.offset - pos; pos = w.offset; }
        let n = 0;
        for (const chunk of w.chunks()) {
          const bytes = toLittleEndian(chunk);
          fs.writeSync(fd, bytes);
          pos += bytes.length; n += chunk.length; written += bytes.length;
          onProgress?.(written, total);
          sincePause += bytes.length;
          if (pause && sincePause >= PAUSE_BYTES) { sincePause = 0; await pause(); }
        }
        if (n !== w.count) throw new Error(`weight ${w.original}: wrote ${n} elements, expected ${w.count}`);
      }
      if (pos < bundle.bytes) { fs.writeSync(fd, Buffer.alloc(bundle.bytes - pos)); written += bundle.bytes - pos; }
    } finally {
      fs.closeSync(fd);
    }
  }
  onProgress?.(written, total);
  return written;
}

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
