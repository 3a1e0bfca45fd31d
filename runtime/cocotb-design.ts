/**
 * `llm2hls sim DIR --mode cocotb` on a `--target rtl` project: the whole
 * design under cocotb 2.x and Icarus Verilog. It runs the project's own
 * sim/cocotb_design.py (what `make cocotb` runs), which converts the raw
 * int32 inputs to beat files, drives the generic stream testbench
 * (cocotb_tb.py via cocotb_run.py) with the project's cycle bound, and writes
 * raw int32 outputs: one converter for both paths, in the project. See
 * docs/cocotb.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../compiler/errors.js';
import { cocotbPython, runPythonGroup } from './cocotb.js';
import { RtlFifoStats, RtlKernelStats, blockage, designStats, parseStats } from './verilator.js';

export interface CocotbDesignRun {
  /** Icarus elaboration (0 when sim.vvp was up to date), as the script measured it. */
  buildSeconds: number;
  /** The rest: cocotb starting and the simulation. */
  runSeconds: number;
  /** Cycles from the first input beat to the last output beat (the Verilator harness's definition). */
  cycles: number;
  /** Cycles from reset release to the end of the run. */
  totalCycles: number;
  /** From the top's LLM2HLS_STATS counters, as for `--mode verilator`. */
  kernels: RtlKernelStats[];
  fifos: RtlFifoStats[];
  log: string;
}

export interface CocotbDesignOptions {
  /** Default: $LLM2HLS_PYTHON, else the package's .venv/bin/python. */
  python?: string;
  /** LLM2HLS_IN_GAP, LLM2HLS_OUT_STALL, LLM2HLS_SEED, as for the Verilator harness. */
  env?: Record<string, string>;
  /** Default 15 min: the whole run is killed after it (the cycle bound ends a hung design well before). */
  timeoutMs?: number;
  /** Default: the project's maxCycles. */
  maxCycles?: number;
  /** Default: the project's idleLimit (cycles in which no beat moves on any port). */
  idleLimit?: number;
  onStep?: (s: string) => void;
}

/** The part of the launcher's one-line error after its prefix. */
function errorLine(text: string): string | undefined {
  return /cocotb_(?:run|design): error: (.*)/.exec(text)?.[1]?.trim();
}

export async function runCocotbDesign(root: string, inDir: string, outDir: string, o: CocotbDesignOptions = {}): Promise<CocotbDesignRun> {
  const python = o.python ?? cocotbPython();
  if (!fs.existsSync(python)) {
    throw new UserError(`sim --mode cocotb needs cocotb 2.x in the package's Python virtual environment (${python} not found): run scripts/setup.sh --test`);
  }
  const script = path.join(root, 'sim', 'cocotb_design.py');
  if (!fs.existsSync(script)) throw new UserError(`${root}: no sim/cocotb_design.py (compiled by an llm2hls without the cocotb testbench); compile the project again`);
  const work = path.join(root, 'build', 'cocotb', 'run');
  const log = path.join(work, 'sim.log');
  const timeoutMs = o.timeoutMs ?? 15 * 60_000;
  o.onStep?.('building and running the cocotb + Icarus simulation');
  const t0 = performance.now();
  const { r, timedOut } = await runPythonGroup(python, [
    script, '--manifest', path.join(root, 'manifest.json'), ...(o.maxCycles !== undefined ? ['--max-cycles', String(o.maxCycles)] : []),
    ...(o.idleLimit !== undefined ? ['--idle-limit', String(o.idleLimit)] : []),
    path.resolve(inDir), path.resolve(outDir),
  ], root, timeoutMs, o.env);
  const seconds = (performance.now() - t0) / 1000;
  const text = String(r.all ?? '');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'run.log'), text);
  if (timedOut) throw new UserError(`cocotb simulation did not finish within ${timeoutMs / 1000} s (log: ${log})`, 5);
  // The top's final blocks print its counters into the simulator's log, also when the run was stopped.
  const stats = parseStats(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  if (r.exitCode !== 0) {
    const line = errorLine(text) ?? (text.trim().split('\n').at(-1) || `exit status ${r.exitCode}`);
    const bound = /^cycle bound (\d+) hit; waiting: (.*)$/.exec(line);
    if (bound) {
      throw new UserError(`cocotb simulation passed the cycle bound of ${bound[1]} cycles (4x the estimate plus a margin); ${blockage(stats)}; still waiting: ${bound[2]} (log: ${log})`, 5);
    }
    const idle = /^no beat moved for (\d+) cycles \(stopped after (\d+)\); waiting: (.*)$/.exec(line);
    if (idle) {
      throw new UserError(`cocotb simulation stopped making progress (no beat moved on any port) after ${idle[2]} cycles; ${blockage(stats)}; still waiting: ${idle[3]} (log: ${log})`, 5);
    }
    // No cocotb (3) or no iverilog (4): the line already says what to run; the rest points at the logs.
    const env = r.exitCode === 3 || r.exitCode === 4;
    throw new UserError(`sim --mode cocotb: ${line}${env ? '' : ` (log: ${r.exitCode === 5 ? path.join(root, 'build', 'cocotb', 'sim_build', 'build.log') : log})`}`);
  }
  const summary = /^llm2hls-rtl cycles (\d+) first_in (-?\d+) last_out (-?\d+) total (\d+) build_s ([\d.]+)$/m.exec(text);
  if (!summary) throw new UserError(`cocotb simulation printed no result (log: ${path.join(work, 'run.log')})`);
  const buildSeconds = Number(summary[5]);
  const totalCycles = Number(summary[4]);
  return {
    buildSeconds, runSeconds: Math.max(0, seconds - buildSeconds), cycles: Number(summary[1]), totalCycles, log,
    ...designStats(stats, totalCycles),
  };
}
