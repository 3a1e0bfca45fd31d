/**
 * `llm2hls sim DIR --mode csim`: runs a compiled project's C simulation
 * with the project's own Makefile (`make csim`, g++ and llm2hls's host
 * types), converting the .pb inputs to the raw files its testbench reads
 * (csim/sim-inputs/) and its raw outputs (csim/out/) back to output_N.pb,
 * then compares them with the golden models of the model the project was
 * compiled from (checked by its fingerprint) and gives a verdict: fixed
 * point passes only bit-exact with the quantized golden model, fp32 only
 * within `tol` of the output's scale. Inputs are validated (shapes, types,
 * token ids within the vocabulary) before anything runs, and output_N.pb
 * are written only once the run and the comparison have completed.
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
import { checkSimOptions } from '../compiler/options.js';
import { checkOutputDir, runGraph, writeOutputs, NamedOutput } from '../compiler/run.js';
import { readTensorDir } from '../frontend/tensor-files.js';
import { modelFingerprint } from '../frontend/fingerprint.js';
import type { IoInput, IoOutput } from '../backend-hls/emit.js';
import { decodeOutput, encodeInput } from '../backend-hls/raw-io.js';
import { runQuantized } from '../compiler/numerics/quant-interpreter.js';
import { loadFused } from '../compiler/numerics/run-quantized.js';
import { attachGraphWeights, specFromJSON } from '../compiler/numerics/spec.js';
import { RtlFifoStats, RtlKernelStats, runVerilator } from './verilator.js';
import { runCocotbDesign } from './cocotb-design.js';

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
  /** fp32: the largest error, relative to each output's scale (max |reference|), that passes (default 1e-3). */
  tol?: number;
  /** verilator: write a VCD wave of the run to this file. */
  trace?: string;
  /** Extra environment for the simulation (LLM2HLS_IN_GAP, LLM2HLS_OUT_STALL, LLM2HLS_SEED of the RTL harness). */
  env?: Record<string, string>;
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
  /** The verdict: fixed point bit-exact, fp32 within `tolerance` (true when nothing was compared, noCompare). */
  passed: boolean;
  /** fp32: the tolerance applied, relative to the output's scale. */
  tolerance?: number;
  /** When not passed: one line saying what differed. */
  failure?: string;
  buildSeconds: number;
  runSeconds: number;
  outputs: OutputComparison[];
  /** verilator: cycles from the first input beat to the last output beat, against the estimate; per-kernel and per-FIFO statistics. */
  rtl?: { cycles: number; estimateCycles: number; ratio?: number; kernels: RtlKernelStats[]; fifos: RtlFifoStats[]; log: string };
}

interface Manifest {
  format: string;
  top: string;
  precision: string;
  target: string;
  model: { path: string; fingerprint?: string; bindings: Record<string, number> };
  inputs: IoInput[];
  outputs: IoOutput[];
  rtl?: { estimateCycles?: number };
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
  if (m.format !== 'llm2hls-hls-project' && m.format !== 'llm2hls-rtl-project') throw new UserError(`${dir}: manifest.json is not an llm2hls project manifest`);
  return m;
}

