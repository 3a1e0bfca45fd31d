/**
 * Named planning passes over the dataflow IR, run from a named pipeline,
 * each printable after it runs (--print-ir-after NAME) and timed
 * (--time-passes), like the graph passes of compiler/passes/pass.ts.
 */
import { Device, memoryBytesPerCycle } from '../devices/index.js';
import { Precision } from '../numerics/precision.js';
import { PassTiming, PipelineOptions } from '../passes/pass.js';
import { CostContext } from './cost-model.js';
import { extBytes } from './cost-model.js';
import { DataflowGraph, Task, memMap } from './ir.js';
import { printDataflow } from './text.js';

export interface PlanContext {
  device: Device;
  precision: Precision;
  clockMHz: number;
}

export interface DataflowPass {
  /** Stable kebab-case name used by --print-ir-after. */
  name: string;
  run(graph: DataflowGraph, ctx: PlanContext): void;
}

export function runDataflowPipeline(graph: DataflowGraph, passes: readonly DataflowPass[], ctx: PlanContext, options: PipelineOptions = {}): PassTiming[] {
  const log = options.log ?? ((s: string) => process.stderr.write(s));
  const printAfter = new Set(options.printAfter ?? []);
  const timings: PassTiming[] = [];
  for (const pass of passes) {
    const t0 = performance.now();
    pass.run(graph, ctx);
    timings.push({ pass: pass.name, ms: performance.now() - t0 });
    if (printAfter.has(pass.name) || printAfter.has('all')) log(`// ----- dataflow IR after ${pass.name} -----\n${printDataflow(graph)}`);
  }
  if (options.timePasses) {
    const total = timings.reduce((s, t) => s + t.ms, 0);
    log(timings.map((t) => `${t.ms.toFixed(2).padStart(9)} ms  ${t.pass}`).join('\n') + `\n${total.toFixed(2).padStart(9)} ms  total (planning)\n`);
  }
  return timings;
}

/** External-memory bytes per cycle of one channel at the design clock. */
export function channelBytesPerCycle(ctx: PlanContext): number {
  return memoryBytesPerCycle(ctx.device, ctx.clockMHz) / ctx.device.memory.channels;
}

/** Channels a task's external memories are bound to. */
export function channelsOfTask(task: Task, g: DataflowGraph): number[] {
  const mems = memMap(g);
  const out = new Set<number>();
  for (const n of task.mems) {
    const m = mems.get(n);
    if (m?.location.kind === 'external') m.location.channels.forEach((c) => out.add(c));
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The cost context of the graph's current plans: a task's external traffic
 * is spread evenly over its channels, and a channel serves everything bound
 * to it within the pass, so a task's memory time is the busiest of its
 * channels' loads over the channel bandwidth.
 */
export function costContext(g: DataflowGraph, ctx: PlanContext): CostContext & { channelLoad: number[] } {
  const mems = memMap(g);
  const base: CostContext = { device: ctx.device, precision: ctx.precision, clockMHz: ctx.clockMHz, mems };
  const load = new Array<number>(ctx.device.memory.channels).fill(0);
  const chans = new Map<string, number[]>();
  for (const t of g.tasks) {
    const cs = channelsOfTask(t, g);
    chans.set(t.name, cs);
    if (!cs.length || !t.plan) continue;
    const { bytes } = extBytes(t, t.plan, base);
    for (const c of cs) load[c] += bytes / cs.length;
  }
  const perChannel = channelBytesPerCycle(ctx);
  return {
    ...base,
    channelLoad: load,
    bandwidthOf: (task: Task) => {
      const cs = chans.get(task.name) ?? channelsOfTask(task, g);
      if (!cs.length || !task.plan) return Infinity;
      const { bytes } = extBytes(task, task.plan, base);
      const worst = Math.max(...cs.map((c) => load[c]));
      return worst > 0 ? (bytes * perChannel) / worst : Infinity;
    },
  };
}
