/**
 * A model's fingerprint: sha256 over the model file and the external-data
 * files it names, so that a compiled project can tell whether it is being
 * simulated against the model it was built from. Files are streamed in
 * 8 MiB pieces (constant memory for a 650 MB model; about 0.5 s of hashing
 * there). External-data locations are found while streaming, from their
 * protobuf encoding (StringStringEntryProto { key: "location", value }),
 * and kept when they name a file inside the model's folder, the rule
 * frontend/external-data.ts enforces when the model loads.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../compiler/errors.js';

const CHUNK = 8 << 20;
/** key field (1, length-delimited), length 8, "location", value field (2, length-delimited). */
const LOCATION_KEY = Buffer.from('\x0a\x08location\x12', 'latin1');
const MAX_LOCATION = 4096;

/** Streams `file` into `hash`; calls `scan` on each piece with the bytes before it kept for matches across pieces. */
function streamFile(file: string, hash: crypto.Hash, scan?: (bytes: Buffer) => void): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n <= 0) break;
      const piece = buf.subarray(0, n);
      hash.update(piece);
      if (scan) {
        const window = Buffer.concat([carry, piece]);
        scan(window);
        carry = Buffer.from(window.subarray(Math.max(0, window.length - (LOCATION_KEY.length + 2 + MAX_LOCATION))));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The external-data locations encoded in `bytes` (complete entries only). */
function locationsIn(bytes: Buffer, into: Set<string>): void {
  for (let at = bytes.indexOf(LOCATION_KEY); at >= 0; at = bytes.indexOf(LOCATION_KEY, at + 1)) {
    let p = at + LOCATION_KEY.length, len = 0, shift = 0;
    while (p < bytes.length && shift < 21) {
      const b = bytes[p++];
      len |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (len > 0 && len <= MAX_LOCATION && p + len <= bytes.length) into.add(bytes.toString('utf8', p, p + len));
  }
}

export interface ModelFingerprint {
  /** `sha256:<hex>` over the model file and its external-data files. */
  sha256: string;
  /** The external-data files hashed, relative to the model's folder, sorted. */
  externalFiles: string[];
}

export function modelFingerprint(modelPath: string): ModelFingerprint {
  let dir: string;
  try {
    dir = fs.realpathSync(path.dirname(path.resolve(modelPath)));
    if (!fs.statSync(modelPath).isFile()) throw new Error('not a file');
  } catch {
    throw new UserError(`${modelPath}: no such model file`);
  }
  const hash = crypto.createHash('sha256');
  const locations = new Set<string>();
  streamFile(modelPath, hash, (bytes) => locationsIn(bytes, locations));
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
  for (const loc of externalFiles) {
    hash.update(`\0${loc}\0`);
    streamFile(path.join(dir, loc), hash);
  }
  return { sha256: `sha256:${hash.digest('hex')}`, externalFiles };
}
