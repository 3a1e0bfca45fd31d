/**
 * `llm2hls estimate`: load, bind, fuse, lower to the dataflow IR, plan for a
 * device, and report latency, throughput, resources and the roofline.
 *
 * One pass = the graph as exported: T tokens (sequence positions) through
 * every kernel. Figures:
 *  - latency: cycles of one pass from its first input to its last output;
 *    tokensPerSecond = T / latency seconds;
 *  - interval: cycles between passes run back to back (the busiest task's
 *    cycles per pass, as Vitis HLS reports a dataflow region's interval);
 *    throughput.tokensPerSecond = T / interval seconds;
 *  - roofline: the device's limit for this model and precision, the lesser of
 *    peak MACs/s (all DSPs, with DSP packing) over MACs per token, and external
 *    bandwidth over the bytes per token that must cross it (weights and KV
 *    state placed off chip, read once per pass; embedding rows read per token).
 * By construction latency >= interval >= the roofline's time.
 */
import { DEFAULT_DEVICE, Device, DeviceResources, RESOURCE_KEYS, deviceByName } from './devices/index.js';
import { UserError, optionName } from './errors.js';
import { Graph, isStatic } from './graph.js';
import { printGraph } from './graph-text.js';
import { loadModel, prepareGraph } from './model.js';
import { DEFAULT_PRECISION, Precision, PrecisionName, precisionByName } from './numerics/precision.js';
import { PassTiming } from './passes/pass.js';
import { FUSION_PIPELINE, fuseGraph } from './passes/pipelines.js';
import { formatBytes, printable } from './format.js';
import { DataflowGraph, memMap } from './dataflow/ir.js';
import { lowerGraph } from './dataflow/lower.js';
import { PLANNING_PIPELINE } from './dataflow/passes/index.js';
import { passTiming } from './dataflow/passes/schedule.js';
import { PlanContext, runDataflowPipeline } from './dataflow/pipeline.js';
import { printDataflow } from './dataflow/text.js';
import { verifyDataflow } from './dataflow/verify.js';
import { extBytes, fifoCost, macsOf, macsPerDsp } from './dataflow/cost-model.js';
import { Bindings } from '../frontend/bind.js';
import { checkEstimateOptions, checkModelPath } from './options.js';
import { PhaseEstimate, estimatePhases } from './phases.js';

export interface EstimateOptions {
  /** A device of compiler/devices/ (default u55c, as for compile). */
  device?: string;
  /** Default w8a16. */
  precision?: PrecisionName;
  bindings?: Bindings;
  /** Override the device's default clock. */
  clockMHz?: number;
  /** Print the graph or dataflow IR after these passes ('all' for every pass). */
  printIrAfter?: string[];
  timePasses?: boolean;
  log?: (text: string) => void;
  /**
   * A KV-cache decoder's context bound: plans prefill (prefillTokens, empty
   * past) and decode (one token, past maxContext-1) and adds both to the
   * report (compiler/phases.ts); the top-level figures are decode's.
   */
  maxContext?: number;
  /** Prefill prompt length with maxContext (default min(64, maxContext)). */
  prefillTokens?: number;
}

export interface KernelEstimate {
  name: string;
  kind: string;
  node: string;
  dims: Record<string, number>;
  /** Lanes over the reduction axis x lanes over the output axis, and the token tile. */
  parallelism: { uk: number; un: number; lanes: number; tokenTile: number };
  ii: number;
  /** Cycles per pass (the task's interval) and of its first token. */
  cycles: number;
  cyclesPerToken: number;
  depth: number;
  finish: number;
  macs: number;
  externalBytes: number;
  dsp: number; bram18k: number; uram: number; lut: number; ff: number;
}

export interface EstimateReport {
  model: string;
  device: string;
  deviceDescription: string;
  precision: string;
  clockMHz: number;
  tokens: number;
  latency: { cycles: number; seconds: number };
  tokensPerSecond: number;
  interval: { cycles: number; seconds: number };
  throughput: { tokensPerSecond: number };
  bottleneck: string;
  roofline: {
    tokensPerSecond: number;
    bound: 'compute' | 'memory';
    compute: { tokensPerSecond: number; macsPerToken: number; peakMacsPerSecond: number };
    memory: { tokensPerSecond: number | null; bytesPerToken: number; bandwidthBytesPerSecond: number };
  };
  /** tokensPerSecond and throughput as fractions of the roofline. */
  efficiency: { latency: number; throughput: number };
  resources: DeviceResources;
  available: DeviceResources;
  utilization: DeviceResources;
  fits: boolean;
  memory: { onChipWeightBytes: number; externalWeightBytes: number; externalBytesPerPass: number; kvCache: KvCacheBuffer[] };
  kernels: KernelEstimate[];
  passes?: PassTiming[];
  /** With maxContext: the two phases of generation. */
  prefill?: PhaseEstimate;
  decode?: PhaseEstimate;
}

