/**
 * Runs a Verilog stream design under cocotb 2.x and Icarus Verilog with the
 * generic testbench templates/project-rtl/cocotb_tb.py (through its launcher
 * cocotb_run.py, the one a generated project's Makefile calls), with the
 * Python of the project's virtual environment (.venv, made by
 * `scripts/setup.sh --test`). See docs/cocotb.md.
 *
 * The testbench drives the input streams from hex beat files with seeded
 * random gaps and takes the outputs with seeded random backpressure, the
 * random draws of the Verilator testbench (test/rtl/cpp/tb.cpp): the same
 * seed gives the same beats on the same cycles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../backend-hls/compile.js';
import { UserError } from '../compiler/errors.js';

/** A parameter of the top: a string is a Verilog string (a ROM file name), a bigint a 64-bit one. */
export type CocotbParams = Record<string, number | string | bigint>;

export interface CocotbInput {
  /** Port prefix: `<name>_valid`, `<name>_ready`, `<name>_data`. */
  name: string;
  /** Bits of `<name>_data`. */
  width: number;
  /** The beats, in order (written to in<i>.txt in workDir) ... */
  beats?: bigint[];
  /** ... or a hex file already there, one beat a line (relative to workDir). */
  file?: string;
}

export interface CocotbOutput {
  name: string;
  width: number;
  /** Beats to collect; the run ends when every output has its count. */
  beats: number;
}

export interface CocotbTb {
  inputs: CocotbInput[];
  outputs: CocotbOutput[];
  /** Default 1. */
  seed?: number;
  /** Percent of cycles an input holds back its next beat (default 0). */
  inGap?: number;
  /** Percent of cycles an output is not ready (default 0). */
  outStall?: number;
  /** The bound: the test fails, naming the waiting streams, when the outputs are not complete after this many cycles (default 1 000 000). */
  maxCycles?: number;
  /** Default `clk`. */
  clock?: string;
  /** Synchronous, active low; default `rst_n`. */
  reset?: string;
}

export interface CocotbOptions {
  /** Verilog files to compile. */
  sources: string[];
  top: string;
  params?: CocotbParams;
  /** Folders Icarus searches for the modules the sources instantiate (`-y`). */
  libDirs?: string[];
  /** Include folders (`-I`). */
  includeDirs?: string[];
  tb: CocotbTb;
  /** The run folder: beat files, tb.json, out.txt, result.json, sim.log; the design's $readmemh images go here too (`files`). */
  workDir: string;
  /** Extra files for workDir, by name (ROM images). */
  files?: Record<string, string>;
  /** Where Icarus builds (default workDir/sim_build); share it between runs of one design to build once. */
  buildDir?: string;
  /** Default 120 s; the whole run (Python, build, simulation) is killed after it. */
  timeoutMs?: number;
  /** Default: $LLM2HLS_PYTHON, else the package's .venv/bin/python. */
  python?: string;
}

export interface CocotbWaiting {
  stream: string;
  dir: 'in' | 'out';
  beats: number;
  of: number;
  valid: boolean;
  ready: boolean;
}

export interface CocotbResult {
  finished: boolean;
  /** Output beats per output stream, in `tb.outputs` order. */
  beats: bigint[][];
  /** The cycle (from reset release) each of those beats was taken. */
  at: number[][];
  /** Cycles from the first input transfer to the last output transfer, both counted. */
  cycles: number;
  /** Cycles from reset release to the end of the run (the Verilator testbench's "cycles N"). */
  totalCycles: number;
  /** At the cycle bound: the streams still waiting. */
  waiting: CocotbWaiting[];
  workDir: string;
}

/** A cocotb run that could not start or did not pass; one line, what to do when it is the environment. */
export class CocotbError extends UserError {
  constructor(message: string, readonly result?: CocotbResult, readonly log?: string) {
    super(message);
    this.name = 'CocotbError';
  }
}

const paramValue = (v: number | string | bigint) => (typeof v === 'string' ? `"${v}"` : typeof v === 'bigint' ? `64'd${v}` : String(v));

export function cocotbPython(): string {
  return process.env.LLM2HLS_PYTHON || path.join(packageRoot(), '.venv', 'bin', 'python');
}

export function cocotbTemplates(): string {
  return path.join(packageRoot(), 'templates', 'project-rtl');
}

