/**
 * `llm2hls sim DIR --mode verilator` on a `--target rtl` project: builds the
 * project's Verilator simulation (`make sim-build`), runs its harness on raw
 * inputs (`make sim`), and reads what it printed: the cycles from the first
 * input beat to the last output beat, and the `llm2hls-stat` lines of the
 * generated top (per kernel: first input, last output, stalled and starved
 * cycles; per FIFO: depth and the most it held). A run that passes the
 * project's cycle bound, or in which no beat moves for its idle limit, ends
 * with exit 5 naming the full FIFOs and the stalled kernels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from '../compiler/errors.js';
import { requireTool } from './csim.js';

export interface RtlKernelStats {
  name: string;
  /** Cycles between its first input and its last output beat, less stalled and starved ones. */
  busy: number;
  /** Cycles its output beat waited for a full consumer. */
  stalled: number;
  /** Cycles it waited for input (ready, no valid) and was not stalled. */
  starved: number;
  /** Cycles of the run outside its first input .. last output. */
  idle: number;
}
export interface RtlFifoStats { name: string; depth: number; maxOccupancy: number }

export interface RtlRun {
  buildSeconds: number;
  runSeconds: number;
  /** Cycles from the first input beat to the last output beat. */
  cycles: number;
  kernels: RtlKernelStats[];
  fifos: RtlFifoStats[];
  log: string;
}

export interface StatLines { fifos: (RtlFifoStats & { now: number })[]; kernels: { name: string; first: number; last: number; stalled: number; starved: number; outValid: boolean; outReady: boolean }[] }

export function parseStats(text: string): StatLines {
  const fifos: StatLines['fifos'] = [];
  const kernels: StatLines['kernels'] = [];
  for (const m of text.matchAll(/^llm2hls-stat fifo (\S+) depth (\d+) max (\d+) now (\d+)$/gm)) {
    fifos.push({ name: m[1], depth: Number(m[2]), maxOccupancy: Number(m[3]), now: Number(m[4]) });
  }
  for (const m of text.matchAll(/^llm2hls-stat kernel (\S+) first (\d+) last (\d+) stalled (\d+) starved (\d+) out_valid (\d) out_ready (\d)$/gm)) {
    kernels.push({ name: m[1], first: Number(m[2]), last: Number(m[3]), stalled: Number(m[4]), starved: Number(m[5]), outValid: m[6] === '1', outReady: m[7] === '1' });
  }
  return { fifos, kernels };
}

export async function runVerilator(root: string, inDir: string, outDir: string, o: { trace?: string; onStep?: (s: string) => void; env?: Record<string, string> } = {}): Promise<RtlRun> {
  await requireTool('verilator', 'sim --mode verilator needs Verilator (5.x; scripts/setup.sh --rtl installs it)', 'verilator');
  const makeArgs = ['--no-print-directory', `RTL_IN=${inDir}`, `RTL_OUT=${outDir}`, ...(o.trace ? ['TRACE=1'] : [])];
  o.onStep?.('building the Verilator simulation');
  const t0 = performance.now();
  const build = await execa('make', [...makeArgs, 'sim-build'], { cwd: root, reject: false, all: true });
  const buildSeconds = (performance.now() - t0) / 1000;
  const buildLog = path.join(root, 'build', 'verilator-build.log');
  fs.mkdirSync(path.dirname(buildLog), { recursive: true });
  fs.writeFileSync(buildLog, String(build.all ?? ''));
  if (build.exitCode !== 0) {
    const first = String(build.all ?? '').split('\n').find((l) => /%Error|error:/i.test(l)) ?? `make exited with ${build.exitCode}`;
    throw new UserError(`Verilator build failed: ${first.trim()} (full log: ${buildLog})`);
  }
  o.onStep?.('running the Verilator simulation');
  const t1 = performance.now();
  const env = { ...o.env, ...(o.trace ? { LLM2HLS_TRACE: path.resolve(o.trace) } : {}) };
  const run = await execa('make', [...makeArgs, 'sim'], { cwd: root, reject: false, all: true, env });
  const runSeconds = (performance.now() - t1) / 1000;
  const log = path.join(root, 'sim', 'run.log');
  const text = String(run.all ?? '');
  fs.writeFileSync(log, text);
  const stats = parseStats(text);
  const summary = /^llm2hls-rtl cycles (\d+) first_in (-?\d+) last_out (-?\d+) total (\d+)$/m.exec(text);
  if (run.exitCode !== 0 || !summary) {
    const end = /^llm2hls-rtl (TIMEOUT|STALL) after (\d+) cycles:(.*)$/m.exec(text);
    if (end) {
      const why = end[1] === 'TIMEOUT' ? `passed the cycle bound of ${end[2]} cycles (4x the estimate plus a margin)` : `stopped making progress (no beat moved on any port) after ${end[2]} cycles`;
      throw new UserError(`Verilator simulation ${why}; ${blockage(stats)}; beats:${end[3]} (log: ${log})`, 5);
    }
    const last = text.split('\n').filter((l) => l.trim() && !/^make(\[\d+\])?:|^cd /.test(l)).pop() ?? `exit ${run.exitCode}`;
    throw new UserError(`Verilator simulation failed: ${last.trim()} (log: ${log})`);
  }
  return { buildSeconds, runSeconds, cycles: Number(summary[1]), log, ...designStats(stats, Number(summary[4])) };
}

/** Per-kernel busy/stalled/starved/idle cycles and per-FIFO occupancy of a run of `total` cycles. */
export function designStats(stats: StatLines, total: number): { kernels: RtlKernelStats[]; fifos: RtlFifoStats[] } {
  const kernels = stats.kernels.map((k) => {
    const window = k.last >= k.first ? k.last - k.first + 1 : 0;
    return { name: k.name, busy: Math.max(0, window - k.stalled - k.starved), stalled: k.stalled, starved: k.starved, idle: total - window };
  });
  return { kernels, fifos: stats.fifos.map(({ name, depth, maxOccupancy }) => ({ name, depth, maxOccupancy })) };
}

/** What holds a stopped design up: its full FIFOs and the kernels whose output waits. */
export function blockage(stats: StatLines): string {
  const full = stats.fifos.filter((f) => f.now >= f.depth).map((f) => `${f.name} (${f.now}/${f.depth})`);
  const stalled = stats.kernels.filter((k) => k.outValid && !k.outReady).map((k) => k.name);
  return `${full.length ? `full FIFO(s): ${full.join(', ')}` : 'no FIFO is full'}; ` +
    `${stalled.length ? `kernels waiting on a full output: ${stalled.join(', ')}` : 'no kernel waits on its output'}`;
}
