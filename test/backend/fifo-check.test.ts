/**
 * csim-threads: one thread per dataflow task, every FIFO bounded to its
 * planned depth (templates/kernels/llm2hls_host_threads.h). Sequential csim
 * runs the tasks in order over unbounded queues, so it cannot see a FIFO
 * that is too shallow; here the planner's depths must carry every fixture,
 * at every precision (and fp32 for Bambu and embedded boards), through
 * without a deadlock to the golden model's outputs (w8a16: bit for bit as
 * sequential csim), and a residual bypass forced below its rule must be
 * reported as a deadlock naming that stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../backend-hls/compile.js';
import { parseConfig } from '../../backend-hls/config.js';
import { DeadlockError, simulate } from '../../runtime/csim.js';
import { tempDir } from '../helpers/cli.js';
import { FIXTURE_CASES, FixtureCase } from '../helpers/fixtures.js';

type Case = FixtureCase;
const CASES = FIXTURE_CASES;
const OPTIONS = { target: 'vitis' as const, device: 'u55c', precision: 'w8a16' };
const FP32_TOLERANCE = 1e-3;

/**
 * Where the threaded run must get through: every precision on the default board, and fp32 (whose
 * FIFOs used to deadlock) for Bambu and for embedded boards, whose budgets give other lanes, so
 * other beats.
 */
const BUILDS: { target: 'vitis' | 'bambu'; device: string; precision: string }[] = [
  ...['fp32', 'w8a16', 'w8a8', 'w4a16'].map((precision) => ({ target: 'vitis' as const, device: 'u55c', precision })),
  { target: 'bambu', device: 'u55c', precision: 'fp32' },
  { target: 'vitis', device: 'zcu102', precision: 'fp32' },
  { target: 'bambu', device: 'kv260', precision: 'fp32' },
];

/** The raw output files of the last run (csim/out/output_N.bin). */
function rawOutputs(dir: string): Map<string, Buffer> {
  const out = path.join(dir, 'csim', 'out');
  return new Map(fs.readdirSync(out).filter((f) => /^output_\d+\.bin$/.test(f)).sort().map((f) => [f, fs.readFileSync(path.join(out, f))]));
}

/** csim binaries at -O0, side by side (these models run in milliseconds; the build is the cost). */
async function build(dir: string, binaries = ['build/csim', 'build/csim-threads']): Promise<void> {
  await execa('make', ['--no-print-directory', '-j2', 'CXXFLAGS=-std=c++17 -O0 -Wall -Wextra -Werror', ...binaries], { cwd: dir });
}

/** The stream arguments of a task's call in the threaded runner of src/top.cpp. */
function taskArgs(dir: string, task: string): string[] {
  const top = fs.readFileSync(path.join(dir, 'src', 'top.cpp'), 'utf8');
  const line = top.split('\n').find((l) => l.includes(`dataflow.spawn("${task}",`));
  expect(line, `no threaded task ${task} in top.cpp`).toBeDefined();
  return /\(([^()]*)\);\s*\}\);\s*$/.exec(line!)![1].split(',').map((a) => a.trim());
}

