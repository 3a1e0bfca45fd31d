/**
 * csim-threads: one thread per dataflow task, every FIFO bounded to its
 * planned depth (templates/kernels/llm2hls_host_threads.h). Sequential csim
 * runs the tasks in order over unbounded queues, so it cannot see a FIFO
 * that is too shallow; here the planner's depths must carry every fixture
 * through without a deadlock, bit for bit as sequential csim, and a
 * residual bypass forced to depth 1 must be reported as a deadlock naming
 * that stream.
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

/** The raw output files of the last run (csim/out/output_N.bin). */
function rawOutputs(dir: string): Map<string, Buffer> {
  const out = path.join(dir, 'csim', 'out');
  return new Map(fs.readdirSync(out).filter((f) => /^output_\d+\.bin$/.test(f)).sort().map((f) => [f, fs.readFileSync(path.join(out, f))]));
}

/** Both csim binaries, built side by side at -O0 (these models run in milliseconds; the build is the cost). */
async function buildBoth(dir: string): Promise<void> {
  await execa('make', ['--no-print-directory', '-j2', 'CXXFLAGS=-std=c++17 -O0 -Wall -Wextra -Werror', 'build/csim', 'build/csim-threads'], { cwd: dir });
}

/** The stream arguments of a task's call in the threaded runner of src/top.cpp. */
function taskArgs(dir: string, task: string): string[] {
  const top = fs.readFileSync(path.join(dir, 'src', 'top.cpp'), 'utf8');
  const line = top.split('\n').find((l) => l.includes(`dataflow.spawn("${task}",`));
  expect(line, `no threaded task ${task} in top.cpp`).toBeDefined();
  return /\(([^()]*)\);\s*\}\);\s*$/.exec(line!)![1].split(',').map((a) => a.trim());
}

function manifestOf(dir: string): { kernels: { task: string; kernel: string; node: string; opType: string }[]; streams: { name: string; depth: number }[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

describe.concurrent('csim-threads: the planned FIFO depths run every fixture without deadlock', () => {
  for (const c of CASES) {
    it(`${c.name} (u55c, w8a16): no deadlock, outputs identical to sequential csim`, async () => {
      const work = tempDir('llm2hls-fifo-');
      try {
        const dir = path.join(work, 'prj');
        await compileModel(c.model, dir, { ...OPTIONS, bindings: c.bind });
        await buildBoth(dir);
        // Sequential csim (its bit-exactness is csim.test.ts's business), then the threaded run against the golden model.
        await simulate(dir, { inputs: c.data, out: path.join(work, 'seq'), noCompare: true });
        const sequential = rawOutputs(dir);
        const thr = await simulate(dir, { mode: 'csim-threads', inputs: c.data, out: path.join(work, 'thr') });
        const threaded = rawOutputs(dir);
        expect(thr.mode).toBe('csim-threads');
        expect(thr.bitExact).toBe(true);
        expect([...threaded.keys()]).toEqual([...sequential.keys()]);
        for (const [file, bytes] of sequential) expect(threaded.get(file)!.equals(bytes), `${file} differs between csim and csim-threads`).toBe(true);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 60_000);
  }
});

/**
 * Undersized residual bypasses (the Add's two input FIFOs forced via --config). Measured with this
 * harness (the other FIFOs at their planned depths): gpt2_mini's causal block needs about one row
 * (28 deadlocks, 30 runs; the planner gives 448), encoder_mini's bidirectional block about the whole
 * tensor, since its attention reads every token before answering (240 deadlocks, 256 runs; the
 * planner gives 672). So one row, enough for the causal model, deadlocks the encoder.
 */
const UNDERSIZED = [
  { c: CASES[0], depth: 1, why: 'gpt2_mini (causal): depth 1' },
  { c: CASES[3], depth: 32, why: 'encoder_mini (bidirectional): one row, enough for a causal block' },
];

describe.concurrent('csim-threads: an undersized FIFO is reported as a deadlock', () => {
  for (const { c, depth, why } of UNDERSIZED) {
    it(`${why}: the residual bypass deadlocks, named as full; sequential csim cannot tell`, async () => {
      const work = tempDir('llm2hls-fifo-small-');
      try {
        const planned = path.join(work, 'planned');
        await compileModel(c.model, planned, OPTIONS);
        // The first residual Add: two streamed inputs, the first the bypass from the fork before the block.
        const add = manifestOf(planned).kernels.find((k) => k.opType === 'Add' && k.kernel === 'add_q');
        expect(add, `${c.name} has a residual Add`).toBeDefined();
        const [bypass, branch] = taskArgs(planned, add!.task);
        const plannedDepth = (s: string) => manifestOf(planned).streams.find((x) => x.name === s)!.depth;
        // The planner sizes the bypass to hold what the attention branch holds in flight: many rows.
        expect(plannedDepth(bypass)).toBeGreaterThan(plannedDepth(branch));
        expect(plannedDepth(bypass)).toBeGreaterThan(depth * 4);

        const small = path.join(work, 'small');
        await compileModel(c.model, small, { ...OPTIONS, config: parseConfig({ layers: { [add!.node]: { fifoDepth: depth } } }) });
        expect(manifestOf(small).streams.find((x) => x.name === bypass)!.depth).toBe(depth);
        await buildBoth(small);

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
        expect(deadlock.report).toContain(`blocked writing stream ${bypass}: full (${depth}/${depth})`);
        expect(deadlock.report).toContain(`task ${add!.task} blocked reading stream ${branch}: empty`);
        expect(deadlock.message).toContain(bypass);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
