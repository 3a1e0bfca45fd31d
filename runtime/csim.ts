/**
 * `llm2hls sim DIR --mode csim`: runs a compiled project's C simulation
 * with the project's own Makefile (`make csim`, g++ and llm2hls's host
 * types), converting the .pb inputs to the raw files its testbench reads and
 * its raw outputs back to output_N.pb, then compares them against the
 * float32 golden interpreter on the original model.
 *
 * `--mode csim-threads` (`make csim-threads`) runs the same testbench with
 * one thread per dataflow task and every FIFO bounded to its planned depth
 * (templates/kernels/llm2hls_host_threads.h): a design whose FIFOs are too
 * shallow deadlocks there as it would in hardware, and the watchdog's report
 * (blocked tasks, full streams) becomes a DeadlockError.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../compiler/errors.js';
import { loadModel } from '../compiler/model.js';
import { runGraph, writeOutputs, NamedOutput } from '../compiler/run.js';
import { Tensor } from '../compiler/tensor.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import type { IoInput, IoOutput } from '../backend-hls/emit.js';
import { dequantizeArray, quantizeArray } from '../compiler/numerics/quantize.js';
import { runQuantized } from '../compiler/numerics/quant-interpreter.js';
import { loadFused } from '../compiler/numerics/run-quantized.js';
import { attachGraphWeights, specFromJSON } from '../compiler/numerics/spec.js';

export type SimMode = 'csim' | 'csim-threads' | 'verilator' | 'cocotb';

export interface SimOptions {
  mode?: SimMode;
  /** Folder with input_0.pb ... (or .npy) in graph-input order. */
  inputs: string;
  /** Folder to write output_0.pb ... into. */
  out: string;
  /** Model to compute the golden reference with (default: the one recorded in the manifest). */
  model?: string;
  /** Skip the golden comparison. */
  noCompare?: boolean;
  /** Extra flags for the C++ compiler (e.g. -Werror). */
  extraCxxFlags?: string;
  /** csim-threads: milliseconds every task must stay blocked before a deadlock is reported (default 2000). */
  stallMs?: number;
  onStep?: (step: string) => void;
}

export interface OutputComparison {
  index: number;
  name: string;
  shape: number[];
  file: string;
  /** max |sim - ref|. */
  maxAbsError?: number;
  /** max |sim - ref| / max |ref|: the error relative to the output's scale. */
  maxRelError?: number;
  cosine?: number;
  /** Fraction of rows (last axis) whose argmax agrees. */
  top1?: number;
  /** Fixed point: elements whose integer differs from the quantized golden model (0 = bit-exact). */
  mismatches?: number;
  /** Fixed point: largest integer difference, in LSBs. */
  maxLsbError?: number;
}

export interface SimResult {
  dir: string;
  mode: SimMode;
  reference: string;
  precision: string;
  /** Fixed point: every output equals the quantized golden model bit for bit. */
  bitExact?: boolean;
  buildSeconds: number;
  runSeconds: number;
  outputs: OutputComparison[];
}

interface Manifest {
  format: string;
  top: string;
  precision: string;
  target: string;
  model: { path: string; bindings: Record<string, number> };
  inputs: IoInput[];
  outputs: IoOutput[];
}

/** csim-threads: the FIFOs deadlocked; `report` is the watchdog's account (blocked tasks, full streams). */
export class DeadlockError extends UserError {
  constructor(readonly report: string, readonly log: string) {
    const head = /all (\d+) live task\(s\) blocked for (\d+) ms/.exec(report);
    const writers = [...report.matchAll(/task (\S+) blocked writing stream (\S+): full \(([^)]*)\)/g)].map((m) => `${m[2]} (${m[3]}, written by ${m[1]})`);
    super(`csim-threads deadlock: ${head ? `all ${head[1]} live tasks blocked for ${head[2]} ms` : 'every task blocked'}; ` +
      `${writers.length ? `full FIFO(s): ${writers.join(', ')}` : 'no FIFO is full (a task reads more than its producer writes)'} (full report: ${log})`, 5);
    this.name = 'DeadlockError';
  }
  /** Names of the streams whose writers are blocked on them, full. */
  get fullStreams(): string[] {
    return [...this.report.matchAll(/blocked writing stream (\S+): full/g)].map((m) => m[1]);
  }
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new UserError(`${dir}: not a compiled llm2hls project (no readable manifest.json); run llm2hls compile first`);
  }
  if (m.format !== 'llm2hls-hls-project') throw new UserError(`${dir}: manifest.json is not an llm2hls HLS project manifest`);
  return m;
}

