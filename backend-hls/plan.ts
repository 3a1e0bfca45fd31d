/**
 * What the backend needs from the dataflow planner: per task parallelism and
 * initiation interval, per stream FIFO depth, per weight and KV cache a
 * memory bank. The planner in compiler/dataflow decides these under a device
 * budget; `defaultPlan` is the backend's own conservative choice (used when
 * no planner result is given), and `withOverrides` applies --config on top
 * of either.
 */
import { Graph, Node } from '../compiler/graph.js';
import { Device } from '../compiler/devices/index.js';
import { Precision } from '../compiler/numerics/precision.js';
import { DataflowGraph, Memory, Stream, Task } from '../compiler/dataflow/ir.js';
import { lowerGraph } from '../compiler/dataflow/lower.js';
import { memoryCost } from '../compiler/dataflow/cost-model.js';
import { planDataflow } from '../compiler/estimate.js';
import { HlsConfig, Placement, overridesFor } from './config.js';

export interface TaskPlan {
  /** Outputs (or elements) computed in parallel: the planner's un lanes. */
  parallelism: number;
  /** Products per output per cycle over the reduction axis (linear: K): the planner's uk lanes. */
  kParallelism?: number;
  /** Initiation interval of the task's inner loop. */
  ii: number;
}

export interface StreamInfo {
  /** Sanitized stream identifier. */
  name: string;
  /** The graph value the stream carries. */
  value: string;
  /** Elements the stream carries over one run. */
  elements: number;
  /** Elements per token row. */
  rowWidth: number;
  /** True when the stream is one branch of a fork (a value read by several tasks). */
  forkBranch: boolean;
  /** The fused node reading the stream, if it is a kernel (not a fork or drain). */
  consumer?: Node;
}

export interface DeviceInfo {
  id: string;
  /** FPGA part for set_part. */
  part: string;
  /** Vitis platform for v++. */
  platform: string;
  /** Bambu --device-name. */
  bambuDevice: string;
  clockNs: number;
  /** The external memory kind the board offers. */
  memory: 'DDR' | 'HBM';
  /** Number of banks of that memory. */
  banks: number;
}

/** Where a kernel reads a weight from: external memory (m_axi), or an on-chip copy in this memory. */
export type WeightStorage = { kind: 'external' } | { kind: 'onchip'; impl: 'lutram' | 'bram' | 'uram' };

export interface BackendPlan {
  task(node: Node): TaskPlan;
  fifoDepth(stream: StreamInfo): number;
  /** The external bank of a weight's m_axi port (an on-chip weight is loaded once through it). */
  weightPlacement(node: Node, weight: string): Placement;
  /** External (the default) or on chip; an on-chip weight is copied into local memory once. */
  weightStorage?(node: Node, weight: string): WeightStorage;
  kvPlacement(node: Node): Placement;
}

/**
 * Deadlock-free without analysis: a fork branch can hold the whole tensor
 * (a residual path waits while attention buffers every token), other
 * streams a row. Everything runs at II=1 with no parallelism, weights in
 * bank 0 and each layer's KV cache in the next bank round-robin.
 */
export function defaultPlan(device: DeviceInfo): BackendPlan {
  let kvBank = 0;
  const kvBanks = new Map<Node, number>();
  return {
    task: () => ({ parallelism: 1, kParallelism: 1, ii: 1 }),
    weightStorage: () => ({ kind: 'external' }),
    fifoDepth: (s) => Math.max(2, s.forkBranch ? s.elements : s.rowWidth),
    weightPlacement: () => ({ memory: device.memory, bank: 0 }),
    kvPlacement(node) {
      if (!kvBanks.has(node)) kvBanks.set(node, device.banks > 1 ? 1 + (kvBank++ % (device.banks - 1)) : 0);
      return { memory: device.memory, bank: kvBanks.get(node)! };
    },
  };
}

