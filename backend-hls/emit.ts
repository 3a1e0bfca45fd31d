/**
 * The HLS emitter: from a fused graph (kernels of compiler/kernels/README.md
 * plus elementwise Add) and a plan, build one plain context object that
 * the templates only loop over and substitute into. Every decision is made
 * here: task order, streams and forks, FIFO depths, C++ types, kernel
 * configs, weight layout and placement, top-level ports and pragmas (via the
 * target's dialect), testbench I/O.
 *
 * Dataflow model: every non-constant value is a stream in token-major
 * (row-major) order, in beats of its writer's lanes (kernels/lanes.ts, the
 * RTL's numbers; see "calls in dataflow order, in beats" below). A value read by n consumers gets a chain
 * of n-1 fork tasks; an unused value is drained. Reshape-like ops are
 * relabellings of the same element order, so they alias their input. The
 * KV cache of each attention layer lives in external memory: past_k/past_v
 * graph inputs are written into it by the host, present_k/present_v graph
 * outputs are read back from it.
 */
import { UnsupportedError } from '../compiler/errors.js';
import { Graph, Node, isStatic } from '../compiler/graph.js';
import { Precision } from '../compiler/numerics/precision.js';
import { FixedFormat } from '../compiler/numerics/fixed.js';
import { SharedQuantJob } from '../compiler/numerics/quantize.js';
import { QuantSpec } from '../compiler/numerics/spec.js';
import { Tensor, sizeOf } from '../compiler/tensor.js';
import { Placement, formatPlacement } from './config.js';
import { Dialect, PortPragmaInput } from './dialect.js';
import { BackendPlan, DeviceInfo, StreamInfo } from './plan.js';
import { NameTable, sanitizeIdentifier } from './sanitize.js';
import type { ConfigStruct, KernelContext, KernelModule, KvCache, StreamLanes, Task } from './kernels/context.js';
import { fifoBeats, streamBeats } from './kernels/lanes.js';
import { add } from './kernels/add.js';
import { attention } from './kernels/attention.js';
import { embedding } from './kernels/embedding.js';
import { gate } from './kernels/gate.js';
import { linear } from './kernels/linear.js';
import { norm } from './kernels/norm.js';
import { rope } from './kernels/rope.js';
import { swiglu } from './kernels/swiglu.js';

/** The module (backend-hls/kernels/) that builds each kernel op's config and task, fixed point and fp32. */
const KERNEL_MODULES = new Map<string, KernelModule>([
  ['llm.Linear', linear], ['llm.Embedding', embedding], ['llm.LayerNorm', norm], ['llm.RMSNorm', norm], ['llm.Gelu', gate], ['llm.SiLU', gate],
  ['llm.SwiGLU', swiglu], ['llm.RoPE', rope], ['llm.Attention', attention], ['Add', add],
]);
/** Ops the backend maps onto kernels. */
export const KERNEL_OPS = new Set(KERNEL_MODULES.keys());
/** Ops that only relabel the shape of a row-major stream. */
export const ALIAS_OPS = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);

export type WeightFormat = 'float32' | 'int8' | 'int16' | 'int32' | 'int64';
/** A typed array in the stored format, or (Uint8Array) the stored format's little-endian bytes. */
export type WeightChunk = Float32Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;
export const FORMAT_BYTES: Record<WeightFormat, number> = { float32: 4, int8: 1, int16: 2, int32: 4, int64: 8 };
const FORMAT_CPP: Record<WeightFormat, string> = { float32: 'wgt_type', int8: 'signed char', int16: 'short', int32: 'int', int64: 'long long' };

/** A weight tensor as stored in a bundle file. */
export interface WeightEntry {
  /** Initializer name in the model (manifest only: never written into code). */
  original: string;
  /** How the stored tensor derives from the initializer. */
  layout: 'as-is' | 'transposed' | 'broadcast';
  storedShape: number[];
  count: number;
  /** Storage format of each element in the file. */
  format: WeightFormat;
  bundle: string;
  /** Byte offset in the bundle file (64-byte aligned). */
  offset: number;
  bytes: number;
  /** Yields the stored elements in order, in chunks. */
  chunks: () => Iterable<WeightChunk>;
  /** The same bytes as a job for the helper worker (a large model's int8 weights), when it can write them. */
  shared?: () => SharedQuantJob | undefined;
}

export interface BundleInfo { name: string; file: string; bytes: number; placement: string }

export interface IoInput {
  index: number;
  name: string;
  identifier: string;
  dtype: string;
  shape: number[];
  role: 'stream' | 'kv_past';
  /** Raw file the testbench reads. */
  file: string;
  /** Raw element type: token ids and fixed-point integers q are int32, fp32 values float32. */
  raw: 'int32' | 'float32';
  /** C++ element type of the stream or cache. */
  elem: string;
  /** Fixed-point format of a quantized float input (sim quantizes the values into it). */
  format?: FixedFormat;
  count: number;
  /** Token ids: the vocabulary size (rows of the smallest embedding table reading them); ids must be in [0, vocab). */
  vocab?: number;
}

export interface IoOutput {
  index: number;
  name: string;
  identifier: string;
  dtype: string;
  shape: number[];
  role: 'stream' | 'kv_present';
  file: string;
  raw: 'int32' | 'float32';
  /** Fixed-point format (sim dequantizes q * 2^-frac). */
  format?: FixedFormat;
  count: number;
}

