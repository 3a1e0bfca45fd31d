/**
 * A model's fingerprint: sha256 over the model file and the external-data
 * files it names, so that a compiled project can tell whether it is being
 * simulated against the model it was built from.
 *
 * Cheap for a 650 MB model: the external-data locations come from a walk of
 * the protobuf's field headers (ModelProto.graph -> initializers, node
 * attributes, subgraphs -> TensorProto.external_data) that skips every
 * payload, and the bytes are streamed in 8 MiB pieces (constant memory)
 * into the hash, for a large model in a worker thread while the caller goes
 * on with its own work (about 0.5-1.4 s for 650 MB on the second core).
 * Locations are kept when they name a file inside the model's folder, the
 * rule frontend/external-data.ts enforces when the model loads.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../compiler/errors.js';

export interface ModelFingerprint {
  /** `sha256:<hex>` over the model file and its external-data files. */
  sha256: string;
  /** The external-data files hashed, relative to the model's folder, sorted. */
  externalFiles: string[];
}

/** Positioned reads of a file through a small window: varints and short strings without reading what is skipped. */
class FileReader {
  private window = Buffer.alloc(0);
  private at = 0;
  constructor(private readonly fd: number, readonly size: number) {}
  byte(pos: number): number {
    if (pos < this.at || pos >= this.at + this.window.length) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 16, this.size - pos));
      const n = fs.readSync(this.fd, buf, 0, buf.length, pos);
      this.window = buf.subarray(0, n);
      this.at = pos;
      if (n <= 0) throw new Error('truncated');
    }
    return this.window[pos - this.at];
  }
  varint(pos: number): [number, number] {
    let value = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(pos + i);
      value += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return [value, pos + i + 1];
    }
    throw new Error('bad varint');
  }
  text(pos: number, len: number): string {
    const buf = Buffer.allocUnsafe(len);
    fs.readSync(this.fd, buf, 0, len, pos);
    return buf.toString('utf8');
  }
}

/** Calls `onField(field, start, end)` for each length-delimited field of the message at [start, end). */
function fields(r: FileReader, start: number, end: number, onField: (field: number, start: number, end: number) => void): void {
  for (let p = start; p < end;) {
    const [key, q] = r.varint(p);
    const field = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) p = r.varint(q)[1];
    else if (wire === 1) p = q + 8;
    else if (wire === 5) p = q + 4;
    else if (wire === 2) {
      const [len, s] = r.varint(q);
      if (s + len > end) throw new Error('truncated');
      onField(field, s, s + len);
      p = s + len;
    } else throw new Error(`wire type ${wire}`);
  }
}

/** ONNX field numbers (onnx.proto3) of the messages that can hold tensors. */
const TENSOR_EXTERNAL_DATA = 13, ENTRY_KEY = 1, ENTRY_VALUE = 2;
const GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_SPARSE_INITIALIZER = 15;
const NODE_ATTRIBUTE = 5, ATTR_T = 5, ATTR_G = 6, ATTR_TENSORS = 10, ATTR_GRAPHS = 11, ATTR_SPARSE = 22, ATTR_SPARSES = 23;
const SPARSE_VALUES = 1, SPARSE_INDICES = 2, MODEL_GRAPH = 7;

function externalLocations(r: FileReader): Set<string> {
  const found = new Set<string>();
  const tensor = (s: number, e: number) => fields(r, s, e, (f, a, b) => {
    if (f !== TENSOR_EXTERNAL_DATA) return;
    let key = '', value = '';
    fields(r, a, b, (g, x, y) => {
      if (y - x > 4096) return;
      if (g === ENTRY_KEY) key = r.text(x, y - x);
      else if (g === ENTRY_VALUE) value = r.text(x, y - x);
    });
    if (key === 'location' && value) found.add(value);
  });
  const sparse = (s: number, e: number) => fields(r, s, e, (f, a, b) => { if (f === SPARSE_VALUES || f === SPARSE_INDICES) tensor(a, b); });
  const graph = (s: number, e: number): void => fields(r, s, e, (f, a, b) => {
    if (f === GRAPH_INITIALIZER) tensor(a, b);
    else if (f === GRAPH_SPARSE_INITIALIZER) sparse(a, b);
    else if (f === GRAPH_NODE) {
      fields(r, a, b, (g, x, y) => {
        if (g !== NODE_ATTRIBUTE) return;
        fields(r, x, y, (h, u, v) => {
          if (h === ATTR_T || h === ATTR_TENSORS) tensor(u, v);
          else if (h === ATTR_G || h === ATTR_GRAPHS) graph(u, v);
          else if (h === ATTR_SPARSE || h === ATTR_SPARSES) sparse(u, v);
        });
      });
    }
  });
  fields(r, 0, r.size, (f, a, b) => { if (f === MODEL_GRAPH) graph(a, b); });
  return found;
}