/** A plan with the --config overrides applied on top of `base`. */
export function withOverrides(base: BackendPlan, config: HlsConfig): BackendPlan {
  return {
    task(node) {
      const o = overridesFor(config, node.opType, node.name);
      const p = base.task(node);
      return { ...p, parallelism: o.parallelism ?? p.parallelism };
    },
    fifoDepth(s) {
      const o = s.consumer ? overridesFor(config, s.consumer.opType, s.consumer.name) : config.model;
      return o.fifoDepth ?? base.fifoDepth(s);
    },
    weightPlacement(node, weight) {
      return overridesFor(config, node.opType, node.name).weightPlacement ?? base.weightPlacement(node, weight);
    },
    weightStorage(node, weight) {
      // A weightPlacement override names an external memory: the weight is read from there.
      if (overridesFor(config, node.opType, node.name).weightPlacement) return { kind: 'external' };
      return base.weightStorage?.(node, weight) ?? { kind: 'external' };
    },
    kvPlacement(node) {
      return config.model.kvPlacement ?? base.kvPlacement(node);
    },
  };
}

/**
 * The dataflow planner's choices (compiler/dataflow: lower, then the planning
 * pipeline under the device budget) as a BackendPlan, with `fallback` for
 * anything the planner does not decide: its streams go from a producer
 * straight to each consumer, so a fork branch takes the depth of the
 * planner's stream to the same consumer (the fork only passes elements
 * through); its lanes become the task's parallelism; externally placed
 * weights and KV caches keep their first channel as their bank. Weights
 * the planner keeps on chip are copied by their kernel into local memory
 * once (loaded through an m_axi port in bank 0), in the memory the cost
 * model picks for their size and the width the lanes read (LUTRAM up to
 * 16 Kbit, else BRAM or URAM, whichever is the smaller share of the device).
 * The KV cache stays external in the HLS backend.
 */
export function plannerPlan(graph: Graph, precision: Precision, device: Device, fallback: BackendPlan): { plan: BackendPlan; dataflow: DataflowGraph } {
  const df = lowerGraph(graph, precision, { device: device.name, clockMHz: device.clockMHz });
  planDataflow(df, { device, precision, clockMHz: device.clockMHz });
  const taskOf = new Map<string, Task>(df.tasks.map((t) => [t.node, t]));
  const mems = new Map<string, Memory>(df.mems.map((m) => [m.name, m]));
  const streamsTo = new Map<string, Stream[]>();
  for (const st of df.streams) streamsTo.set(st.to.task, [...(streamsTo.get(st.to.task) ?? []), st]);
  const memory = device.memory.kind.startsWith('HBM') ? 'HBM' : 'DDR';
  const placeOf = (m: Memory | undefined): Placement | undefined =>
    (m && m.location.kind === 'external' && m.location.channels.length ? { memory, bank: m.location.channels[0] } : undefined);
  const beats = (st: Stream) => st.depth * st.lanes;
  return {
    dataflow: df,
    plan: {
      task(node) {
        const t = taskOf.get(node.name);
        return t?.plan
          ? { parallelism: Math.max(1, t.plan.un), kParallelism: Math.max(1, t.plan.uk), ii: Math.max(1, t.cost?.ii ?? 1) }
          : fallback.task(node);
      },
      fifoDepth(s) {
        const matches = s.consumer
          ? (streamsTo.get(taskOf.get(s.consumer.name)?.name ?? '') ?? []).filter((st) => st.value === s.value)
          : df.streams.filter((st) => st.value === s.value);
        if (!matches.length) return fallback.fifoDepth(s);
        return Math.max(2, ...matches.map(beats));
      },
      weightPlacement(node, weight) {
        return placeOf(mems.get(weight)) ?? fallback.weightPlacement(node, weight);
      },
      weightStorage(node, weight) {
        const m = mems.get(weight);
        const t = taskOf.get(node.name);
        if (!m || m.location.kind !== 'onchip' || m.role !== 'weight' || !t?.plan) return { kind: 'external' };
        const bits = m.shape.reduce((a, b) => a * b, 1) * m.bits;
        const cost = memoryCost(bits, t.plan.uk * t.plan.un * m.bits, device);
        return { kind: 'onchip', impl: cost.uram > 0 ? 'uram' : cost.bram18k > 0 ? 'bram' : 'lutram' };
      },
      kvPlacement(node) {
        const t = taskOf.get(node.name);
        const state = t?.mems.map((n) => mems.get(n)).find((m) => m?.role === 'state');
        return placeOf(state) ?? fallback.kvPlacement(node);
      },
    },
  };
}