export interface KernelSummary {
  task: string; kernel: string; node: string; opType: string; shape: number[];
  /** The plan the kernel realizes: output lanes, reduction lanes, initiation interval. */
  par: number; kpar: number; ii: number;
  /** Elements a beat on its streamed inputs and its output (kernels/lanes.ts, as the RTL module's ports). */
  lanes: StreamLanes;
  /** Where the kernel reads its weights: external (m_axi) or an on-chip copy (memory kind). */
  weights?: 'external' | 'onchip-lutram' | 'onchip-bram' | 'onchip-uram';
}

export interface EmitResult {
  /** The template context (plain data). */
  context: Record<string, unknown>;
  top: string;
  weights: WeightEntry[];
  bundles: BundleInfo[];
  inputs: IoInput[];
  outputs: IoOutput[];
  kernels: KernelSummary[];
  /** Planned depth in elements; the C++ FIFO holds `beats` beats of `lanes` elements (the writer's). */
  streams: { name: string; depth: number; elements: number; lanes: number; beats: number }[];
  /** The top function's arguments in order (the XRT wrapper kernel mirrors them: backend-hls/xrt-host.ts). */
  topArgs: TopArg[];
  /** The same design as data (backend-rtl renders it as Verilog). */
  design: Design;
}

/** One argument of the top function: a streamed graph input/output, a weight tensor or a KV cache. */
export type TopArg =
  | { kind: 'stream_in'; name: string; elem: string; raw: 'int32' | 'float32'; count: number; file: string }
  | { kind: 'stream_out'; name: string; elem: string; raw: 'int32' | 'float32'; count: number; file: string }
  | { kind: 'weight'; name: string; elem: string; bundle: string; offset: number; bytes: number; count: number }
  | { kind: 'cache'; name: string; elem: string; bundle: string; count: number };

/**
 * The planned design as plain data, for renderers other than the C++ one
 * (backend-rtl): each kernel task with its configuration, lanes and weights,
 * the stream plumbing (forks, copies, drains) and the streams between them.
 */
export interface DesignTask {
  id: string;
  /** The C++ kernel name (linear_q, norm_q_nobeta, attention_q, ...). */
  kernel: string;
  opType: string;
  node: string;
  /** The kernel's shape as the C++ comment states it (an elementwise kernel's: its output's). */
  shape: number[];
  params: Record<string, number | bigint>;
  par: number;
  kpar: number;
  ii: number;
  weights: WeightEntry[];
  /** Elements a beat on each streamed input and on the output. */
  lanes: StreamLanes;
  /** Stream (or top-level port) identifiers read, in kernel argument order, and the one written. */
  inputs: string[];
  output?: string;
}
export interface DesignPlumbing { kind: 'fork2' | 'copy' | 'drain'; task: string; input: string; outputs: string[]; elements: number }
export interface DesignStream { name: string; depth: number; elements: number; rowWidth: number; elem: string }
export interface Design { tasks: DesignTask[]; plumbing: DesignPlumbing[]; streams: DesignStream[] }

export interface EmitOptions {
  dialect: Dialect;
  precision: Precision;
  plan: BackendPlan;
  device: DeviceInfo;
  version: string;
  /** The quantization spec (fixed-point precisions). */
  spec?: QuantSpec;
}

const ALIGN = 64;

/** Shortest decimal that reads back as the same float32, as a C++ float literal. */
export function floatLiteral(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new UnsupportedError(`the constant ${x} cannot be written as a finite float`);
  let text = '';
  for (let p = 1; p <= 9; p++) {
    text = f.toPrecision(p);
    if (Math.fround(Number(text)) === f) break;
  }
  text = String(Number(text));
  if (!/[.e]/.test(text)) text += '.0';
  return `${text}f`;
}

type Endpoint = { kind: 'task'; task: Task; slot: number } | { kind: 'output'; index: number };

function prod(xs: readonly number[]): number { return sizeOf(xs); }

