/**
 * Writing a project directory atomically and safely:
 *  - everything is rendered into DIR.partial-<pid> and renamed into place
 *    only when complete, so an interrupted compile never leaves a directory
 *    that looks complete (the marker file is the last file written);
 *  - a non-empty DIR that llm2hls did not create (no marker file) is
 *    refused unless `force` is set; DIR itself, its ancestors of the
 *    working directory, `/` and $HOME are always refused;
 *  - only DIR, DIR.partial-<pid> and DIR.old-<pid> are ever removed;
 *  - the folders named in `keep` (the user's own files, e.g. csim/in) move
 *    from the project being replaced into the new one;
 *  - on SIGINT or an error the partial directory is removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError, optionName } from '../compiler/errors.js';

export const MARKER = '.llm2hls-project';

/** Thrown when SIGINT/SIGTERM arrives while a project is being written. */
export class InterruptedError extends UserError {
  constructor(signal: string) {
    super(`interrupted (${signal}); no project was written`, 130);
    this.name = 'InterruptedError';
  }
}

export interface ProjectWriter {
  /** The directory being filled (DIR.partial-<pid>). */
  readonly root: string;
  writeFile(rel: string, content: string | Uint8Array): void;
  /** Throws InterruptedError once a signal has arrived; long writers call it between chunks. */
  checkInterrupt(): void;
  /** Lets pending signals be delivered, then checks. */
  yieldToSignals(): Promise<void>;
}

export interface WriteProjectOptions {
  force?: boolean;
  /** Contents of the marker file. */
  marker?: Record<string, unknown>;
  /** Folders (relative paths) carried over from the project being replaced. */
  keep?: string[];
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Checks DIR may be (re)written; returns true when it exists. */
export function checkTarget(dir: string, force: boolean): boolean {
  const target = path.resolve(dir);
  const home = os.homedir();
  if (target === path.parse(target).root || target === home) throw new UserError(`${optionName('out', '-o')} ${dir}: refusing to write a project into ${target}`);
  if (isInside(process.cwd(), target)) throw new UserError(`${optionName('out', '-o')} ${dir}: refusing to replace the working directory or one of its parents`);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) throw new UserError(`${optionName('out', '-o')} ${dir}: exists and is not a directory`);
  const entries = fs.readdirSync(target);
  if (entries.length > 0 && !entries.includes(MARKER) && !force) {
    throw new UserError(`${optionName('out', '-o')} ${dir}: directory is not empty and was not created by llm2hls (no ${MARKER}); use ${optionName('force', '--force')} to replace it`);
  }
  return true;
}

/** Moves the folders `keep` (relative paths) from the old project into the new one; returns those moved. */
function carryOver(from: string, to: string, keep: readonly string[]): string[] {
  const moved: string[] = [];
  for (const rel of keep) {
    const src = path.join(from, rel), dst = path.join(to, rel);
    if (!isInside(src, from) || !fs.existsSync(src) || fs.lstatSync(src).isSymbolicLink()) continue;
    fs.rmSync(dst, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.renameSync(src, dst);
    moved.push(rel);
  }
  return moved;
}

export async function writeProject(dir: string, fill: (w: ProjectWriter) => Promise<void>, options: WriteProjectOptions = {}): Promise<string> {
  const target = path.resolve(dir);
  checkTarget(target, options.force ?? false);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial);

  let signal: string | undefined;
  const onSignal = (s: NodeJS.Signals) => { signal = s; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const writer: ProjectWriter = {
    root: partial,
    writeFile(rel, content) {
      const file = path.join(partial, rel);
      if (!isInside(file, partial)) throw new Error(`project file outside the project: ${rel}`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    checkInterrupt() { if (signal) throw new InterruptedError(signal); },
    async yieldToSignals() {
      await new Promise((r) => setImmediate(r));
      if (signal) throw new InterruptedError(signal);
    },
  };
  try {
    await fill(writer);
    await writer.yieldToSignals();
    writer.writeFile(MARKER, `${JSON.stringify({ tool: 'llm2hls', ...(options.marker ?? {}) }, null, 2)}\n`);
    // Re-check: the directory may have changed while we were writing.
    const exists = checkTarget(target, options.force ?? false);
    const moved = exists && fs.existsSync(path.join(target, MARKER)) ? carryOver(target, partial, options.keep ?? []) : [];
    try {
      if (exists) fs.renameSync(target, old);
      try {
        fs.renameSync(partial, target);
      } catch (e) {
        if (exists) fs.renameSync(old, target);
        throw e;
      }
    } catch (e) {
      for (const rel of moved) fs.renameSync(path.join(partial, rel), path.join(target, rel)); // the user's files go back
      throw e;
    }
    if (exists) fs.rmSync(old, { recursive: true, force: true });
    return target;
  } catch (e) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