interface HashInput { file: string; label: string }

/**
 * sha256 of the files one after the other, each after its label, in 8 MiB pieces. Self-contained
 * (modules as arguments): its source is also the worker's.
 */
function hashFiles(files: readonly HashInput[], fsm: typeof fs, cryptom: typeof import('node:crypto')): string {
  const hash = cryptom.createHash('sha256');
  const buf = Buffer.allocUnsafe(8 << 20);
  for (const { file, label } of files) {
    hash.update(label);
    const fd = fsm.openSync(file, 'r');
    try {
      for (let n; (n = fsm.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
    } finally {
      fsm.closeSync(fd);
    }
  }
  return hash.digest('hex');
}

const HASH_WORKER = `
import fs from 'node:fs';
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
const hashFiles = ${hashFiles.toString()};
parentPort.postMessage(hashFiles(workerData, fs, crypto));
`;

/** Below this many bytes the files are hashed at once (a worker takes ~0.1 s to start). */
const WORKER_MIN_BYTES = 64 << 20;

/** A fingerprint being computed: `result()` waits for it (the worker does not keep the process alive before that). */
export interface PendingFingerprint { result(): Promise<ModelFingerprint> }

/**
 * Starts fingerprinting MODEL. A path that is not a readable file is reported by result() (loading the
 * model, which callers do meanwhile, names the problem first).
 */
export function startModelFingerprint(modelPath: string): PendingFingerprint {
  let dir: string, fd: number;
  try {
    dir = fs.realpathSync(path.dirname(path.resolve(modelPath)));
    if (!fs.statSync(modelPath).isFile()) throw new Error('not a file');
    fd = fs.openSync(modelPath, 'r');
  } catch {
    return { result: () => Promise.reject(new UserError(`${modelPath}: no such model file`)) };
  }
  let locations = new Set<string>();
  try {
    locations = externalLocations(new FileReader(fd, fs.fstatSync(fd).size));
  } catch {
    // Not a well-formed protobuf: the model's own bytes are its fingerprint (loading it reports the error).
  } finally {
    fs.closeSync(fd);
  }
  const externalFiles = [...locations].filter((loc) => {
    if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) return false;
    try {
      const real = fs.realpathSync(path.join(dir, loc));
      const rel = path.relative(dir, real);
      return rel !== '' && !rel.startsWith('..') && fs.statSync(real).isFile();
    } catch {
      return false;
    }
  }).sort();
  const files = [{ file: path.resolve(modelPath), label: '' }, ...externalFiles.map((loc) => ({ file: path.join(dir, loc), label: `\0${loc}\0` }))];
  const total = files.reduce((n, f) => n + fs.statSync(f.file).size, 0);
  if (total < WORKER_MIN_BYTES) {
    let sha256: string;
    try {
      sha256 = `sha256:${hashFiles(files, fs, crypto)}`;
    } catch (e) {
      return { result: () => Promise.reject(new UserError(`${modelPath}: cannot read the model to fingerprint it (${(e as Error).message})`)) };
    }
    return { result: async () => ({ sha256, externalFiles }) };
  }
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(HASH_WORKER)}`), { workerData: files });
  worker.unref();
  const hex = new Promise<string>((resolve, reject) => {
    worker.once('message', (h: string) => resolve(h));
    worker.once('error', (e) => reject(new UserError(`${modelPath}: cannot read the model to fingerprint it (${e.message})`)));
  });
  hex.catch(() => undefined); // reported by result(); a caller that fails first never asks
  return {
    async result() {
      worker.ref();
      try {
        return { sha256: `sha256:${await hex}`, externalFiles };
      } finally {
        worker.unref();
      }
    },
  };
}

export function modelFingerprint(modelPath: string): Promise<ModelFingerprint> {
  return startModelFingerprint(modelPath).result();
}