async function requireTool(cmd: string, what: string): Promise<void> {
  try {
    await execa(cmd, ['--version'], { reject: true, timeout: 20_000 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UserError(`${cmd} not found: csim needs ${what}; install them with \`apt-get install g++ make\``);
    throw new UserError(`${cmd} --version failed: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The project's input tensors as the raw bytes its testbench reads. */
function rawInput(spec: IoInput, t: Tensor): Buffer {
  const shapeOk = t.shape.length === spec.shape.length && t.shape.every((d, i) => d === spec.shape[i]);
  if (!shapeOk) {
    throw new UserError(`input ${spec.index}: the project was compiled for shape [${spec.shape.join(', ')}], the file holds [${t.shape.join(', ')}] (recompile with --bind)`);
  }
  if (spec.raw === 'int32' && spec.format) {
    if (!/^float/.test(t.dtype)) throw new UserError(`input ${spec.index}: expected floating-point values, the file holds ${t.dtype}`);
    const q = quantizeArray(t.data as ArrayLike<number>, spec.format);
    const out = Buffer.alloc(q.length * 4);
    q.forEach((x, i) => out.writeInt32LE(x, i * 4));
    return out;
  }
  if (spec.raw === 'int32') {
    if (!/^u?int/.test(t.dtype)) throw new UserError(`input ${spec.index}: expected integer token ids, the file holds ${t.dtype}`);
    const out = Buffer.alloc(t.size * 4);
    t.toArray().forEach((x, i) => {
      if (x < -(2 ** 31) || x >= 2 ** 31) throw new UserError(`input ${spec.index}: id ${x} does not fit in 32 bits`);
      out.writeInt32LE(x, i * 4);
    });
    return out;
  }
  if (!/^float/.test(t.dtype)) throw new UserError(`input ${spec.index}: expected floating-point values, the file holds ${t.dtype}`);
  const out = Buffer.alloc(t.size * 4);
  t.toArray().forEach((x, i) => out.writeFloatLE(x, i * 4));
  return out;
}

export function compareOutputs(actual: ArrayLike<number>, expected: ArrayLike<number>, rowLength: number): Omit<OutputComparison, 'index' | 'name' | 'shape' | 'file'> {
  let maxAbs = 0, scale = 0, dot = 0, na = 0, nb = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    maxAbs = Math.max(maxAbs, Math.abs(a - b));
    if (!Number.isFinite(a)) maxAbs = Infinity;
    scale = Math.max(scale, Math.abs(b));
    dot += a * b; na += a * a; nb += b * b;
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / (Math.sqrt(na) * Math.sqrt(nb) || 1);
  let top1: number | undefined;
  if (rowLength > 1 && expected.length % rowLength === 0) {
    let agree = 0;
    const rows = expected.length / rowLength;
    for (let r = 0; r < rows; r++) {
      let ia = 0, ib = 0;
      for (let j = 1; j < rowLength; j++) {
        if (actual[r * rowLength + j] > actual[r * rowLength + ia]) ia = j;
        if (expected[r * rowLength + j] > expected[r * rowLength + ib]) ib = j;
      }
      if (ia === ib) agree++;
    }
    top1 = agree / rows;
  }
  return { maxAbsError: maxAbs, maxRelError: scale > 0 ? maxAbs / scale : maxAbs, cosine, top1 };
}

export async function simulate(dir: string, options: SimOptions): Promise<SimResult> {
  const mode = options.mode ?? 'csim';
  if (mode !== 'csim' && mode !== 'csim-threads') throw new UserError(`sim --mode ${mode}: RTL simulation (verilator, cocotb) is not built yet; use --mode csim`, 4);
  const threads = mode === 'csim-threads';
  const binary = threads ? 'build/csim-threads' : 'build/csim';
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  const tensors = readTensorDir(options.inputs).map((t) => t.tensor);
  if (tensors.length !== manifest.inputs.length) {
    throw new UserError(`${options.inputs}: the project takes ${manifest.inputs.length} input(s), found ${tensors.length} input file(s)`);
  }
  const raws = manifest.inputs.map((spec, i) => rawInput(spec, tensors[i]));

  await requireTool('g++', 'g++ and make');
  await requireTool('make', 'g++ and make');

  const inDir = path.join(root, 'csim', 'in');
  const outDir = path.join(root, 'csim', 'out');
  fs.mkdirSync(inDir, { recursive: true });
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(inDir)) if (/^input_\d+\.bin$/.test(f)) fs.rmSync(path.join(inDir, f));
  manifest.inputs.forEach((spec, i) => fs.writeFileSync(path.join(inDir, spec.file), raws[i]));

  const makeArgs = ['--no-print-directory', ...(options.extraCxxFlags ? [`EXTRA_CXXFLAGS=${options.extraCxxFlags}`] : [])];
  options.onStep?.(`building ${mode} (g++)`);
  const t0 = performance.now();
  const build = await execa('make', [...makeArgs, binary], { cwd: root, reject: false, all: true });
  const buildSeconds = (performance.now() - t0) / 1000;
  const log = path.join(root, 'csim', threads ? 'build-threads.log' : 'build.log');
  fs.writeFileSync(log, String(build.all ?? ''));
  if (build.exitCode !== 0) {
    const first = String(build.all ?? '').split('\n').find((l) => /error/i.test(l)) ?? `make exited with ${build.exitCode}`;
    throw new UserError(`csim build failed: ${first.trim()} (full log: ${log})`);
  }
  options.onStep?.(`running ${mode}`);
  const t1 = performance.now();
  const env = threads && options.stallMs ? { LLM2HLS_STALL_MS: String(Math.max(1, Math.round(options.stallMs))) } : undefined;
  const run = await execa('make', [...makeArgs, mode], { cwd: root, reject: false, all: true, env });
  const runSeconds = (performance.now() - t1) / 1000;
  const runLog = path.join(root, 'csim', threads ? 'run-threads.log' : 'run.log');
  fs.writeFileSync(runLog, String(run.all ?? ''));
  if (run.exitCode !== 0) {
    const lines = String(run.all ?? '').split('\n');
    const at = lines.findIndex((l) => l.includes('llm2hls csim-threads: DEADLOCK'));
    if (threads && at >= 0) throw new DeadlockError(lines.slice(at).filter((l) => l.trim() && !/^make(\[\d+\])?:/.test(l)).join('\n'), runLog);
    const last = lines.filter((l) => l.trim() && !l.startsWith('make')).pop() ?? '';
    throw new UserError(`${mode} run failed (exit ${run.exitCode}): ${last.trim()} (log: ${runLog})`);
  }

  const ints: (Int32Array | undefined)[] = [];
  const named: NamedOutput[] = manifest.outputs.map((spec) => {
    const file = path.join(outDir, spec.file);
    const bytes = fs.readFileSync(file);
    if (bytes.length !== spec.count * 4) throw new UserError(`csim output ${spec.file} has ${bytes.length} bytes, expected ${spec.count * 4}`);
    if (spec.raw === 'int32' && spec.format) {
      const q = new Int32Array(spec.count);
      for (let i = 0; i < spec.count; i++) q[i] = bytes.readInt32LE(i * 4);
      ints.push(q);
      return { name: spec.name, tensor: new Tensor('float32', spec.shape, dequantizeArray(q, spec.format)) };
    }
    ints.push(undefined);
    const data = new Float32Array(spec.count);
    for (let i = 0; i < spec.count; i++) data[i] = bytes.readFloatLE(i * 4);
    return { name: spec.name, tensor: new Tensor('float32', spec.shape, data) };
  });
  const files = writeOutputs(options.out, named);

  let reference = 'none';
  let golden: NamedOutput[] | undefined;
  let goldenInts: (Int32Array | undefined)[] | undefined;
  const modelPath = options.model ?? manifest.model.path;
  if (!options.noCompare && modelPath && fs.existsSync(modelPath)) {
    options.onStep?.('running the fp32 golden model');
    golden = runGraph(loadModel(modelPath), tensors, { bindings: manifest.model.bindings });
    reference = 'fp32 golden';
    const specFile = path.join(root, 'quant_spec.json');
    if (manifest.precision !== 'fp32' && fs.existsSync(specFile)) {
      options.onStep?.(`running the ${manifest.precision} quantized golden model`);
      // quant_spec.json holds the scales, not the integer weights: they are recomputed
      // from the model's float weights (the same integers compile wrote to weights/).
      const spec = specFromJSON(fs.readFileSync(specFile, 'utf8'));
      const fused = loadFused(modelPath, tensors, manifest.model.bindings);
      const run = runQuantized(fused, attachGraphWeights(spec, fused), tensors);
      goldenInts = run.fixed.map((v) => (v && v.kind === 'fixed' ? v.data : undefined));
      reference = `${manifest.precision} quantized golden (bit-exact) and fp32 golden (accuracy)`;
    }
  }
  let bitExact: boolean | undefined;
  const outputs = manifest.outputs.map((spec, i): OutputComparison => {
    const base: OutputComparison = { index: spec.index, name: spec.name, shape: spec.shape, file: files[i] };
    if (!golden) return base;
    const ref = golden[i].tensor;
    const out: OutputComparison = { ...base, ...compareOutputs(named[i].tensor.data, ref.data, spec.role === 'stream' ? spec.shape[spec.shape.length - 1] ?? 1 : 0) };
    const q = ints[i], g = goldenInts?.[i];
    if (q && g) {
      let mismatches = q.length === g.length ? 0 : Math.max(q.length, g.length), maxLsb = 0;
      for (let j = 0; j < Math.min(q.length, g.length); j++) {
        const d = Math.abs(q[j] - g[j]);
        if (d) { mismatches++; maxLsb = Math.max(maxLsb, d); }
      }
      out.mismatches = mismatches;
      out.maxLsbError = maxLsb;
      bitExact = (bitExact ?? true) && mismatches === 0;
    }
    return out;
  });
  return { dir: root, mode, reference, precision: manifest.precision, bitExact, buildSeconds, runSeconds, outputs };
}
