/**
 * The bit-accurate golden interpreter of the dataflow IR: what a quantized
 * design computes (docs/numerics.md, DESIGN.md "One numeric contract").
 *
 * It runs the tasks in a topological order over their streams and moves
 * integer tensors along the streams as the hardware does:
 *  - a stream carries one pass of its value, [T, C] token-major integers in
 *    the value's fixed-point format (spec.formats[stream.value]); token ids
 *    travel as 32-bit integers. A task writes its result to every one of its
 *    output streams (fan-out is a copy, never a fork task);
 *  - a task's kernel parameters are the QuantSpec entry of the value its
 *    output streams carry, checked against the memories it references
 *    (weights, biases, norm scales, constant activations);
 *  - a KV-cache state memory [1, Hk, P + S, D] holds the past (P rows per
 *    head, quantized from the host's float past into its format) when the
 *    pass starts and the present (all P + S rows) when it ends;
 *  - a reorder task passes its stream through its buffer unchanged.
 * The arithmetic is that of kernels-q.ts through the dispatch table of
 * numerics/kernel-table.ts, the same calls the fused-graph interpreter
 * makes, so the two agree bit for bit. The plan (lanes, tiles, FIFO depths,
 * placement, schedule) changes when numbers move, never what they are:
 * results do not depend on the planning passes.
 */
import { UnsupportedError, UserError } from '../errors.js';
import { FLOAT_TYPES, INT_TYPES, Tensor } from '../tensor.js';
import { FixedFormat } from '../numerics/fixed.js';
import { FixedValue, QValue, runKernelQ } from '../numerics/kernel-table.js';
import { dequantizeArray, quantizeArray } from '../numerics/quantize.js';
import { EmbeddingSpec, KernelSpec, LinearSpec, NormSpec, QuantSpec, RopeSpec } from '../numerics/spec.js';
import { DataflowGraph, HOST, Memory, Stream, Task, TaskKind, memMap, streamMap, topoOrder } from './ir.js';

/** The fused op each task kind runs. */
const OP_OF: Record<Exclude<TaskKind, 'reorder'>, KernelSpec['op'][]> = {
  linear: ['llm.Linear'], embedding: ['llm.Embedding'], layernorm: ['llm.LayerNorm'], rmsnorm: ['llm.RMSNorm'],
  gelu: ['llm.Gelu'], silu: ['llm.SiLU'], swiglu: ['llm.SwiGLU'], rope: ['llm.RoPE'], attention: ['llm.Attention'], add: ['Add'],
};

/** Format of token ids on a stream. */
const ID_FORMAT: FixedFormat = { bits: 32, frac: 0, signed: true };

export interface DataflowRunOptions {
  /** Shapes to give the outputs (e.g. the graph's [1, T, V]); default: the stream's [T, C] or the memory's shape. */
  outputShapes?: readonly (readonly number[])[];
}

export interface DataflowRun {
  /** Outputs in df.outputs order, dequantized (q · 2^−frac, as float32). */
  outputs: Tensor[];
  /** The integer codes of the outputs and their formats. */
  fixed: FixedValue[];
}

/**
 * The graph inputs the host supplies, in order: one per distinct graph
 * value behind df.inputs (a value read by several tasks has several host
 * streams; a KV-cache past is its state memory).
 */
