/**
 * What a kernel module (backend-hls/kernels/<kind>.ts) sees of emitProject:
 * the node with its resolved inputs and shapes, the plan for its task, its
 * quantization (fixed point only), and the helpers that fill its C++ config
 * struct, register its weights and build its Task. A module only describes
 * one kernel; every registry (names, weight bundles, KV caches) stays in
 * emit.ts, so the order of its calls is the order names and weight offsets
 * are handed out in.
 */
import type { Node } from '../../compiler/graph.js';
import type { FixedFormat } from '../../compiler/numerics/fixed.js';
import type { SharedQuantJob } from '../../compiler/numerics/quantize.js';
import type { KernelSpec } from '../../compiler/numerics/spec.js';
import type { Tensor } from '../../compiler/tensor.js';
import type { WeightChunk, WeightEntry, WeightFormat } from '../emit.js';
import type { TaskPlan } from '../plan.js';

/** A kernel's configuration: one C++ struct of constants and types. */
export interface ConfigStruct {
  name: string;
  comment: string;
  ints: { name: string; value: number }[];
  floats: { name: string; value: string }[];
  longs: { name: string; value: string }[];
  types: { name: string; cpp: string }[];
}

/** One dataflow task of the top function. */
export interface Task {
  id: string;
  kernel: string;
  node?: Node;
  /** Resolved value names read as streams, in kernel argument order. */
  inputs: string[];
  /** Resolved value produced as a stream (undefined for sinks). */
  output?: string;
  /** Stream identifiers bound to each input slot (set during wiring). */
  inputIds: string[];
  outputId?: string;
  /** Builds the call once streams are wired. */
  call: (ins: string[], out: string | undefined) => string;
  comment: string;
  shape: number[];
  /** The kernel's configuration (the C++ CFG constants by name): what every backend renders. */
  params: Record<string, number | bigint>;
  /** The weight tensors the kernel reads, in kernel argument order. */
  weights: WeightEntry[];
  /** Elements a beat on each streamed input (argument order) and on the output (kernels/lanes.ts). */
  lanes: StreamLanes;
}

/** The lanes a kernel realizes on its streams: elements a beat read on each input, written on the output. */
export interface StreamLanes { inputs: number[]; output: number }

/** The quantization of a fixed-point kernel. */
export interface KernelQuant {
  /** The kernel's entry in the QuantSpec. */
  kernel: KernelSpec;
  /** Quantized constants read as activations, by value name. */
  constants: Record<string, Int32Array>;
  /** The fixed-point format of a value (throws when it has none). */
  format(v: string): FixedFormat;
  /** The format of the node's output. */
  y(): FixedFormat;
}

/** The geometry of an attention layer's KV cache. */
export interface KvCache { heads: number; len: number; width: number; vWidth: number; past: number }

export interface KernelContext {
  node: Node;
  /** The node's inputs with aliases resolved ('' for an absent optional input). */
  ins: string[];
  out: string;
  outShape: number[];
  shapeOf(v: string): number[];
  /** A constant (initializer or folded view) by resolved or original name. */
  constOf(v: string): Tensor | undefined;
  resolve(v: string): string;
  plan: TaskPlan;
  /** The plan's reduction lanes (1 when it has none). */
  kpar: number;
  /** Set for fixed-point precisions. */
  quant?: KernelQuant;

  int(name: string, value: number): void;
  lng(name: string, value: number): void;
  flt(name: string, value: number): void;
  types(pairs: Record<string, string>): void;
  /** The lanes of the kernel's streams (every kernel sets them once; kernels/lanes.ts legalizes them). */
  lanes(inputs: number[], output: number): void;

  /** A constant input of the node (throws, naming `what`, when it is streamed). */
  constant(v: string, what: string): Tensor;
  /** Registers a weight tensor; returns its top-level argument. */
  addWeight(original: string, layout: WeightEntry['layout'], tensor: Tensor | undefined, storedShape: number[],
    chunks: () => Iterable<WeightChunk>, format?: WeightFormat, shared?: () => SharedQuantJob | undefined): string;
  /** The on-chip memory kind a weight is copied into, or undefined when it is read externally. */
  weightStorage(w: string): string | undefined;

  /** A task of the node reading `streamIns`. */
  task(kernel: string, streamIns: string[], call: Task['call'], shape: number[]): Task;
  /** An attention task with its KV cache (ins[0..2] streamed, the caches as m_axi buffers). */
  attentionTask(kernel: string, cache: KvCache, shape: number[]): Task;
  /** `llm2hls::kernel<CFG, ...extra>(args);` */
  render(kernel: string, args: (string | undefined)[], extra?: string[]): string;
}

export type KernelModule = (c: KernelContext) => Task;