function manifestOf(dir: string): { kernels: { task: string; kernel: string; node: string; opType: string; shape: number[] }[]; streams: { name: string; depth: number; lanes: number; beats: number }[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

describe.concurrent('csim-threads: the planned FIFO depths run every fixture without deadlock', () => {
  for (const c of CASES) {
    for (const b of BUILDS) {
      const alsoSequential = b.precision === OPTIONS.precision && b.target === OPTIONS.target && b.device === OPTIONS.device;
      it(`${c.name} (${b.target}, ${b.device}, ${b.precision}): no deadlock, outputs match the golden model${alsoSequential ? ' and sequential csim' : ''}`, async () => {
        const work = tempDir('llm2hls-fifo-');
        try {
          const dir = path.join(work, 'prj');
          await compileModel(c.model, dir, { ...b, bindings: c.bind });
          await build(dir, alsoSequential ? ['build/csim', 'build/csim-threads'] : ['build/csim-threads']);
          const thr = await simulate(dir, { mode: 'csim-threads', inputs: c.data, out: path.join(work, 'thr') });
          expect(thr.mode).toBe('csim-threads');
          expect(thr.precision).toBe(b.precision);
          if (b.precision === 'fp32') {
            expect(thr.reference).toBe('fp32 golden');
            for (const o of thr.outputs) {
              expect(o.maxRelError!, `${o.name}: error relative to the output scale`).toBeLessThan(FP32_TOLERANCE);
              expect(o.cosine!).toBeGreaterThan(0.9999);
            }
          } else {
            expect(thr.bitExact, `${b.precision}: csim-threads equals the quantized golden model bit for bit`).toBe(true);
          }
          if (!alsoSequential) return;
          // Sequential csim (its bit-exactness is csim.test.ts's business) writes the same bytes.
          const threaded = rawOutputs(dir);
          await simulate(dir, { inputs: c.data, out: path.join(work, 'seq'), noCompare: true });
          const sequential = rawOutputs(dir);
          expect([...threaded.keys()]).toEqual([...sequential.keys()]);
          for (const [file, bytes] of sequential) expect(threaded.get(file)!.equals(bytes), `${file} differs between csim and csim-threads`).toBe(true);
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      }, 180_000);
    }
  }
});

/**
 * Undersized residual bypasses (the Add's two input FIFOs forced via --config, the other FIFOs at
 * their planned depths). fifo-size gives the bypass one row around causal attention (the block
 * answers token t once its row has arrived) and the whole pass around bidirectional attention
 * (it reads every token first); less deadlocks: depth 1 for gpt2_mini, and one row, enough for a
 * causal block, for encoder_mini. A FIFO holds at least 2 beats of its writer's lanes: at
 * gpt2_mini's 8 lanes that, with the beat the fork and the Add each hold, is already the row of
 * 32 the bypass needs, so there the bypass runs at one lane (`lanes1`: the embedding Add and the
 * residual Add forced to parallelism 1), 2 elements, as the RTL would at one lane.
 */
const UNDERSIZED = [
  { c: CASES[0], depth: 1, holds: 'row', lanes1: true, why: 'gpt2_mini (causal): depth 1, one lane' },
  { c: CASES[3], depth: 32, holds: 'pass', lanes1: false, why: 'encoder_mini (bidirectional): one row, enough for a causal block' },
] as const;

describe.concurrent('csim-threads: an undersized FIFO is reported as a deadlock', () => {
  for (const { c, depth, holds, lanes1, why } of UNDERSIZED) {
    it(`${why}: the residual bypass deadlocks, named as full; sequential csim cannot tell`, async () => {
      const work = tempDir('llm2hls-fifo-small-');
      try {
        const planned = path.join(work, 'planned');
        await compileModel(c.model, planned, OPTIONS);
        // The first residual Add: two streamed inputs, the first the bypass from the fork before the block.
        const add = manifestOf(planned).kernels.find((k) => k.opType === 'Add' && k.kernel === 'add_q');
        expect(add, `${c.name} has a residual Add`).toBeDefined();
        const [bypass] = taskArgs(planned, add!.task);
        const embed = manifestOf(planned).kernels.find((k) => k.opType === 'Add' && k.kernel === 'add_q_const');
        const plannedDepth = (s: string) => manifestOf(planned).streams.find((x) => x.name === s)!.depth;
        // The planner sizes the bypass to what the other branch takes in before it answers: a row, or the pass.
        const shape = add!.shape;
        const need = holds === 'row' ? shape[shape.length - 1] : shape.reduce((a, b) => a * b, 1);
        expect(plannedDepth(bypass)).toBeGreaterThanOrEqual(need);
        expect(depth).toBeLessThan(need);

        const small = path.join(work, 'small');
        const layers = lanes1
          ? { [embed!.node]: { parallelism: 1 }, [add!.node]: { fifoDepth: depth, parallelism: 1 } }
          : { [add!.node]: { fifoDepth: depth } };
        await compileModel(c.model, small, { ...OPTIONS, config: parseConfig({ layers }) });
        // The Add's second input in the small project (through a lane adapter when the Add takes one lane).
        const [smallBypass, branch] = taskArgs(small, add!.task);
        expect(smallBypass).toBe(bypass);
        const forced = manifestOf(small).streams.find((x) => x.name === bypass)!;
        expect(forced.depth).toBe(depth);
        // The FIFO holds the forced elements in beats of its writer's lanes, rounded up (at least 2).
        const beats = Math.max(2, Math.ceil(depth / forced.lanes));
        expect(forced.beats).toBe(beats);
        expect(beats * forced.lanes).toBeLessThan(need);
        await build(small);

        // Sequential csim runs each task to completion over unbounded queues: it passes, bit-exact.
        const seq = await simulate(small, { inputs: c.data, out: path.join(work, 'seq') });
        expect(seq.bitExact).toBe(true);

        // Bounded FIFOs: the fork blocks on the full bypass while the other branch waits for more tokens.
        const err = await simulate(small, { mode: 'csim-threads', inputs: c.data, out: path.join(work, 'thr'), stallMs: 500 }).then(
          () => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(DeadlockError);
        const deadlock = err as DeadlockError;
        expect(deadlock.report).toMatch(/DEADLOCK/);
        expect(deadlock.fullStreams).toContain(bypass);
        expect(deadlock.report).toContain(`blocked writing stream ${bypass}: full (${beats}/${beats})`);
        expect(deadlock.report).toContain(`task ${add!.task} blocked reading stream ${branch}: empty`);
        expect(deadlock.message).toContain(bypass);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