/** A KV-cache state buffer and where the planner placed it. */
export interface KvCacheBuffer { name: string; location: 'onchip' | 'external'; channels?: number[] }

/** Every name --print-ir-after accepts: the fusion passes, lower, the planning passes, all. */
export function irPassNames(): string[] {
  return [...FUSION_PIPELINE.map((p) => p.name), 'lower', ...PLANNING_PIPELINE.map((p) => p.name), 'all'];
}

function checkPassNames(names: readonly string[]): void {
  const known = irPassNames();
  const bad = names.find((n) => !known.includes(n));
  if (bad !== undefined) throw new UserError(`${optionName('printIrAfter', '--print-ir-after')}: unknown pass '${bad}' (passes: ${known.join(', ')})`);
}

/** Plans an already lowered dataflow graph in place; returns pass timings. */
export function planDataflow(df: DataflowGraph, ctx: PlanContext, options: Pick<EstimateOptions, 'printIrAfter' | 'timePasses' | 'log'> = {}): PassTiming[] {
  df.device = ctx.device.name;
  df.clockMHz = ctx.clockMHz;
  verifyDataflow(df, { channels: ctx.device.memory.channels, activationBits: ctx.precision.activationBits });
  const timings = runDataflowPipeline(df, PLANNING_PIPELINE, ctx, { printAfter: options.printIrAfter, timePasses: options.timePasses, log: options.log });
  verifyDataflow(df, { channels: ctx.device.memory.channels, activationBits: ctx.precision.activationBits });
  return timings;
}

/** The report of a planned dataflow graph. */
export function summarize(df: DataflowGraph, ctx: PlanContext, model = df.name): EstimateReport {
  const { device, precision, clockMHz } = ctx;
  const hz = clockMHz * 1e6;
  const mems = memMap(df);
  const cctx = { device, precision, clockMHz, mems };
  const { latency, interval, bottleneck } = passTiming(df);
  const T = df.tokens;
  const total = { dsp: 0, bram18k: 0, uram: 0, lut: 0, ff: 0 };
  const kernels: KernelEstimate[] = df.tasks.map((t) => {
    const c = t.cost!;
    for (const k of RESOURCE_KEYS) total[k] += c[k];
    return {
      name: t.name, kind: t.kind, node: t.node, dims: t.dims,
      parallelism: { uk: t.plan!.uk, un: t.plan!.un, lanes: t.plan!.uk * t.plan!.un, tokenTile: t.plan!.tt },
      ii: c.ii, cycles: c.busy, cyclesPerToken: c.perToken, depth: c.depth, finish: c.finish,
      macs: macsOf(t), externalBytes: c.extBytes,
      dsp: c.dsp, bram18k: c.bram18k, uram: c.uram, lut: c.lut, ff: c.ff,
    };
  });
  for (const s of df.streams) {
    const f = fifoCost(s.depth, s.lanes * s.bits);
    for (const k of RESOURCE_KEYS) total[k] += f[k];
  }
  const macs = df.tasks.reduce((s, t) => s + macsOf(t), 0);
  const macsPerToken = macs / T;
  const peak = device.resources.dsp * macsPerDsp(cctx) * hz;
  const computeTps = macsPerToken > 0 ? peak / macsPerToken : Infinity;
  const minBytes = df.tasks.reduce((s, t) => s + extBytes(t, t.plan!, cctx).min, 0);
  const bytesPerToken = minBytes / T;
  const bandwidth = device.memory.bandwidthGBs * 1e9;
  const memoryTps = bytesPerToken > 0 ? bandwidth / bytesPerToken : Infinity;
  const roofTps = Math.min(computeTps, memoryTps);
  const seconds = latency / hz;
  const intervalSeconds = interval / hz;
  const tps = seconds > 0 ? T / seconds : 0;
  const thr = intervalSeconds > 0 ? T / intervalSeconds : 0;
  const available = { ...device.resources };
  const utilization = Object.fromEntries(RESOURCE_KEYS.map((k) => [k, available[k] > 0 ? total[k] / available[k] : total[k] > 0 ? Infinity : 0])) as unknown as DeviceResources;
  const weightBytes = (where: 'onchip' | 'external') => df.mems.filter((m) => m.role === 'weight' && m.location.kind === where)
    .reduce((s, m) => s + Math.ceil((m.shape.reduce((a, b) => a * b, 1) * m.bits) / 8), 0);
  return {
    model,
    device: device.name,
    deviceDescription: device.description,
    precision: precision.name,
    clockMHz,
    tokens: T,
    latency: { cycles: latency, seconds },
    tokensPerSecond: tps,
    interval: { cycles: interval, seconds: intervalSeconds },
    throughput: { tokensPerSecond: thr },
    bottleneck,
    roofline: {
      tokensPerSecond: roofTps,
      bound: computeTps <= memoryTps ? 'compute' : 'memory',
      compute: { tokensPerSecond: computeTps, macsPerToken, peakMacsPerSecond: peak },
      memory: { tokensPerSecond: Number.isFinite(memoryTps) ? memoryTps : null, bytesPerToken, bandwidthBytesPerSecond: bandwidth },
    },
    efficiency: { latency: tps / roofTps, throughput: thr / roofTps },
    resources: total,
    available,
    utilization,
    fits: RESOURCE_KEYS.every((k) => total[k] <= available[k]),
    memory: {
      onChipWeightBytes: weightBytes('onchip'),
      externalWeightBytes: weightBytes('external'),
      externalBytesPerPass: df.tasks.reduce((s, t) => s + (t.cost?.extBytes ?? 0), 0),
      kvCache: df.mems.filter((m) => m.role === 'state').map((m): KvCacheBuffer => (m.location.kind === 'external'
        ? { name: m.name, location: 'external', channels: [...m.location.channels] }
        : { name: m.name, location: 'onchip' })),
    },
    kernels,
  };
}