export function dataflowInputNames(df: DataflowGraph): string[] {
  const streams = streamMap(df), mems = memMap(df);
  const names: string[] = [];
  for (const n of df.inputs) {
    const m = mems.get(n);
    const name = m ? m.past : streams.get(n)?.value;
    if (name === undefined) throw new UserError(`dataflow IR: graph input %${n} is neither a host stream nor a state memory with a past`);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

export function interpretDataflow(df: DataflowGraph, spec: QuantSpec, inputs: readonly Tensor[] | Readonly<Record<string, Tensor>>, options: DataflowRunOptions = {}): Tensor[] {
  return runDataflow(df, spec, inputs, options).outputs;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function runDataflow(df: DataflowGraph, spec: QuantSpec, inputs: readonly Tensor[] | Readonly<Record<string, Tensor>>, options: DataflowRunOptions = {}): DataflowRun {
  const streams = streamMap(df), mems = memMap(df);
  const names = dataflowInputNames(df);
  const byName = new Map<string, Tensor>();
  if (Array.isArray(inputs)) {
    if (inputs.length !== names.length) throw new UserError(`dataflow ${df.name}: expected ${names.length} input(s) (${names.join(', ')}), got ${inputs.length}`);
    names.forEach((n, i) => byName.set(n, (inputs as readonly Tensor[])[i]));
  } else {
    for (const n of names) {
      const t = (inputs as Record<string, Tensor>)[n];
      if (!t) throw new UserError(`dataflow ${df.name}: missing input '${n}'`);
      byName.set(n, t);
    }
  }
  const format = (n: string): FixedFormat => {
    const f = spec.formats[n];
    if (!f) throw new Error(`QuantSpec has no format for '${n}'`);
    return f;
  };

  // --- stream contents (one pass each) and state memories ---
  const onStream = new Map<string, FixedValue>();
  const state = new Map<string, FixedValue>();
  const put = (s: Stream, v: FixedValue, where: string) => {
    if (v.format.bits > s.bits) throw new Error(`${where}: value '${s.value}' has ${v.format.bits}-bit elements, but stream %${s.name} carries i${s.bits}`);
    if (v.data.length !== prod(s.shape)) throw new Error(`${where}: ${v.data.length} elements for stream %${s.name} of shape [${s.shape.join(', ')}]`);
    onStream.set(s.name, { kind: 'fixed', shape: [...s.shape], data: v.data, format: v.format });
  };
  const take = (name: string, where: string): FixedValue => {
    const v = onStream.get(name);
    if (!v) throw new Error(`${where}: stream %${name} holds nothing (its producer has not run)`);
    return v;
  };

  for (const n of df.inputs) {
    const m = mems.get(n);
    if (m) { state.set(m.name, loadPast(m, byName.get(m.past!)!, format(m.past!))); continue; }
    const s = streams.get(n)!;
    if (s.from.task !== HOST) throw new UserError(`dataflow IR: graph input %${n} does not come from the host`);
    const t = byName.get(s.value)!;
    let v: FixedValue;
    if (FLOAT_TYPES.has(t.dtype)) {
      const f = format(s.value);
      v = { kind: 'fixed', shape: [...t.shape], data: quantizeArray(t.data as ArrayLike<number>, f), format: f };
    } else if (INT_TYPES.has(t.dtype) && s.bits === 32) {
      const data = Int32Array.from(t.data as ArrayLike<number>);
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== (t.data as ArrayLike<number>)[i]) throw new UserError(`input '${s.value}': token id ${(t.data as ArrayLike<number>)[i]} does not fit the 32-bit id stream`);
      }
      v = { kind: 'fixed', shape: [...t.shape], data, format: ID_FORMAT };
    } else {
      throw new UnsupportedError(`input '${s.value}': ${t.dtype} on the i${s.bits} stream %${s.name} (expected float activations or 32-bit token ids)`);
    }
    put(s, v, `input '${s.value}'`);
  }

  for (const task of topoOrder(df)) {
    const where = `@${task.name} (${task.kind})`;
    const ins = task.inputs.map((n) => (n ? take(n, where) : undefined));
    let result: FixedValue;
    if (task.kind === 'reorder') {
      if (!ins[0]) throw new UserError(`${where}: a reorder task needs an input stream`);
      result = ins[0]; // the buffer holds the whole pass; the order of arrival changes, the values do not
    } else {
      const key = kernelKey(task, streams);
      const ks = spec.kernels[key];
      if (!ks) throw new UserError(`${where}: no quantization spec for '${key}'`);
      if (!OP_OF[task.kind].includes(ks.op)) throw new UserError(`${where}: the QuantSpec entry of '${key}' is ${ks.op}, not a ${task.kind} kernel`);
      result = runTask(task, ks, ins, format(key), { spec, mems, state, format, where });
    }
    for (const o of task.outputs) if (o) put(streams.get(o)!, result, where);
  }

  const fixed = df.outputs.map((n): FixedValue => {
    const m = mems.get(n);
    if (m) {
      const v = state.get(m.name);
      if (!v) throw new Error(`state memory %${m.name} was never written`);
      return v;
    }
    return take(n, `output %${n}`);
  });
  const outputs = fixed.map((v, i) => {
    const shape = options.outputShapes?.[i] ?? v.shape;
    if (prod(shape) !== v.data.length) throw new UserError(`output ${i}: shape [${shape.join(', ')}] does not hold ${v.data.length} elements`);
    return new Tensor('float32', [...shape], dequantizeArray(v.data, v.format));
  });
  return { outputs, fixed: fixed.map((v, i) => ({ ...v, shape: [...(options.outputShapes?.[i] ?? v.shape)] })) };
}

/** The value a task computes: what its output streams carry (the QuantSpec key of its kernel). */
function kernelKey(task: Task, streams: Map<string, Stream>): string {
  const values = new Set(task.outputs.filter(Boolean).map((o) => streams.get(o)!.value));
  if (values.size !== 1) {
    throw new UnsupportedError(`@${task.name}: ${values.size === 0 ? 'no output stream names the value it computes' : `its output streams carry different values (${[...values].join(', ')})`}`);
  }
  return [...values][0];
}

/** A state memory at the start of a pass: the host's past in rows [0, P) of every head. */
function loadPast(m: Memory, t: Tensor, f: FixedFormat): FixedValue {
  const [B, Hk, L, D] = m.shape;
  if (m.shape.length !== 4 || B !== 1) throw new UnsupportedError(`state memory %${m.name}: expected [1, Hk, P + S, D], got [${m.shape.join(', ')}]`);
  const [tb, th, P, td] = t.shape;
  if (t.shape.length !== 4 || tb !== 1 || th !== Hk || td !== D || P > L) {
    throw new UserError(`input '${m.past}': shape [${t.shape.join(', ')}] does not fit the KV-cache memory %${m.name} [${m.shape.join(', ')}]`);
  }
  if (!FLOAT_TYPES.has(t.dtype)) throw new UserError(`input '${m.past}': a KV-cache past must be float, got ${t.dtype}`);
  const past = quantizeArray(t.data as ArrayLike<number>, f);
  const data = new Int32Array(prod(m.shape));
  for (let h = 0; h < Hk; h++) data.set(past.subarray(h * P * D, (h + 1) * P * D), h * L * D);
  return { kind: 'fixed', shape: [...m.shape], data, format: f };
}

interface TaskEnv {
  spec: QuantSpec;
  mems: Map<string, Memory>;
  state: Map<string, FixedValue>;
  format: (n: string) => FixedFormat;
  where: string;
}

/** A memory the task references, checked to exist with the role and size the kernel expects. */
function memOf(task: Task, i: number, env: TaskEnv, role: Memory['role'], elements?: number): Memory {
  const name = task.mems[i];
  const m = name === undefined ? undefined : env.mems.get(name);
  if (!m) throw new UserError(`${env.where}: expected a ${role} memory at mems[${i}]`);
  if (m.role !== role) throw new UserError(`${env.where}: memory %${m.name} is ${m.role}, expected ${role}`);
  if (elements !== undefined && prod(m.shape) !== elements) {
    throw new UserError(`${env.where}: memory %${m.name} [${m.shape.join(', ')}] does not hold the ${elements} elements the kernel's parameters have`);
  }
  return m;
}

/** A constant activation (e.g. a folded position table) read from a weight memory. */
function constantOf(m: Memory, env: TaskEnv): FixedValue {
  const data = env.spec.constants[m.name];
  if (!data) throw new UserError(`${env.where}: the QuantSpec holds no constant for memory %${m.name}`);
  return { kind: 'fixed', shape: [...m.shape], data, format: env.format(m.name) };
}

const asRows = (v: FixedValue, B = 1): FixedValue => {
  const [T, C] = v.shape;
  return { ...v, shape: [B, T / B, C] };
};

function runTask(task: Task, ks: KernelSpec, ins: (FixedValue | undefined)[], out: FixedFormat, env: TaskEnv): FixedValue {
  const call = (operands: (QValue | undefined)[]) => runKernelQ(ks, { ins: operands, out, where: env.where });
  const streamIn = (slot: number): FixedValue => {
    const v = ins[slot];
    if (!v) throw new UserError(`${env.where}: input slot ${slot} has no stream`);
    return v;
  };
  switch (task.kind) {
    case 'linear': {
      const s = ks as LinearSpec;
      const [K, N] = s.weights.shape;
      memOf(task, 0, env, 'weight', K * N);
      if (s.bias) memOf(task, 1, env, 'weight', N);
      return call([streamIn(0)])[0];
    }
    case 'embedding': {
      const s = ks as EmbeddingSpec;
      memOf(task, 0, env, 'weight', s.table.shape[0] * s.table.shape[1]);
      if (!task.inputs[0]) throw new UnsupportedError(`${env.where}: token ids held in a memory (a constant index) are not supported; stream them from the host`);
      const ids = streamIn(0);
      return call([undefined, { ...ids, shape: [ids.data.length] }])[0];
    }
    case 'layernorm': case 'rmsnorm': {
      const s = ks as NormSpec;
      memOf(task, 0, env, 'weight', s.D);
      if (s.beta) memOf(task, 1, env, 'weight', s.D);
      return call([streamIn(0)])[0];
    }
    case 'gelu': case 'silu':
      return call([streamIn(0)])[0];
    case 'rope': {
      const s = ks as RopeSpec;
      const x = streamIn(0);
      const [rows, C] = x.shape;
      const tableRows = s.cos.length / (C / s.heads);
      const B = rows / tableRows;
      if (!Number.isInteger(B) || B < 1) throw new UserError(`${env.where}: ${rows} tokens do not fit cos/sin tables of ${tableRows} positions`);
      return call([asRows(x, B)])[0];
    }
    case 'swiglu': {
      if (task.inputs.length !== 2 || task.mems.length !== 0) throw new UnsupportedError(`${env.where}: llm.SwiGLU with a constant operand is not supported`);
      return call([streamIn(0), streamIn(1)])[0];
    }
    case 'add': {
      // Add is symmetric (exact integer sum, numpy broadcasting): streams in slot order, then constants.
      const operands: FixedValue[] = task.inputs.map((_, slot) => streamIn(slot));
      task.mems.forEach((_, i) => operands.push(constantOf(memOf(task, i, env, 'weight'), env)));
      if (operands.length !== 2) throw new UserError(`${env.where}: Add takes two operands, got ${operands.length}`);
      return call(operands)[0];
    }
    case 'attention': {
      const [mk, mv] = [memOf(task, 0, env, 'state'), memOf(task, 1, env, 'state')];
      const q = asRows(streamIn(0)), k = asRows(streamIn(1)), v = asRows(streamIn(2));
      const P = task.dims.P ?? 0;
      const past = (m: Memory): FixedValue | undefined => {
        if (m.past === undefined) return undefined;
        const cur = env.state.get(m.name);
        if (!cur) throw new Error(`${env.where}: state memory %${m.name} was not loaded`);
        const [, Hk, L, D] = m.shape;
        const data = new Int32Array(Hk * P * D);
        for (let h = 0; h < Hk; h++) data.set(cur.data.subarray(h * L * D, h * L * D + P * D), h * P * D);
        return { kind: 'fixed', shape: [1, Hk, P, D], data, format: cur.format };
      };
      const [y, presentK, presentV] = call([q, k, v, past(mk), past(mv)]);
      for (const [m, present] of [[mk, presentK], [mv, presentV]] as const) {
        if (prod(present.shape) !== prod(m.shape)) throw new UserError(`${env.where}: present [${present.shape.join(', ')}] does not fit state memory %${m.name} [${m.shape.join(', ')}]`);
        env.state.set(m.name, { ...present, shape: [...m.shape] });
      }
      return y;
    }
    default:
      throw new UnsupportedError(`${env.where}: no interpreter for task kind ${task.kind}`);
  }
}
