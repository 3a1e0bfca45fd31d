/**
 * Tensors stored beside the model (ONNX external data). Locations are
 * resolved against the model's folder and refused when they lead outside it,
 * through `..`, an absolute path or a symbolic link. Files are checked when
 * the model loads and read only when a tensor's values are needed, straight
 * into the tensor's own buffer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from './onnx-proto.js';
import { UserError } from '../compiler/errors.js';
import { ExternalReader } from './onnx-tensor.js';

function entry(entries: onnx.IStringStringEntryProto[], key: string): string | undefined {
  return entries.find((e) => e.key === key)?.value ?? undefined;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function externalReader(modelPath: string): ExternalReader {
  const modelDir = fs.realpathSync(path.dirname(path.resolve(modelPath)));
  return (tensorName, entries, byteLength) => {
    const what = `tensor '${tensorName}'`;
    const location = entry(entries, 'location');
    if (!location) throw new UserError(`${what} uses external data without a 'location'`);
    if (path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
      throw new UserError(`${what}: external data location '${location}' is outside the model's folder ${modelDir}; refusing to read it`);
    }
    const file = path.join(modelDir, location);
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      throw new UserError(`${what}: external data file '${location}' not found (looked for ${file})`);
    }
    if (!isInside(modelDir, real)) {
      throw new UserError(`${what}: external data location '${location}' resolves to ${real}, outside the model's folder ${modelDir}; refusing to read it`);
    }
    const offset = Number(entry(entries, 'offset') ?? 0);
    const length = Number(entry(entries, 'length') ?? byteLength);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new UserError(`${what}: external data offset/length are not valid numbers`);
    }
    if (length !== byteLength) {
      throw new UserError(`${what}: external data length ${length} does not match its shape (${byteLength} bytes)`);
    }
    const fileSize = fs.statSync(real).size;
    if (offset + length > fileSize) {
      throw new UserError(`${what}: external data '${location}' is ${fileSize} bytes, too short for offset ${offset} + length ${length}`);
    }
    return () => {
      // Read into an 8-byte aligned buffer of our own: one copy, no staging.
      const bytes = new Uint8Array(new ArrayBuffer(Math.ceil(length / 8) * 8), 0, length);
      const fd = fs.openSync(real, 'r');
      try {
        let done = 0;
        while (done < length) {
          const n = fs.readSync(fd, bytes, done, length - done, offset + done);
          if (n <= 0) throw new UserError(`${what}: external data '${location}' ended early`);
          done += n;
        }
      } finally {
        fs.closeSync(fd);
      }
      return bytes;
    };
  };
}