export interface PlanResult { report: EstimateReport; graph: Graph; dataflow: DataflowGraph }

/** Fuses, lowers and plans an already loaded graph (bindings applied here). */
export function estimateGraph(graph: Graph, options: EstimateOptions = {}, model = graph.name): PlanResult {
  checkEstimateOptions(options);
  checkPassNames(options.printIrAfter ?? []);
  const device: Device = deviceByName(options.device ?? DEFAULT_DEVICE);
  const precision: Precision = precisionByName(options.precision ?? DEFAULT_PRECISION);
  const bindings = options.bindings ?? {};
  const log = options.log ?? ((s: string) => process.stderr.write(s));
  prepareGraph(graph, { bindings });
  const printAfter = options.printIrAfter ?? [];
  const fusionTimings = fuseGraph(graph, { printAfter, timePasses: options.timePasses, log });
  const df = lowerGraph(graph, precision, { device: device.name, clockMHz: options.clockMHz ?? device.clockMHz });
  if (printAfter.includes('lower') || printAfter.includes('all')) log(`// ----- dataflow IR after lower -----\n${printDataflow(df)}`);
  const ctx: PlanContext = { device, precision, clockMHz: options.clockMHz ?? device.clockMHz };
  const planTimings = planDataflow(df, ctx, options);
  const report = summarize(df, ctx, model);
  report.passes = [...fusionTimings, ...planTimings];
  return { report, graph, dataflow: df };
}

/** `llm2hls estimate MODEL [--device D]`: the API behind the command. */
export function estimateModel(modelPath: string, options: EstimateOptions = {}): EstimateReport {
  return planModel(modelPath, options).report;
}

/** The same, also returning the fused graph and planned dataflow IR (for --emit; decode's with maxContext). */
export function planModel(modelPath: string, options: EstimateOptions = {}): PlanResult {
  checkModelPath(modelPath);
  checkEstimateOptions(options);
  if (options.maxContext !== undefined) {
    return estimatePhases(() => loadModel(modelPath), modelPath, { ...options, maxContext: options.maxContext });
  }
  return estimateGraph(loadModel(modelPath), options, modelPath);
}

const si = (x: number, unit: string) => {
  if (!Number.isFinite(x)) return `inf ${unit}`;
  const prefixes = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const;
  for (const [v, p] of prefixes) if (Math.abs(x) >= v) return `${(x / v).toFixed(2)} ${p}${unit}`;
  return `${x.toFixed(2)} ${unit}`;
};

