/**
 * The dataflow IR: what the hardware is. One task per fused kernel, joined by
 * point-to-point streams (FIFOs); on-chip buffers and external-memory ports
 * hold weights, reorder buffers and the KV cache (state that outlives a pass).
 *
 * Lowering (lower.ts) fills in structure and shapes; the planning passes
 * (passes/) fill in the plan: placement of memories, token tiles, parallel
 * lanes, FIFO depths, and the schedule. The text form is in text.ts.
 *
 * Time unit: clock cycles. A "pass" is one run of the graph as exported:
 * T tokens through every task. Activations are token-major.
 */

export type TaskKind =
  | 'embedding' | 'linear' | 'layernorm' | 'rmsnorm' | 'gelu' | 'silu' | 'swiglu'
  | 'rope' | 'attention' | 'add' | 'reorder';

export const TASK_KINDS: readonly TaskKind[] = [
  'embedding', 'linear', 'layernorm', 'rmsnorm', 'gelu', 'silu', 'swiglu', 'rope', 'attention', 'add', 'reorder',
];

/**
 * The order a stream's elements travel in (outermost loop first):
 *   t.c   token-major, channels of one token contiguous (every kernel's natural order)
 *   all.t.c  the same order, but the consumer reads a token only once every token of the
 *         pass has arrived (bidirectional attention needs all keys before its first score)
 */
export type StreamOrder = 't.c' | 'all.t.c';

/** An end of a stream: a task and one of its input/output slots, or the host (graph input/output). */
export interface Endpoint { task: string; slot: number }
export const HOST = 'host';

export interface Stream {
  name: string;
  /** Element width in bits (activations: the precision's activation bits; token ids: 32). */
  bits: number;
  /** Elements per beat (the consumer's/producer's lane count; set by parallelize). */
  lanes: number;
  /** Logical shape of one pass: [T, C]. */
  shape: number[];
  order: StreamOrder;
  /** FIFO depth in beats (>= 1; set by fifo-size, 2 until then). */
  depth: number;
  from: Endpoint;
  to: Endpoint;
  /** The graph value the stream carries (for reports and the emitters). */
  value: string;
}

export type MemRole = 'weight' | 'state' | 'reorder';

/** Where a memory lives. 'unplaced' until place-weights runs. */
export type MemLocation =
  | { kind: 'unplaced' }
  | { kind: 'onchip' }
  | { kind: 'external'; channels: number[] };

export interface Memory {
  name: string;
  role: MemRole;
  bits: number;
  shape: number[];
  location: MemLocation;
  /** KV-cache state: the graph input it is read from (past) and output it is written to (present). */
  past?: string;
  present?: string;
}

/** The plan of one task, filled in by the planning passes. */
export interface Plan {
  /** Parallel lanes over the reduction axis (linear: K) and the output axis (linear: N; others: channels). */
  uk: number;
  un: number;
  /** Tokens processed per weight (or KV) sweep: > 1 only when that data streams from external memory. */
  tt: number;
}

/** Costs of one task, filled in by the schedule pass from cost-model.ts. */
export interface Cost {
  /** Initiation interval of the innermost pipelined loop. */
  ii: number;
  /** Cycles to process one token (first token of the pass for attention). */
  perToken: number;
  /** Cycles the task is busy in one pass (compute or memory, whichever is larger). */
  busy: number;
  /** Pipeline depth: cycles from the last input of a token to its last output. */
  depth: number;
  /** Bytes read from / written to external memory in one pass. */
  extBytes: number;
  dsp: number; bram18k: number; uram: number; lut: number; ff: number;
  /** Cycle (from the start of the pass) at which the task's last output leaves it. */
  finish: number;
}

export interface Task {
  name: string;
  kind: TaskKind;
  /** Input/output streams by slot; '' for a slot fed from memory or state instead. */
  inputs: string[];
  outputs: string[];
  /** Memories the task reads (weights, state, its reorder buffer). */
  mems: string[];
  /** Static sizes: T tokens, K/N (linear), C channels, V vocab, H/Hk heads, D head dim, P past, S new keys. */
  dims: Record<string, number>;
  /** Kernel attributes (epsilon, approximate, causal, scale ...). */
  attrs: Record<string, number | string>;
  plan?: Plan;
  cost?: Cost;
  /** The graph node it came from. */
  node: string;
}

export interface DataflowGraph {
  name: string;
  /** Tokens per pass. */
  tokens: number;
  precision: string;
  device: string;
  clockMHz: number;
  tasks: Task[];
  streams: Stream[];
  mems: Memory[];
  /** Graph inputs/outputs in order, each a host stream or a state memory. */
  inputs: string[];
  outputs: string[];
}

export function taskMap(g: DataflowGraph): Map<string, Task> { return new Map(g.tasks.map((t) => [t.name, t])); }
export function streamMap(g: DataflowGraph): Map<string, Stream> { return new Map(g.streams.map((s) => [s.name, s])); }
export function memMap(g: DataflowGraph): Map<string, Memory> { return new Map(g.mems.map((m) => [m.name, m])); }

/** Tasks in topological order (producers before consumers). */
export function topoOrder(g: DataflowGraph): Task[] {
  const tasks = taskMap(g);
  const indeg = new Map<string, number>(g.tasks.map((t) => [t.name, 0]));
  const succ = new Map<string, string[]>(g.tasks.map((t) => [t.name, []]));
  for (const s of g.streams) {
    if (s.from.task === HOST || s.to.task === HOST) continue;
    indeg.set(s.to.task, (indeg.get(s.to.task) ?? 0) + 1);
    succ.get(s.from.task)?.push(s.to.task);
  }
  const ready = g.tasks.filter((t) => indeg.get(t.name) === 0).map((t) => t.name);
  const out: Task[] = [];
  while (ready.length) {
    const n = ready.shift()!;
    out.push(tasks.get(n)!);
    for (const m of succ.get(n) ?? []) {
      indeg.set(m, indeg.get(m)! - 1);
      if (indeg.get(m) === 0) ready.push(m);
    }
  }
  if (out.length !== g.tasks.length) throw new Error('dataflow graph has a cycle');
  return out;
}

export function bytesOf(m: Pick<Memory, 'bits' | 'shape'>): number {
  return Math.ceil((m.shape.reduce((a, b) => a * b, 1) * m.bits) / 8);
}