/** `cmd` runs (`--version`), or one line: what needs it (`needs`) and the `apt-get install` that brings it. */
export async function requireTool(cmd: string, needs = 'csim needs g++ and make', install = 'g++ make'): Promise<void> {
  try {
    await execa(cmd, ['--version'], { reject: true, timeout: 20_000 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UserError(`${cmd} not found: ${needs}; install ${install.includes(' ') ? 'them' : 'it'} with \`apt-get install ${install}\``);
    throw new UserError(`${cmd} --version failed: ${(e as Error).message.split('\n')[0]}`);
  }
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

/** The default fp32 pass criterion: max |sim - ref| at most 1e-3 of max |ref|, per output. */
export const DEFAULT_TOLERANCE = 1e-3;

/** The model to compare against: `model` or the manifest's, which must be the one the project was compiled from. */
async function referenceModel(root: string, manifest: Manifest, model: string | undefined): Promise<string> {
  const modelPath = model ?? manifest.model.path;
  if (!fs.existsSync(modelPath)) {
    throw new UserError(`${modelPath}: the model ${model ? 'given with --model' : 'this project was compiled from'} is not there; pass it with --model FILE`);
  }
  const recorded = manifest.model.fingerprint;
  if (recorded) {
    const actual = (await modelFingerprint(modelPath)).sha256;
    if (actual !== recorded) {
      throw new UserError(`${modelPath} does not match the project: ${root} was compiled from ${manifest.model.path} (${recorded.slice(0, 19)}...), ` +
        `this model is ${actual.slice(0, 19)}...; simulate with the model it was compiled from, or compile this one`);
    }
  }
  return modelPath;
}

/** One line for the first output that misses, or undefined when all pass. */
function verdict(outputs: readonly OutputComparison[], tol: number): string | undefined {
  const misses = outputs.flatMap((o) => {
    if (o.mismatches !== undefined) {
      return o.mismatches === 0 ? [] : [`output ${o.name}: ${o.mismatches} of ${o.shape.reduce((a, b) => a * b, 1)} elements differ from the quantized golden model (up to ${o.maxLsbError} LSB)`];
    }
    if (o.maxRelError === undefined || o.maxRelError <= tol) return [];
    return [`output ${o.name}: max error ${o.maxRelError.toExponential(2)} of the output scale exceeds the tolerance ${tol} (cosine ${o.cosine!.toFixed(4)}) against the fp32 golden model`];
  });
  if (misses.length === 0) return undefined;
  return misses.length === 1 ? misses[0] : `${misses[0]} (and ${misses.length - 1} more output(s))`;
}

export async function simulate(dir: string, options: SimOptions): Promise<SimResult> {
  checkSimOptions(dir, options);
  const mode = options.mode ?? 'csim';
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  const rtlMode = mode === 'verilator' || mode === 'cocotb';
  const rtlProject = manifest.format === 'llm2hls-rtl-project';
  if (rtlMode && !rtlProject) throw new UserError(`${dir}: an HLS C++ project (--target ${manifest.target}); --mode ${mode} simulates Verilog: compile with --target rtl, or use --mode csim`);
  if (!rtlMode && rtlProject) throw new UserError(`${dir}: a Verilog project (--target rtl); simulate it with --mode verilator`);
  if (options.trace !== undefined && mode !== 'verilator') throw new UserError(`trace (--trace) needs --mode verilator`);
  const fixedPoint = manifest.precision !== 'fp32';
  if (options.tol !== undefined) {
    if (!(options.tol >= 0) || !Number.isFinite(options.tol)) throw new UserError(`tol (--tol) ${options.tol}: expected a non-negative number (relative to the output scale)`);
    if (fixedPoint) throw new UserError(`tol (--tol) applies to fp32 projects; a ${manifest.precision} project passes only bit-exact with the quantized golden model`);
  }
  const tol = options.tol ?? DEFAULT_TOLERANCE;

  // Everything that can be refused is refused before anything runs or is written.
  checkOutputDir(options.out);
  const tensors = readTensorDir(options.inputs).map((t) => t.tensor);
  if (tensors.length !== manifest.inputs.length) {
    throw new UserError(`${options.inputs}: the project takes ${manifest.inputs.length} input(s), found ${tensors.length} input file(s)`);
  }
  const raws = manifest.inputs.map((spec, i) => encodeInput(spec, tensors[i]));
  const modelPath = options.noCompare ? undefined : await referenceModel(root, manifest, options.model);

  await requireTool('g++');
  await requireTool('make');

  // The inputs go to a folder of their own (csim/in is the user's); `make csim CSIM_IN=csim/sim-inputs` reruns them.
  const simDir = path.join(root, rtlProject ? 'sim' : 'csim');
  const inDir = path.join(simDir, 'sim-inputs');
  const outDir = path.join(simDir, 'out');
  fs.rmSync(inDir, { recursive: true, force: true });
  fs.mkdirSync(inDir, { recursive: true });
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  manifest.inputs.forEach((spec, i) => fs.writeFileSync(path.join(inDir, spec.file), raws[i]));

  let buildSeconds: number, runSeconds: number, rtl: SimResult['rtl'];
  if (rtlProject) {
    // cocotb has no per-kernel/FIFO counters (the LLM2HLS_STATS block is Verilator's): empty lists.
    const r = mode === 'cocotb'
      ? await runCocotbDesign(root, inDir, outDir, { onStep: options.onStep, env: options.env })
      : await runVerilator(root, inDir, outDir, { trace: options.trace, onStep: options.onStep, env: options.env });
    ({ buildSeconds, runSeconds } = r);
    const estimate = manifest.rtl?.estimateCycles ?? 0;
    rtl = { cycles: r.cycles, estimateCycles: estimate, ratio: estimate > 0 ? r.cycles / estimate : undefined, kernels: r.kernels, fifos: r.fifos, log: r.log };
  } else ({ buildSeconds, runSeconds } = await runCsim(root, mode, options));

  const decoded = manifest.outputs.map((spec) => decodeOutput(spec, fs.readFileSync(path.join(outDir, spec.file)), `${mode} output ${spec.file}`));
  const named: NamedOutput[] = manifest.outputs.map((spec, i) => ({ name: spec.name, tensor: decoded[i].values }));

  let reference = 'none';
  let golden: NamedOutput[] | undefined;
  let goldenInts: (Int32Array | undefined)[] | undefined;
  if (modelPath) {
    options.onStep?.('running the fp32 golden model');
    golden = runGraph(loadModel(modelPath), tensors, { bindings: manifest.model.bindings });
    reference = 'fp32 golden';
    const specFile = path.join(root, 'quant_spec.json');
    if (fixedPoint) {
      if (!fs.existsSync(specFile)) throw new UserError(`${root}: a ${manifest.precision} project without quant_spec.json; compile it again`);
      options.onStep?.(`running the ${manifest.precision} quantized golden model`);
      // quant_spec.json holds the scales, not the integer weights: they are recomputed
      // from the model's float weights (the same integers compile wrote to weights/).
      const spec = specFromJSON(fs.readFileSync(specFile, 'utf8'));
      const fused = loadFused(modelPath, tensors, manifest.model.bindings);
      const q = runQuantized(fused, attachGraphWeights(spec, fused), tensors);
      goldenInts = q.fixed.map((v) => (v && v.kind === 'fixed' ? v.data : undefined));
      reference = `${manifest.precision} quantized golden (bit-exact) and fp32 golden (accuracy)`;
    }
  }
  let bitExact: boolean | undefined;
  const comparisons = manifest.outputs.map((spec, i): Omit<OutputComparison, 'file'> => {
    const base = { index: spec.index, name: spec.name, shape: spec.shape };
    if (!golden) return base;
    const out: Omit<OutputComparison, 'file'> = { ...base, ...compareOutputs(named[i].tensor.data, golden[i].tensor.data, spec.role === 'stream' ? spec.shape[spec.shape.length - 1] ?? 1 : 0) };
    const q = decoded[i].q, g = goldenInts?.[i];
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
  // Written last, and only for a run that passed: a failed run leaves nothing in --out. What a design
  // that missed computed stays in the project's csim/out (raw), for make csim and a look.
  const rawFiles = manifest.outputs.map((spec) => path.join(outDir, spec.file));
  const miss = golden ? verdict(comparisons.map((c, i) => ({ ...c, file: rawFiles[i] })), tol) : undefined;
  const files = miss ? rawFiles : writeOutputs(options.out, named);
  const outputs = comparisons.map((c, i) => ({ ...c, file: files[i] }));
  const failure = miss && `${miss}; nothing written to ${options.out} (the design's raw outputs are in ${path.relative(process.cwd(), outDir) || outDir})`;
  return {
    dir: root, mode, reference, precision: manifest.precision, bitExact, passed: failure === undefined,
    tolerance: fixedPoint ? undefined : tol, failure, buildSeconds, runSeconds, outputs, ...(rtl ? { rtl } : {}),
  };
}

/** Builds and runs the project's C simulation (make csim / csim-threads) on csim/sim-inputs into csim/out. */
async function runCsim(root: string, mode: SimMode, options: SimOptions): Promise<{ buildSeconds: number; runSeconds: number }> {
  const threads = mode === 'csim-threads';
  const binary = threads ? 'build/csim-threads' : 'build/csim';
  const makeArgs = ['--no-print-directory', 'CSIM_IN=csim/sim-inputs', 'CSIM_OUT=csim/out', ...(options.extraCxxFlags ? [`EXTRA_CXXFLAGS=${options.extraCxxFlags}`] : [])];
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
  return { buildSeconds, runSeconds };
}