/** What the table's columns mean (printed under it, and in docs/cli.md). */
export const ESTIMATE_LEGEND = 'cycles: busy cycles per pass; II: initiation interval; lanes AxB: A lanes over the reduction axis x B over the output axis; '
  + 'tt: token tile (tokens each external weight word serves); BRAM18K: 18 Kib blocks';

const kvPlace = (k: KvCacheBuffer) => `${k.name}: ${k.location === 'external' ? `external [${k.channels!.join(', ')}]` : 'on chip'}`;

/** The human form: a table per kernel, totals against the device, a roofline line. */
export function formatEstimate(r: EstimateReport): string {
  const head = ['kernel', 'kind', 'cycles', 'II', 'lanes', 'tt', 'DSP', 'BRAM18K', 'URAM', 'LUT'];
  const rows = r.kernels.map((k) => [printable(k.name), k.kind, String(k.cycles), String(k.ii), `${k.parallelism.uk}x${k.parallelism.un}`, String(k.parallelism.tokenTile), String(k.dsp), String(k.bram18k), String(k.uram), String(k.lut)]);
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((row) => row[i].length))));
  const fmt = (row: string[]) => row.map((c, i) => (i < 2 ? c.slice(0, widths[i]).padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [
    `${printable(r.model)} on ${r.device} (${r.deviceDescription}), ${r.precision}, ${r.clockMHz} MHz, ${r.tokens} token(s) per pass`,
    '',
    fmt(head),
    ...rows.map(fmt),
    ESTIMATE_LEGEND,
    '',
    `resources: ${RESOURCE_KEYS.map((k) => `${k} ${r.resources[k]}/${r.available[k]} (${(100 * r.utilization[k]).toFixed(1)}%)`).join(', ')}`,
    `fits: ${r.fits ? 'yes' : 'NO'}`,
    `weights: ${formatBytes(r.memory.onChipWeightBytes)} on chip, ${formatBytes(r.memory.externalWeightBytes)} external; ${formatBytes(r.memory.externalBytesPerPass)} streamed per pass${r.memory.kvCache.length ? `; KV cache ${r.memory.kvCache.map((k) => printable(kvPlace(k))).join(', ')}` : ''}`,
    `latency: ${r.latency.cycles} cycles (${si(r.latency.seconds * 1e6, 'us').replace(' kus', ' ms')}) per pass -> ${si(r.tokensPerSecond, 'tokens/s')}`,
    `interval: ${r.interval.cycles} cycles between passes back to back (bottleneck @${printable(r.bottleneck)}) -> ${si(r.throughput.tokensPerSecond, 'tokens/s')}`,
    `roofline: ${si(r.roofline.tokensPerSecond, 'tokens/s')} (${r.roofline.bound} bound: compute ${si(r.roofline.compute.tokensPerSecond, 'tokens/s')} at ${si(r.roofline.compute.macsPerToken, 'MAC')}/token, memory ${r.roofline.memory.tokensPerSecond === null ? 'unbounded (nothing off chip)' : `${si(r.roofline.memory.tokensPerSecond, 'tokens/s')} at ${formatBytes(r.roofline.memory.bytesPerToken)}/token`}); latency reaches ${(100 * r.efficiency.latency).toFixed(1)}%, throughput ${(100 * r.efficiency.throughput).toFixed(1)}%`,
  ];
  for (const [name, p] of [['prefill', r.prefill], ['decode', r.decode]] as const) {
    if (!p) continue;
    lines.push(`${name} (${p.tokens} token(s) at context ${p.context}): ${p.latency.cycles} cycles -> ${si(p.tokensPerSecond, 'tokens/s')}, fits ${p.fits ? 'yes' : 'NO'}; ` +
      `roofline ${si(p.roofline.tokensPerSecond, 'tokens/s')} (${p.roofline.bound} bound; memory ${p.roofline.memory.tokensPerSecond === null ? 'unbounded (nothing off chip)' : `${formatBytes(p.roofline.memory.bytesPerToken)}/token off chip`}; ` +
      `${formatBytes(p.roofline.memory.weightBytes)} weights, ${formatBytes(p.roofline.memory.kvBytes)} KV at this context); reaches ${(100 * p.efficiency).toFixed(1)}%`);
  }
  return lines.join('\n');
}

export { printGraph, printDataflow };