/** Runs a Python launcher in its own process group, so a timeout ends vvp too, not only the Python that started it. */
export async function runPythonGroup(python: string, args: string[], cwd: string, timeoutMs: number, env?: Record<string, string>) {
  const child = execa(python, args, { cwd, reject: false, detached: true, all: true, env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }, timeoutMs);
  const r = await child;
  clearTimeout(timer);
  return { r, timedOut };
}

export async function runCocotb(o: CocotbOptions): Promise<CocotbResult> {
  const python = o.python ?? cocotbPython();
  if (!fs.existsSync(python)) {
    throw new CocotbError(`cocotb: no Python virtual environment (${python} not found): run scripts/setup.sh --test`);
  }
  const work = path.resolve(o.workDir);
  fs.mkdirSync(work, { recursive: true });
  for (const [name, text] of Object.entries(o.files ?? {})) fs.writeFileSync(path.join(work, name), text);
  const inputs = o.tb.inputs.map((s, i) => {
    let file = s.file;
    if (s.beats) {
      file = `in${i}.txt`;
      fs.writeFileSync(path.join(work, file), s.beats.map((b) => b.toString(16)).join('\n') + '\n');
    }
    if (!file) throw new Error(`cocotb: input ${s.name} has neither beats nor a file`);
    return { name: s.name, width: s.width, file };
  });
  const desc = {
    clock: o.tb.clock ?? 'clk', reset: o.tb.reset ?? 'rst_n',
    inputs, outputs: o.tb.outputs.map((s) => ({ name: s.name, width: s.width, beats: s.beats })),
    seed: o.tb.seed ?? 1, inGap: o.tb.inGap ?? 0, outStall: o.tb.outStall ?? 0, maxCycles: o.tb.maxCycles ?? 1_000_000,
    out: 'out.txt', result: 'result.json',
  };
  fs.writeFileSync(path.join(work, 'tb.json'), JSON.stringify(desc, null, 1) + '\n');
  for (const f of ['out.txt', 'result.json']) fs.rmSync(path.join(work, f), { force: true });

  const args = [
    path.join(cocotbTemplates(), 'cocotb_run.py'), '--top', o.top, '--tb', path.join(work, 'tb.json'),
    '--run-dir', work, '--build-dir', path.resolve(o.buildDir ?? path.join(work, 'sim_build')),
    ...(o.libDirs ?? []).flatMap((d) => ['-y', d]), ...(o.includeDirs ?? []).flatMap((d) => ['-I', d]),
    ...Object.entries(o.params ?? {}).flatMap(([k, v]) => ['-P', `${k}=${paramValue(v)}`]),
    ...o.sources,
  ];
  const timeoutMs = o.timeoutMs ?? 120_000;
  const { r, timedOut } = await runPythonGroup(python, args, work, timeoutMs);
  const log = path.join(work, 'sim.log');
  if (timedOut) throw new CocotbError(`cocotb: ${o.top} did not finish within ${timeoutMs} ms (see ${log})`, undefined, log);

  const resultFile = path.join(work, 'result.json');
  const raw = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined;
  const result = raw?.totalCycles !== undefined ? collect(work, desc.outputs.length, raw) : undefined;
  if (r.exitCode !== 0) {
    const line = /cocotb_run: error: (.*)/.exec(r.all ?? '')?.[1]
      ?? (r.all ?? '').trim().split('\n').at(-1) ?? `exit status ${r.exitCode}`;
    throw new CocotbError(`cocotb: ${o.top}: ${line}`, result, log);
  }
  if (!result) throw new CocotbError(`cocotb: ${o.top}: the testbench wrote no result (see ${log})`, undefined, log);
  return result;
}

function collect(work: string, nOut: number, raw: {
  finished: boolean; cycles: number | null; totalCycles: number; waiting?: CocotbWaiting[];
}): CocotbResult {
  const beats: bigint[][] = Array.from({ length: nOut }, () => []);
  const at: number[][] = Array.from({ length: nOut }, () => []);
  const out = path.join(work, 'out.txt');
  for (const line of fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n') : []) {
    if (!line) continue;
    const [s, c, hex] = line.split(' ');
    beats[Number(s)].push(BigInt(`0x${hex}`));
    at[Number(s)].push(Number(c));
  }
  return { finished: raw.finished, beats, at, cycles: raw.cycles ?? -1, totalCycles: raw.totalCycles, waiting: raw.waiting ?? [], workDir: work };
}
