/**
 * What the backend needs from the dataflow planner: per task parallelism and
 * initiation interval, per stream FIFO depth, per weight and KV cache a
 * memory bank. The planner in compiler/dataflow decides these under a device
 * budget; `defaultPlan` is the backend's own conservative choice (used when
 * no planner result is given), and `withOverrides` applies --config on top
 * of either.
 */
import { Node } from '../compiler/graph.js';
import { HlsConfig, Placement, overridesFor } from './config.js';

export interface TaskPlan {
  /** Outputs (or elements) computed in parallel. */
  parallelism: number;
  /** Initiation interval of the task's inner loop. */
  ii: number;
}

export interface StreamInfo {
  /** Sanitized stream identifier. */
  name: string;
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

export interface BackendPlan {
  task(node: Node): TaskPlan;
  fifoDepth(stream: StreamInfo): number;
  weightPlacement(node: Node, weight: string): Placement;
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
    task: () => ({ parallelism: 1, ii: 1 }),
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
    kvPlacement(node) {
      return config.model.kvPlacement ?? base.kvPlacement(node);
    },
  };
}