export function emitProject(graph: Graph, options: EmitOptions): EmitResult {
  const { dialect, plan, precision, spec } = options;
  if (!precision.float && !spec) throw new Error(`--precision ${precision.name} needs a QuantSpec`);
  const fixed = !precision.float ? spec! : undefined;
  const A = precision.activationBits;
  const fmtOf = (v: string): FixedFormat => {
    const f = fixed!.formats[v];
    if (!f) throw new UnsupportedError(`no fixed-point format for value '${sanitizeIdentifier(v)}'`);
    return f;
  };
  const names = new NameTable();
  for (const t of ['act_type', 'tok_type', 'wgt_type', 'acc_type', 'kv_type', 'main']) names.claim(t);
  const top = names.get(graph.name || 'model');
  // Constants, plus transposes of constants seen as transposed views (a fused graph built
  // directly, e.g. a tied LM head, may keep Transpose(wte); prepareGraph folds it otherwise).
  const consts = new Map(graph.initializers);
  const constViews = new Set<Node>();
  for (const node of graph.nodes) {
    const src = node.opType === 'Transpose' ? consts.get(node.inputs[0]) : undefined;
    const perm = node.attrs.perm as number[] | undefined;
    if (!src || src.rank !== 2 || (perm && (perm[0] !== 1 || perm[1] !== 0))) continue;
    const [r, c] = src.shape;
    consts.set(node.outputs[0], new Tensor(src.dtype, [c, r], () => {
      const d = src.peek(), out = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = d[i * c + j];
      return out;
    }));
    constViews.add(node);
  }

  // ---- shapes and aliases ---------------------------------------------------
  const shapeOf = (v: string): number[] => {
    const c = consts.get(v);
    if (c) return [...c.shape];
    const t = graph.types.get(v);
    if (!t || !isStatic(t.shape)) throw new UnsupportedError(`value '${sanitizeIdentifier(v)}' has no static shape; bind symbolic dims with --bind`);
    return t.shape;
  };
  const dtypeOf = (v: string): string => consts.get(v)?.dtype ?? graph.types.get(v)?.dtype ?? '?';
  const alias = new Map<string, string>();
  const resolve = (v: string): string => { let x = v; while (alias.has(x)) x = alias.get(x)!; return x; };

  const unsupported: string[] = [];
  for (const node of graph.nodes) {
    if (constViews.has(node)) continue;
    if (ALIAS_OPS.has(node.opType) && !consts.has(node.inputs[0])) { alias.set(node.outputs[0], node.inputs[0]); continue; }
    if (!KERNEL_OPS.has(node.opType)) unsupported.push(node.opType);
  }
  if (unsupported.length) {
    const hist = [...new Set(unsupported)].map((op) => `${sanitizeIdentifier(op)} x${unsupported.filter((o) => o === op).length}`);
    throw new UnsupportedError(`the HLS backend maps fused kernels only; the fused graph still holds: ${hist.join(', ')}`);
  }

  // ---- graph I/O roles -----------------------------------------------------
  const inputIndex = new Map(graph.inputs.map((v, i) => [v.name, i]));
  const outputIndex = new Map<string, number[]>();
  graph.outputs.forEach((o, i) => { const r = resolve(o.name); outputIndex.set(r, [...(outputIndex.get(r) ?? []), i]); });
  const kvPast = new Map<string, { node: Node; which: 'k' | 'v' }>();
  const kvPresent = new Map<string, { node: Node; which: 'k' | 'v' }>();
  for (const node of graph.nodes) {
    if (node.opType !== 'llm.Attention') continue;
    ([[3, 'k'], [4, 'v']] as const).forEach(([slot, which]) => {
      const v = node.inputs[slot] ? resolve(node.inputs[slot]) : '';
      if (!v) return;
      if (!inputIndex.has(v) || kvPast.has(v)) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: past_${which} must be a graph input of its own`);
      kvPast.set(v, { node, which });
    });
    ([[1, 'k'], [2, 'v']] as const).forEach(([slot, which]) => {
      const v = node.outputs[slot];
      if (v) kvPresent.set(v, { node, which });
    });
  }

  // ---- types ----------------------------------------------------------------
  const typedefs = fixed ? [
    { name: 'act_type', cpp: `llm2hls::sint<${A}>` }, { name: 'wgt_type', cpp: 'signed char' }, { name: 'acc_type', cpp: 'long long' },
    { name: 'kv_type', cpp: 'act_type' }, { name: 'tok_type', cpp: 'int' },
  ] : [
    { name: 'act_type', cpp: 'float' }, { name: 'wgt_type', cpp: 'float' }, { name: 'acc_type', cpp: 'float' },
    { name: 'kv_type', cpp: 'float' }, { name: 'tok_type', cpp: 'int' },
  ];
  const elemOf = (v: string): string => (/^u?int/.test(dtypeOf(v)) ? 'tok_type' : 'act_type');

  // ---- weights ----------------------------------------------------------------
  const bundleOf = new Map<string, string>();
  const bundles: BundleInfo[] = [];
  const bundleFor = (p: Placement, kind: 'w' | 'kv'): string => {
    const key = `${kind}:${formatPlacement(p)}`;
    let b = bundleOf.get(key);
    if (!b) {
      b = kind === 'w' ? `gmem${bundles.length}` : `kvmem${[...bundleOf.keys()].filter((k) => k.startsWith('kv:')).length}`;
      bundleOf.set(key, b);
      if (kind === 'w') bundles.push({ name: b, file: `${b}.bin`, bytes: 0, placement: formatPlacement(p) });
    }
    return b;
  };
  const kvBundles = new Map<string, string>();
  const weights: WeightEntry[] = [];
  const stored = new Map<string, WeightEntry>();
  const weightArgs: { arg: string; elem: string; entry: WeightEntry }[] = [];
  const weightUse = new Map<string, string>();

  const addWeight = (node: Node, original: string, layout: WeightEntry['layout'], tensor: Tensor | undefined, storedShape: number[],
    chunks: () => Iterable<WeightChunk>, format: WeightFormat = 'float32', shared?: WeightEntry['shared']): string => {
    if (tensor && !/^float/.test(tensor.dtype)) throw new UnsupportedError(`weight '${sanitizeIdentifier(original)}' has element type ${tensor.dtype}; the fp32 backend expects float weights`);
    const placement = plan.weightPlacement(node, original);
    const bundle = bundleFor(placement, 'w');
    const key = `${original}\u0000${layout}\u0000${storedShape.join(',')}\u0000${bundle}`;
    let entry = stored.get(key);
    if (!entry) {
      const info = bundles.find((b) => b.name === bundle)!;
      const offset = Math.ceil(info.bytes / ALIGN) * ALIGN;
      const count = prod(storedShape);
      entry = { original, layout, storedShape, count, format, bundle, offset, bytes: count * FORMAT_BYTES[format], chunks, shared };
      info.bytes = offset + entry.bytes;
      stored.set(key, entry);
      weights.push(entry);
    }
    const first = weightUse.get(original);
    const arg = first === undefined ? names.get(original, 'w') : names.claim(`${first}_use`);
    if (first === undefined) weightUse.set(original, arg);
    weightArgs.push({ arg, elem: FORMAT_CPP[format], entry });
    return arg;
  };
  const constant = (node: Node, v: string, what: string): Tensor => {
    const t = consts.get(v);
    if (!t) throw new UnsupportedError(`${node.opType} ${sanitizeIdentifier(node.name)}: ${what} must be a constant`);
    return t;
  };

  // ---- tasks ------------------------------------------------------------------
  const tasks: Task[] = [];
  const configs: ConfigStruct[] = [];
  const caches: { arg: string; elem: string; size: number; bundle: string; heads: number; len: number; width: number; past: number }[] = [];
  const cacheOf = new Map<string, (typeof caches)[number]>();
  const kernels: KernelSummary[] = [];
  /** The KV cache of an attention layer (one m_axi buffer for k, one for v) and its task. */
  const attentionTask = (node: Node, id: string, cfgName: string, ins: string[], out: string, kernel: string, cache: KvCache, shape: number[]): Task => {
    const { heads: Hk, len: L, width: hd, vWidth: hdv, past: P } = cache;
    const place = plan.kvPlacement(node);
    const key = formatPlacement(place);
    if (!kvBundles.has(key)) kvBundles.set(key, bundleFor(place, 'kv'));
    const bundle = kvBundles.get(key)!;
    const kc = { arg: names.get(node.name || id, 'kcache'), elem: 'kv_type', size: Hk * L * hd, bundle, heads: Hk, len: L, width: hd, past: P };
    const vc = { arg: names.get(node.name || id, 'vcache'), elem: 'kv_type', size: Hk * L * hdv, bundle, heads: Hk, len: L, width: hdv, past: P };
    caches.push(kc, vc);
    if (ins[3]) cacheOf.set(ins[3], kc);
    if (ins[4]) cacheOf.set(ins[4], vc);
    if (node.outputs[1]) cacheOf.set(node.outputs[1], kc);
    if (node.outputs[2]) cacheOf.set(node.outputs[2], vc);
    return {
      id, kernel, node, inputs: [ins[0], ins[1], ins[2]], output: out, inputIds: [], comment: '', shape, params: {}, weights: [], lanes: { inputs: [], output: 1 },
      call: (i, o) => `llm2hls::${kernel}<${cfgName}>(${i[0]}, ${i[1]}, ${i[2]}, ${kc.arg}, ${vc.arg}, ${o});`,
    };
  };

  for (const node of graph.nodes) {
    if (constViews.has(node) || (ALIAS_OPS.has(node.opType) && alias.has(node.outputs[0]))) continue;
    const id = names.get(node.name || `${node.opType}_${tasks.length}`, 't');
    const cfgName = names.get(node.name || `${node.opType}_${tasks.length}`, 'cfg');
    const ins = node.inputs.map((v) => (v ? resolve(v) : ''));
    const out = node.outputs[0];
    const outShape = shapeOf(out);
    const tp = plan.task(node);
    const kp = tp.kParallelism ?? 1;
    let storage: KernelSummary['weights'];
    const cfg: ConfigStruct = { name: cfgName, comment: '', ints: [], floats: [], longs: [], types: [] };
    const longs: Record<string, number> = {};
    const firstWeight = weightArgs.length;
    let lanes: StreamLanes | undefined;
    let quant: KernelContext['quant'];
    if (fixed) {
      const ks = fixed.kernels[out];
      if (!ks) throw new UnsupportedError(`${node.opType} ${sanitizeIdentifier(node.name)}: no quantization spec`);
      quant = { kernel: ks, constants: fixed.constants, format: fmtOf, y: () => fmtOf(out) };
    }
    const build = KERNEL_MODULES.get(node.opType);
    if (!build) throw new UnsupportedError(`op ${sanitizeIdentifier(node.opType)} has no ${fixed ? 'fixed-point ' : ''}HLS kernel`);
    const task = build({
      node, ins, out, outShape, shapeOf, constOf: (v) => consts.get(v), resolve, plan: tp, kpar: kp, quant,
      int: (name, value) => { cfg.ints.push({ name, value }); },
      lng: (name, value) => { cfg.longs.push({ name, value: `${value}LL` }); longs[name] = value; },
      flt: (name, value) => { cfg.floats.push({ name, value: floatLiteral(value) }); },
      types: (pairs) => { cfg.types = Object.entries(pairs).map(([name, cpp]) => ({ name, cpp })); },
      lanes: (i, o) => { lanes = { inputs: i, output: o }; },
      constant: (v, what) => constant(node, v, what),
      addWeight: (...args) => addWeight(node, ...args),
      // Where a Linear reads W (and its bias, requantization): on chip when the plan says so.
      weightStorage: (w) => {
        const st = plan.weightStorage?.(node, w) ?? { kind: 'external' as const };
        storage = st.kind === 'onchip' ? `onchip-${st.impl}` : 'external';
        return st.kind === 'onchip' ? st.impl : undefined;
      },
      task: (kernel, streamIns, call, shape) => ({ id, kernel, node, inputs: streamIns, output: out, inputIds: [], call, comment: '', shape, params: {}, weights: [], lanes: { inputs: [], output: 1 } }),
      attentionTask: (kernel, cache, shape) => attentionTask(node, id, cfgName, ins, out, kernel, cache, shape),
      render: (kernel, args, extra = []) => `llm2hls::${kernel}<${[cfgName, ...extra].join(', ')}>(${args.map(String).join(', ')});`,
    });
    if (!lanes || lanes.inputs.length !== task.inputs.length) throw new Error(`kernel ${task.kernel}: its module set no lanes for its ${task.inputs.length} streamed input(s)`);
    task.lanes = lanes;
    for (const v of task.inputs) if (consts.has(v)) throw new UnsupportedError(`${node.opType} ${sanitizeIdentifier(node.name)}: a streamed input is a constant`);
    task.params = { ...Object.fromEntries(cfg.ints.map((i) => [i.name, i.value])), ...longs };
    task.weights = weightArgs.slice(firstWeight).map((w) => w.entry);
    cfg.comment = `${task.kernel} ${id}: [${task.shape.join(', ')}]`;
    task.comment = cfg.comment;
    configs.push(cfg);
    tasks.push(task);
    kernels.push({ task: id, kernel: task.kernel, node: node.name, opType: node.opType, shape: task.shape, par: tp.parallelism, kpar: kp, ii: tp.ii, lanes: task.lanes, weights: storage });
  }

  // ---- ports --------------------------------------------------------------------
  const vocabOf = (v: string): number | undefined => {
    const rows = graph.nodes.filter((n) => n.opType === 'llm.Embedding' && resolve(n.inputs[1]) === v).map((n) => shapeOf(n.inputs[0])[0]);
    return rows.length ? Math.min(...rows) : undefined;
  };
  const inputs: IoInput[] = graph.inputs.map((v, i) => {
    const shape = shapeOf(v.name);
    const past = cacheOf.get(v.name);
    return {
      index: i, name: v.name, identifier: past ? past.arg : names.get(v.name, 'in'), dtype: v.dtype, shape,
      role: past ? 'kv_past' : 'stream', file: `input_${i}.bin`, count: prod(shape),
      raw: elemOf(v.name) === 'tok_type' || fixed ? 'int32' : 'float32', elem: past ? past.elem : elemOf(v.name),
      format: fixed && elemOf(v.name) !== 'tok_type' ? fmtOf(v.name) : undefined,
      vocab: elemOf(v.name) === 'tok_type' ? vocabOf(v.name) : undefined,
    };
  });
  for (const inp of inputs) if (inp.role === 'stream' && inp.raw === 'float32' && !/^float/.test(inp.dtype)) throw new UnsupportedError(`input ${inp.identifier}: element type ${inp.dtype} is not supported`);
  const outputs: IoOutput[] = graph.outputs.map((v, i) => {
    const shape = shapeOf(v.name);
    const present = cacheOf.get(resolve(v.name));
    if (!present && !/^float/.test(dtypeOf(resolve(v.name)))) throw new UnsupportedError(`output ${sanitizeIdentifier(v.name)}: element type ${dtypeOf(v.name)}; only float outputs are streamed`);
    if (!present && consts.has(resolve(v.name))) throw new UnsupportedError(`output ${sanitizeIdentifier(v.name)} is a constant`);
    return {
      index: i, name: v.name, identifier: present ? present.arg : names.get(v.name, 'out'), dtype: v.dtype, shape,
      role: present ? 'kv_present' : 'stream', file: `output_${i}.bin`, raw: fixed ? 'int32' : 'float32', count: prod(shape),
      format: fixed ? fmtOf(v.name) : undefined,
    };
  });

  // ---- wiring: endpoints, forks, drains -------------------------------------------
  const endpoints = new Map<string, Endpoint[]>();
  const addEnd = (v: string, e: Endpoint) => endpoints.set(v, [...(endpoints.get(v) ?? []), e]);
  for (const t of tasks) t.inputs.forEach((v, slot) => addEnd(v, { kind: 'task', task: t, slot }));
  outputs.forEach((o) => { if (o.role === 'stream') addEnd(resolve(graph.outputs[o.index].name), { kind: 'output', index: o.index }); });
  for (const v of kvPresent.keys()) {
    const ends = endpoints.get(v);
    if (ends?.some((e) => e.kind === 'task')) throw new UnsupportedError(`present key/value '${sanitizeIdentifier(v)}' is read by another layer; only graph outputs may read the KV cache`);
  }

  const streams: { name: string; elem: string; depth: number; elements: number; rowWidth: number }[] = [];
  let valueOf = '';
  const newStream = (base: string, elem: string, elements: number, rowWidth: number, forkBranch: boolean, consumer?: Node): string => {
    const name = names.get(base, 's');
    const info: StreamInfo = { name, value: valueOf, elements, rowWidth, forkBranch, consumer };
    const depth = plan.fifoDepth(info);
    streams.push({ name, elem, depth, elements, rowWidth });
    return name;
  };
  type Plumb = Omit<DesignPlumbing, 'task'> & { elem: string };
  const plumbing = new Map<string, Plumb[]>(); // value -> fork/drain/copy tasks, placed after its producer
  const producerOf = new Map<string, Task>();
  for (const t of tasks) if (t.output) producerOf.set(t.output, t);

  const wire = (v: string, writerIsInput: string | undefined) => {
    const ends = endpoints.get(v) ?? [];
    valueOf = v;
    const shape = shapeOf(v), elements = prod(shape), row = shape[shape.length - 1] ?? 1;
    const elem = elemOf(v);
    const calls: Plumb[] = [];
    const producer = producerOf.get(v);
    const endId = (e: Endpoint, forked: boolean, branch = 0): string => (e.kind === 'output'
      ? outputs[e.index].identifier
      : newStream(forked ? `${v}_f${branch}` : v, elem, elements, row, forked, e.task.node));
    let writer: string;
    if (ends.length === 1 && !writerIsInput) {
      writer = endId(ends[0], false);
      if (ends[0].kind === 'task') ends[0].task.inputIds[ends[0].slot] = writer;
    } else if (ends.length === 1 && ends[0].kind === 'task') {
      writer = writerIsInput!;
      ends[0].task.inputIds[ends[0].slot] = writer;
    } else {
      writer = writerIsInput ?? newStream(v, elem, elements, row, false, undefined);
      if (ends.length === 0) calls.push({ kind: 'drain', elem, elements, input: writer, outputs: [] });
      else if (ends.length === 1) calls.push({ kind: 'copy', elem, elements, input: writer, outputs: [endId(ends[0], false)] });
      else {
        let cur = writer;
        for (let i = 0; i < ends.length - 1; i++) {
          const a = endId(ends[i], true, i + 1);
          if (ends[i].kind === 'task') { const e = ends[i] as Extract<Endpoint, { kind: 'task' }>; e.task.inputIds[e.slot] = a; }
          let b: string;
          if (i === ends.length - 2) {
            b = endId(ends[i + 1], true, i + 2);
            const last = ends[i + 1];
            if (last.kind === 'task') last.task.inputIds[last.slot] = b;
          } else b = newStream(`${v}_r${i + 1}`, elem, elements, row, true, undefined);
          calls.push({ kind: 'fork2', elem, elements, input: cur, outputs: [a, b] });
          cur = b;
        }
      }
    }
    if (producer) producer.outputId = writer;
    if (calls.length) plumbing.set(v, calls);
  };
  for (const inp of inputs) if (inp.role === 'stream') wire(inp.name, inp.identifier);
  for (const t of tasks) if (t.output) wire(t.output, undefined);

  // ---- calls in dataflow order, in beats -------------------------------------------------
  // Each call is one dataflow task; `task` names it for csim-threads (kernels by their task id,
  // fork/copy/drain tasks after the task or input whose value they fan out). Internal streams
  // carry beats of their writer's lanes (llm2hls::vec<elem, lanes>), as the RTL's channels do:
  // a graph input is one element a beat (`to_beats` packs its port), a reader taking other lanes
  // reads through a `regear` task (the RTL's gearbox), and an output port is unpacked from its
  // writer's beats (`from_beats`). The design record keeps the planned streams and plumbing only.
  const calls: { comment: string; code: string; task: string }[] = [];
  const taskNames = new Set<string>(tasks.map((t) => t.id.toLowerCase()));
  const uniqueTask = (name: string): string => {
    let n = name;
    for (let k = 2; taskNames.has(n.toLowerCase()); k++) n = `${name}_${k}`;
    taskNames.add(n.toLowerCase());
    return n;
  };
  const plumbingName = (base: string, i: number): string => uniqueTask(`${base}_fanout${i}`);
  const streamInputs = inputs.filter((i) => i.role === 'stream');
  const streamOutputs = outputs.filter((o) => o.role === 'stream');
  const portIn = new Map(streamInputs.map((i) => [i.identifier, i]));
  const portOut = new Map(streamOutputs.map((o) => [o.identifier, o]));
  const streamOf = new Map(streams.map((st) => [st.name, st]));
  /** Elements, row width and element type of a design stream or port. */
  const geometry = (id: string): { elements: number; row: number; elem: string } => {
    const st = streamOf.get(id);
    if (st) return { elements: st.elements, row: st.rowWidth, elem: st.elem };
    const io = portIn.get(id) ?? portOut.get(id);
    if (!io) throw new Error(`no stream or port ${id}`);
    return { elements: io.count, row: io.shape[io.shape.length - 1] ?? 1, elem: 'elem' in io ? io.elem : 'act_type' };
  };
  const beat = (elem: string, lanes: number) => `llm2hls::vec<${elem}, ${lanes}>`;
  /** Lanes of each design stream or port (its writer's), and the C++ stream that carries it. */
  const lanesOf = new Map<string, number>();
  const cppOf = new Map<string, string>();
  const cppStreams: { name: string; elem: string; lanes: number; beats: number; elements: number; depth: number }[] = [];
  const extraStream = (name: string, elem: string, lanes: number, elements: number) => {
    cppStreams.push({ name, elem, lanes, beats: 2, elements, depth: 2 * lanes });
    return name;
  };
  const unpacks: { comment: string; code: string; task: string }[] = [];
  /** The C++ stream a writer of design id `id` at `lanes` writes (an output port: the beats its unpacking reads). */
  const written = (id: string, lanes: number): string => {
    lanesOf.set(id, lanes);
    const o = portOut.get(id);
    if (!o) { cppOf.set(id, id); return id; }
    const { elements, row } = geometry(id);
    const b = extraStream(names.claim(`${id}_beats`), 'act_type', lanes, elements);
    cppOf.set(id, b);
    unpacks.push({ comment: `output ${id}: beats to the port`, code: `llm2hls::from_beats<act_type, ${elements / row}, ${row}, ${lanes}>(${b}, ${id});`, task: uniqueTask(`${id}_unpack`) });
    return b;
  };
  const readOf = (id: string): { cpp: string; lanes: number } => {
    const lanes = lanesOf.get(id), cpp = cppOf.get(id);
    if (lanes === undefined || cpp === undefined) throw new Error(`stream ${id} is read before it is written`);
    return { cpp, lanes };
  };
  const plumbCall = (p: Plumb): string => {
    const { cpp, lanes } = readOf(p.input);
    const { row } = geometry(p.input);
    const B = streamBeats(p.elements, row, lanes), T = beat(p.elem, lanes);
    const outs = p.outputs.map((o) => written(o, lanes));
    return p.kind === 'drain'
      ? `llm2hls::drain<${T}, ${B}>(${cpp});`
      : p.kind === 'copy'
        ? `llm2hls::copy<${T}, ${T}, ${B}>(${cpp}, ${outs[0]});`
        : `llm2hls::fork2<${T}, ${B}>(${cpp}, ${outs[0]}, ${outs[1]});`;
  };
  const designPlumbing: DesignPlumbing[] = [];
  const addPlumbing = (value: string, comment: string, base: string) => (plumbing.get(value) ?? []).forEach((p, i) => {
    const task = plumbingName(base, i + 1);
    calls.push({ comment, code: plumbCall(p), task });
    designPlumbing.push({ kind: p.kind, task, input: p.input, outputs: p.outputs, elements: p.elements });
  });
  for (const inp of streamInputs) {
    const { elements, row, elem } = geometry(inp.identifier);
    const b = extraStream(names.claim(`${inp.identifier}_beats`), elem, 1, elements);
    lanesOf.set(inp.identifier, 1);
    cppOf.set(inp.identifier, b);
    calls.push({ comment: `input ${inp.identifier}: the port in beats`, code: `llm2hls::to_beats<${elem}, ${elements / row}, ${row}, 1>(${inp.identifier}, ${b});`, task: uniqueTask(`${inp.identifier}_pack`) });
  }
  for (const inp of inputs) addPlumbing(inp.name, `input ${inp.identifier}`, inp.identifier);
  for (const t of tasks) {
    const ins = t.inputIds.map((id, slot) => {
      const { cpp, lanes } = readOf(id);
      const want = t.lanes.inputs[slot];
      if (lanes === want) return cpp;
      const { elements, row, elem } = geometry(id);
      const g = extraStream(names.claim(`${cpp}_l${want}`), elem, want, elements);
      calls.push({ comment: `${t.id} reads ${want} lanes a beat: ${lanes} to ${want}`, code: `llm2hls::regear<${elem}, ${elements / row}, ${row}, ${lanes}, ${want}>(${cpp}, ${g});`, task: uniqueTask(`${t.id}_gear${slot}`) });
      return g;
    });
    const out = t.outputId === undefined ? undefined : written(t.outputId, t.lanes.output);
    calls.push({ comment: t.comment, code: t.call(ins, out), task: t.id });
    addPlumbing(t.output ?? '', `fan-out of ${t.id}`, t.id);
  }
  calls.push(...unpacks);
  // The planned streams in beats of their writer's lanes (the planned elements, rounded up to beats).
  for (const st of streams) {
    const lanes = lanesOf.get(st.name);
    if (lanes === undefined) throw new Error(`stream ${st.name} has no writer`);
    cppStreams.push({ name: st.name, elem: st.elem, lanes, beats: fifoBeats(st.depth, lanes), elements: st.elements, depth: st.depth });
  }
  cppStreams.sort((a, b) => Number(streamOf.has(b.name)) - Number(streamOf.has(a.name)));

  // ---- top signature and pragmas -------------------------------------------------------
  const args: string[] = [];
  const ports: PortPragmaInput[] = [];
  for (const i of inputs) if (i.role === 'stream') { args.push(`llm2hls::stream<${i.elem}> &${i.identifier}`); ports.push({ port: i.identifier, kind: 'axis' }); }
  for (const o of outputs) if (o.role === 'stream') { args.push(`llm2hls::stream<act_type> &${o.identifier}`); ports.push({ port: o.identifier, kind: 'axis' }); }
  for (const w of weightArgs) { args.push(`const ${w.elem} *${w.arg}`); ports.push({ port: w.arg, kind: 'm_axi', bundle: w.entry.bundle, depth: w.entry.count }); }
  for (const c of caches) { args.push(`${c.elem} *${c.arg}`); ports.push({ port: c.arg, kind: 'm_axi', bundle: c.bundle, depth: c.size }); }
  const signature = args.join(', ');
  const topArgs: TopArg[] = [
    ...inputs.filter((i) => i.role === 'stream').map((i) => ({ kind: 'stream_in' as const, name: i.identifier, elem: i.elem, raw: i.raw, count: i.count, file: i.file })),
    ...outputs.filter((o) => o.role === 'stream').map((o) => ({ kind: 'stream_out' as const, name: o.identifier, elem: 'act_type', raw: o.raw, count: o.count, file: o.file })),
    ...weightArgs.map((w) => ({ kind: 'weight' as const, name: w.arg, elem: w.elem, bundle: w.entry.bundle, offset: w.entry.offset, bytes: w.entry.bytes, count: w.entry.count })),
    ...caches.map((c) => ({ kind: 'cache' as const, name: c.arg, elem: c.elem, bundle: c.bundle, count: c.size })),
  ];

  // ---- testbench -----------------------------------------------------------------------------
  const bundleVar = (b: string) => `bundle_${b}`;
  const callArgs = [
    ...inputs.filter((i) => i.role === 'stream').map((i) => i.identifier),
    ...outputs.filter((o) => o.role === 'stream').map((o) => o.identifier),
    ...weightArgs.map((w) => w.arg),
    ...caches.map((c) => c.arg),
  ].join(', ');
  const banks = [
    ...bundles.map((b) => ({ bundle: b.name, bank: b.placement })),
    ...[...kvBundles.entries()].map(([placement, bundle]) => ({ bundle, bank: placement })),
  ];

  const context = {
    version: options.version,
    target: dialect.name,
    precision: precision.name,
    device: options.device.id,
    top,
    guard: `${top.toUpperCase()}_H`,
    header: 'top.h',
    defineMacro: dialect.defineMacro,
    typeHeader: dialect.typeHeader,
    macros: dialect.kernelMacros,
    typedefs,
    configs,
    signature,
    beforeTop: dialect.beforeTop(ports),
    insideTop: dialect.insideTop(ports).map((l) => `  ${l}`),
    streams: cppStreams.map((s) => ({ name: s.name, type: beat(s.elem, s.lanes), pragmas: dialect.streamDepth(s.name, s.beats).map((p) => `  ${p}`) })),
    calls,
    // csim-threads: internal streams bounded to their planned depths, top-level ports unbounded (the host side).
    hostStreams: [
      ...cppStreams.map((s) => ({ name: s.name, depth: s.beats })),
      ...inputs.filter((i) => i.role === 'stream').map((i) => ({ name: i.identifier, depth: 0 })),
      ...outputs.filter((o) => o.role === 'stream').map((o) => ({ name: o.identifier, depth: 0 })),
    ],
    bundles: bundles.map((b) => ({ name: bundleVar(b.name), file: b.file, bytes: b.bytes })),
    weights: weightArgs.map((w) => ({ arg: w.arg, elem: w.elem, bundle: bundleVar(w.entry.bundle), offset: w.entry.offset })),
    caches,
    pastInputs: inputs.filter((i) => i.role === 'kv_past').map((i) => {
      const c = cacheOf.get(i.name)!;
      return { file: i.file, count: i.count, heads: c.heads, past: c.past, width: c.width, cacheLen: c.len, cache: c.arg, elem: c.elem, raw: i.raw === 'int32' ? 'int32_t' : 'float' };
    }),
    // vocab 0: not token ids (the testbench refuses ids outside [0, vocab)).
    streamInputs: inputs.filter((i) => i.role === 'stream').map((i) => ({ arg: i.identifier, elem: i.elem, raw: i.raw === 'int32' ? 'int32_t' : 'float', file: i.file, count: i.count, index: i.index, vocab: i.vocab ?? 0 })),
    streamOutputs: outputs.filter((o) => o.role === 'stream').map((o) => ({ arg: o.identifier, elem: 'act_type', raw: o.raw === 'int32' ? 'int32_t' : 'float', file: o.file, count: o.count, index: o.index })),
    presentOutputs: outputs.filter((o) => o.role === 'kv_present').map((o) => ({ file: o.file, size: o.count, cache: o.identifier, raw: o.raw === 'int32' ? 'int32_t' : 'float', index: o.index })),
    // The testbench checks outputs against expected ones bit for bit in fixed point, within a tolerance in fp32.
    exactOutputs: fixed ? 'true' : 'false',
    callArgs,
    banks,
    platform: options.device.platform,
    part: options.device.part,
    tclPart: `{${options.device.part}}`,
    bambuDevice: options.device.bambuDevice,
    clockNs: options.device.clockNs,
    hlsProject: 'hls_prj',
    ports: [
      ...inputs.map((i) => ({ name: i.identifier, what: i.role === 'stream' ? `input ${i.index}, AXI-Stream of ${i.count} ${i.raw === 'int32' ? 'token ids' : 'activations'} [${i.shape.join(', ')}]` : `input ${i.index}, past rows written into a KV cache (m_axi) by the host` })),
      ...outputs.map((o) => ({ name: o.identifier, what: o.role === 'stream' ? `output ${o.index}, AXI-Stream of ${o.count} values [${o.shape.join(', ')}]` : `output ${o.index}, read back from a KV cache (m_axi)` })),
      ...weightArgs.map((w) => ({ name: w.arg, what: `weights, m_axi bundle ${w.entry.bundle}, ${w.entry.count} x ${w.entry.format} at byte ${w.entry.offset} of weights/${w.entry.bundle}.bin` })),
      ...caches.map((c) => ({ name: c.arg, what: `KV cache [${c.heads}][${c.len}][${c.width}], m_axi bundle ${c.bundle}` })),
    ],
    tasks: kernels.map((k) => ({ name: k.task, kernel: k.kernel, shape: `[${k.shape.join(', ')}]` })),
  };

  return {
    context, top, weights, bundles, inputs, outputs, kernels, topArgs,
    streams: cppStreams.map((s) => ({ name: s.name, depth: s.depth, elements: s.elements, lanes: s.lanes, beats: s.beats })),
    design: {
      tasks: tasks.map((t, i) => ({
        id: t.id, kernel: t.kernel, opType: t.node?.opType ?? '', node: t.node?.name ?? '', shape: t.shape, params: t.params,
        par: kernels[i].par, kpar: kernels[i].kpar, ii: kernels[i].ii, lanes: t.lanes, weights: t.weights, inputs: t.inputIds, output: t.outputId,
      })),
      plumbing: designPlumbing,
      streams: streams.map((s) => ({ name: s.name, depth: s.depth, elements: s.elements, rowWidth: s.rowWidth, elem: s.elem })),
    },
  };
}
