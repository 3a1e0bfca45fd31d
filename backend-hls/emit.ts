/**
 * The HLS emitter: from a fused graph (kernels of compiler/kernels/README.md
 * plus elementwise Add) and a plan, build one plain context object that
 * the templates only loop over and substitute into. Every decision is made
 * here: task order, streams and forks, FIFO depths, C++ types, kernel
 * configs, weight layout and placement, top-level ports and pragmas (via the
 * target's dialect), testbench I/O.
 *
 * Dataflow model: every non-constant value is a stream of scalar elements in
 * token-major (row-major) order. A value read by n consumers gets a chain
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
import { SharedQuantJob, quantizedRowChunks, quantizedTransposedChunks, sharedQuantJob } from '../compiler/numerics/quantize.js';
import { transposeF32SimdBlocks } from './transpose-simd.js';
import { AttentionSpec, EmbeddingSpec, GateSpec, LinearSpec, NormSpec, QuantSpec, RopeSpec } from '../compiler/numerics/spec.js';
import { Tensor, sizeOf } from '../compiler/tensor.js';
import { Placement, formatPlacement } from './config.js';
import { Dialect, PortPragmaInput } from './dialect.js';
import { BackendPlan, DeviceInfo, StreamInfo } from './plan.js';
import { NameTable, sanitizeIdentifier } from './sanitize.js';

/** Ops the backend maps onto kernels. */
export const KERNEL_OPS = new Set([
  'llm.Linear', 'llm.Embedding', 'llm.LayerNorm', 'llm.RMSNorm', 'llm.Gelu', 'llm.SiLU', 'llm.SwiGLU', 'llm.RoPE',
  'llm.Attention', 'Add',
]);
/** Ops that only relabel the shape of a row-major stream. */
export const ALIAS_OPS = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);

export type WeightFormat = 'float32' | 'int8' | 'int16' | 'int32' | 'int64';
/** A typed array in the stored format, or (Uint8Array) the stored format's little-endian bytes. */
export type WeightChunk = Float32Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;
export const FORMAT_BYTES: Record<WeightFormat, number> = { float32: 4, int8: 1, int16: 2, int32: 4, int64: 8 };
const FORMAT_CPP: Record<WeightFormat, string> = { float32: 'wgt_type', int8: 'signed char', int16: 'short', int32: 'int', int64: 'long long' };

const STORAGE: Record<Exclude<WeightFormat, 'int64'>, { new (n: number): Float32Array | Int8Array | Int16Array | Int32Array }> = {
  float32: Float32Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
};

/** Values converted to a storage format, in chunks. */
function* arrayChunks(format: WeightFormat, values: ArrayLike<number>, chunk = 1 << 18): Iterable<WeightChunk> {
  const same = format !== 'int64' && values instanceof STORAGE[format];
  for (let i = 0; i < values.length; i += chunk) {
    const n = Math.min(values.length, i + chunk) - i;
    if (same) yield (values as Float32Array | Int8Array | Int16Array | Int32Array).subarray(i, i + n);
    else if (format === 'int64') {
      const out = new BigInt64Array(n);
      for (let j = 0; j < n; j++) out[j] = BigInt(values[i + j]);
      yield out;
    } else {
      const out = new STORAGE[format](n);
      for (let j = 0; j < n; j++) out[j] = values[i + j];
      yield out;
    }
  }
}

/** A [R, C] row-major array stored as [C][R], in blocks of whole stored rows. */
function* transposedArrayChunks(format: Exclude<WeightFormat, 'int64'>, values: ArrayLike<number>, R: number, C: number, colsPerChunk = Math.max(1, Math.floor((1 << 20) / Math.max(R, 1)))): Iterable<WeightChunk> {
  const transpose = values instanceof Float32Array ? transposeBlockF32 : transposeBlockAny;
  for (let c0 = 0; c0 < C; c0 += colsPerChunk) {
    const c1 = Math.min(C, c0 + colsPerChunk);
    const out = new STORAGE[format]((c1 - c0) * R);
    transpose(values as never, out as never, R, C, c0, c1);
    yield out;
  }
}

/* out[(c - c0) * R + r] = v[r * C + c] for c in [c0, c1): in 32x32 tiles, one monomorphic copy per element type. */
function transposeBlockF32(v: Float32Array, out: Float32Array, R: number, C: number, c0: number, c1: number): void {
  for (let r0 = 0; r0 < R; r0 += 32) {
    const r1 = Math.min(R, r0 + 32);
    for (let cb = c0; cb < c1; cb += 32) {
      const ce = Math.min(c1, cb + 32);
      for (let r = r0; r < r1; r++) { const base = r * C; for (let c = cb; c < ce; c++) out[(c - c0) * R + r] = v[base + c]; }
    }
  }
}
function transposeBlockAny(v: ArrayLike<number>, out: { [i: number]: number }, R: number, C: number, c0: number, c1: number): void {
  for (let r = 0; r < R; r++) for (let c = c0; c < c1; c++) out[(c - c0) * R + r] = v[r * C + c];
}

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
  streams: { name: string; depth: number; elements: number }[];
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

interface ConfigStruct {
  name: string;
  comment: string;
  ints: { name: string; value: number }[];
  floats: { name: string; value: string }[];
  longs: { name: string; value: string }[];
  types: { name: string; cpp: string }[];
}

type Endpoint = { kind: 'task'; task: Task; slot: number } | { kind: 'output'; index: number };

interface Task {
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
}

function prod(xs: readonly number[]): number { return sizeOf(xs); }

/** A float tensor's values as float32, in chunks: straight from the file's bytes when it still reads from them. */
function* tensorChunks(t: Tensor, chunk = 1 << 20): Iterable<WeightChunk> {
  const raw = t.dtype === 'float32' ? t.rawBytes() : undefined;
  if (raw) {
    for (let i = 0; i < raw.length; i += chunk * 4) yield raw.subarray(i, Math.min(raw.length, i + chunk * 4));
    return;
  }
  for (const { values } of t.chunks(chunk)) yield values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/**
 * W [K, N] stored as [N][K]: each output's weights contiguous (read without caching W). float32
 * weights still in the model file are transposed in WebAssembly SIMD straight from its bytes.
 */
function* transposedChunks(t: Tensor): Iterable<WeightChunk> {
  const [K, N] = t.shape;
  const rows = t.dtype === 'float32' ? t.rawRows() : undefined;
  const fast = rows && transposeF32SimdBlocks(rows, K, N);
  if (fast) { yield* fast; return; }
  yield* transposedArrayChunks('float32', t.peek(), K, N);
}

/** A constant broadcast to `shape` (numpy rules), flattened. */
function broadcastTensor(t: Tensor, shape: number[]): Tensor {
  const out = Tensor.zeros('float32', shape);
  const r = shape.length, cs = [...Array(r - t.rank).fill(1), ...t.shape];
  const strides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { strides[i] = cs[i] === 1 ? 0 : acc; acc *= cs[i]; }
  const idx = new Array<number>(r).fill(0), od = out.data, td = t.data;
  for (let i = 0; i < od.length; i++) {
    let off = 0;
    for (let k = 0; k < r; k++) off += idx[k] * strides[k];
    od[i] = td[off];
    for (let k = r - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
  }
  return out;
}

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
  const cfgTypes = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, cpp]) => ({ name, cpp }));
  /** The KV cache of an attention layer (one m_axi buffer for k, one for v) and its task. */
  const attentionTask = (node: Node, id: string, cfgName: string, ins: string[], out: string, Hk: number, L: number, hd: number, hdv: number, P: number,
    kernel: string, shape: number[]): Task => {
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
      id, kernel, node, inputs: [ins[0], ins[1], ins[2]], output: out, inputIds: [], comment: '', shape, params: {}, weights: [],
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
    let storage: 'external' | 'onchip-lutram' | 'onchip-bram' | 'onchip-uram' | undefined;
    /** Where a Linear reads W (and its bias, requantization): on chip when the plan says so. */
    const weightStorage = (w: string): string | undefined => {
      const st = plan.weightStorage?.(node, w) ?? { kind: 'external' as const };
      storage = st.kind === 'onchip' ? `onchip-${st.impl}` : 'external';
      return st.kind === 'onchip' ? st.impl : undefined;
    };
    const cfg: ConfigStruct = { name: cfgName, comment: '', ints: [], floats: [], longs: [], types: [] };
    const longs: Record<string, number> = {};
    const lng = (name: string, value: number) => { cfg.longs.push({ name, value: `${value}LL` }); longs[name] = value; };
    const firstWeight = weightArgs.length;
    const int = (name: string, value: number) => cfg.ints.push({ name, value });
    const flt = (name: string, value: number) => cfg.floats.push({ name, value: floatLiteral(value) });
    let task: Task;
    const mk = (kernel: string, streamIns: string[], call: Task['call'], shape: number[]): Task => ({
      id, kernel, node, inputs: streamIns, output: out, inputIds: [], call, comment: '', shape, params: {}, weights: [],
    });
    const k = `llm2hls::`;
    if (fixed) {
      const ks = fixed.kernels[out];
      if (!ks) throw new UnsupportedError(`${node.opType} ${sanitizeIdentifier(node.name)}: no quantization spec`);
      const fyOf = () => fmtOf(out);
      const actTypes = { in_t: 'act_type', out_t: 'act_type' };
      switch (node.opType) {
        case 'llm.Linear': {
          const q = ks as LinearSpec;
          const [K, N] = q.weights.shape;
          const rows = prod(outShape) / N;
          int('rows', rows); int('in_dim', K); int('out_dim', N); int('y_bits', fyOf().bits);
          int('par', tp.parallelism); int('kpar', kp); int('ii', tp.ii);
          cfg.types = cfgTypes({ ...actTypes, w_t: 'signed char' });
          const impl = weightStorage(node.inputs[1]);
          const wArg = addWeight(node, node.inputs[1], 'transposed', undefined, [N, K], () => quantizedTransposedChunks(q.weights), 'int8', () => sharedQuantJob(q.weights));
          const bArg = q.bias ? addWeight(node, node.inputs[2], 'as-is', undefined, [N], () => arrayChunks('int64', q.bias!), 'int64') : undefined;
          const mArg = addWeight(node, `${node.inputs[1]} requant m`, 'as-is', undefined, [N], () => arrayChunks('int32', q.requant.m), 'int32');
          const sArg = addWeight(node, `${node.inputs[1]} requant shift`, 'as-is', undefined, [N], () => arrayChunks('int32', q.requant.shift), 'int32');
          task = mk('linear_q', [ins[0]], (i, o) => (impl
            ? `${k}linear_q_onchip_${impl}<${cfgName}, ${bArg ? 'true' : 'false'}>(${i[0]}, ${wArg}, ${bArg ?? '0'}, ${mArg}, ${sArg}, ${o});`
            : bArg
              ? `${k}linear_q<${cfgName}>(${i[0]}, ${wArg}, ${bArg}, ${mArg}, ${sArg}, ${o});`
              : `${k}linear_q_nobias<${cfgName}>(${i[0]}, ${wArg}, ${mArg}, ${sArg}, ${o});`), [rows, K, N]);
          break;
        }
        case 'llm.Embedding': {
          const q = ks as EmbeddingSpec;
          const [V, D] = q.table.shape;
          int('tokens', prod(shapeOf(ins[1]))); int('vocab', V); int('dim', D); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes({ id_t: 'tok_type', w_t: 'signed char', out_t: 'act_type' });
          const tArg = addWeight(node, node.inputs[0], 'as-is', undefined, [V, D], () => quantizedRowChunks(q.table), 'int8', () => sharedQuantJob(q.table));
          const mArg = addWeight(node, `${node.inputs[0]} requant m`, 'as-is', undefined, [V], () => arrayChunks('int32', q.requant.m), 'int32');
          const sArg = addWeight(node, `${node.inputs[0]} requant shift`, 'as-is', undefined, [V], () => arrayChunks('int32', q.requant.shift), 'int32');
          task = mk('embedding_q', [ins[1]], (i, o) => `${k}embedding_q<${cfgName}>(${i[0]}, ${tArg}, ${mArg}, ${sArg}, ${o});`, [V, D]);
          break;
        }
        case 'llm.LayerNorm': case 'llm.RMSNorm': {
          const q = ks as NormSpec;
          const D = q.D;
          int('rows', prod(outShape) / D); int('dim', D); int('center', node.opType === 'llm.LayerNorm' ? 1 : 0);
          int('inv_d_m', q.invD.m); int('inv_d_shift', q.invD.shift); lng('eps_u', q.epsU);
          int('gamma_frac', q.gammaFrac); int('y_frac', fyOf().frac); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes({ ...actTypes, p_t: 'short' });
          const gArg = addWeight(node, node.inputs[1], 'as-is', undefined, [D], () => arrayChunks('int16', q.gamma), 'int16');
          const bArg = q.beta ? addWeight(node, node.inputs[2], 'as-is', undefined, [D], () => arrayChunks('int64', q.beta!), 'int64') : undefined;
          task = mk(bArg ? 'norm_q' : 'norm_q_nobeta', [ins[0]], (i, o) => (bArg
            ? `${k}norm_q<${cfgName}>(${i[0]}, ${gArg}, ${bArg}, ${o});`
            : `${k}norm_q_nobeta<${cfgName}>(${i[0]}, ${gArg}, ${o});`), [prod(outShape) / D, D]);
          break;
        }
        case 'llm.RoPE': {
          const q = ks as RopeSpec;
          const [B, T, C] = outShape;
          if (B !== 1) throw new UnsupportedError(`RoPE ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
          const hd = C / q.heads;
          int('tokens', T); int('heads', q.heads); int('head_dim', hd);
          int('shift', fmtOf(node.inputs[0]).frac + 14 - fyOf().frac); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes({ ...actTypes, p_t: 'short' });
          const cArg = addWeight(node, node.inputs[1], 'as-is', undefined, [T, hd], () => arrayChunks('int16', q.cos), 'int16');
          const sArg = addWeight(node, node.inputs[2], 'as-is', undefined, [T, hd], () => arrayChunks('int16', q.sin), 'int16');
          task = mk('rope_q', [ins[0]], (i, o) => `${k}rope_q<${cfgName}>(${i[0]}, ${cArg}, ${sArg}, ${o});`, outShape);
          break;
        }
        case 'llm.Gelu': case 'llm.SiLU': {
          const q = ks as GateSpec;
          const fx = fmtOf(node.inputs[0]).frac;
          int('size', prod(outShape)); int('table', q.table === 'sigmoid' ? 0 : q.table === 'gelu_erf' ? 1 : 2);
          int('x_frac', fx); int('shift', fx + 16 - fyOf().frac); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes(actTypes);
          task = mk('gate_q', [ins[0]], (i, o) => `${k}gate_q<${cfgName}>(${i[0]}, ${o});`, outShape);
          break;
        }
        case 'llm.SwiGLU': {
          const fg = fmtOf(node.inputs[0]).frac, fu = fmtOf(node.inputs[1]).frac;
          int('size', prod(outShape)); int('g_frac', fg); int('shift', fg + 16 + fu - fyOf().frac); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes(actTypes);
          task = mk('swiglu_q', [ins[0], ins[1]], (i, o) => `${k}swiglu_q<${cfgName}>(${i[0]}, ${i[1]}, ${o});`, outShape);
          break;
        }
        case 'Add': {
          const [a, b] = ins;
          const size = prod(outShape);
          const ca = consts.has(a), cb = consts.has(b);
          int('size', size);
          cfg.types = cfgTypes(actTypes);
          const [sv, cv] = ca ? [node.inputs[1], node.inputs[0]] : [node.inputs[0], node.inputs[1]];
          const fs = fmtOf(sv).frac, fc = fmtOf(cv).frac, F = Math.max(fs, fc);
          int('a_shift', F - fs); int('b_shift', F - fc); int('shift', F - fyOf().frac); int('y_bits', fyOf().bits);
          if (ca || cb) {
            const s = resolve(sv), cq = fixed.constants[cv];
            const cT = consts.get(resolve(cv))!;
            if (!cq) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: the constant operand has no quantized value`);
            if (prod(shapeOf(s)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: the streamed operand must have the output's shape`);
            const cs = [...cT.shape];
            while (cs.length && cs[0] === 1) cs.shift();
            const suffix = outShape.slice(outShape.length - cs.length);
            const periodic = cs.length <= outShape.length && cs.every((d, i) => d === suffix[i]);
            const values = periodic ? cq : broadcastTensor(new Tensor('int32', [...cT.shape], cq), outShape).data;
            int('period', periodic ? prod(cs) : size);
            const cArg = addWeight(node, cv, periodic ? 'as-is' : 'broadcast', undefined, periodic ? cs : outShape, () => arrayChunks('int32', values), 'int32');
            task = mk('add_q_const', [s], (i, o) => `${k}add_q_const<${cfgName}>(${i[0]}, ${cArg}, ${o});`, outShape);
          } else {
            if (prod(shapeOf(a)) !== size || prod(shapeOf(b)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: broadcasting between two streams is not supported`);
            task = mk('add_q', [a, b], (i, o) => `${k}add_q<${cfgName}>(${i[0]}, ${i[1]}, ${o});`, outShape);
          }
          break;
        }
        case 'llm.Attention': {
          const q = ks as AttentionSpec;
          const H = q.heads, Hk = q.kvHeads;
          const [B, T, C] = shapeOf(ins[0]);
          const [, S] = shapeOf(ins[1]);
          const Cv = shapeOf(ins[2])[2];
          if (B !== 1) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
          const hd = C / H, hdv = Cv / Hk;
          const P = ins[3] ? shapeOf(ins[3])[2] : 0, L = P + S;
          int('tokens', T); int('new_keys', S); int('past', P); int('cache_len', L);
          int('heads', H); int('kv_heads', Hk); int('head_dim', hd); int('v_head_dim', hdv); int('causal', q.causal ? 1 : 0);
          int('score_m', q.score.m); int('score_shift', q.score.shift);
          int('out_shift', 15 + fmtOf(node.inputs[2]).frac - fyOf().frac); int('y_bits', fyOf().bits);
          cfg.types = cfgTypes({ ...actTypes, kv_t: 'kv_type' });
          task = attentionTask(node, id, cfgName, ins, out, Hk, L, hd, hdv, P, 'attention_q', [T, H, L, hd]);
          break;
        }
        default:
          throw new UnsupportedError(`op ${sanitizeIdentifier(node.opType)} has no fixed-point HLS kernel`);
      }
    } else switch (node.opType) {
      case 'llm.Linear': {
        const w = constant(node, ins[1], 'W');
        const [K, N] = w.shape;
        const rows = prod(outShape) / N;
        int('rows', rows); int('in_dim', K); int('out_dim', N); int('par', tp.parallelism); int('kpar', kp); int('ii', tp.ii);
        cfg.types = cfgTypes({ in_t: 'act_type', w_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
        const impl = weightStorage(node.inputs[1]);
        const wArg = addWeight(node, node.inputs[1], 'transposed', w, [N, K], () => transposedChunks(w));
        const b = ins[2] ? constant(node, ins[2], 'b') : undefined;
        const bArg = b ? addWeight(node, node.inputs[2], 'as-is', b, [N], () => tensorChunks(b)) : undefined;
        task = mk('linear', [ins[0]], (i, o) => (impl
          ? `${k}linear_onchip_${impl}<${cfgName}, ${bArg ? 'true' : 'false'}>(${i[0]}, ${wArg}, ${bArg ?? wArg}, ${o});`
          : bArg
            ? `${k}linear<${cfgName}>(${i[0]}, ${wArg}, ${bArg}, ${o});`
            : `${k}linear_nobias<${cfgName}>(${i[0]}, ${wArg}, ${o});`), [rows, K, N]);
        break;
      }
      case 'llm.Embedding': {
        const table = constant(node, ins[0], 'table');
        const [V, D] = table.shape;
        int('tokens', prod(shapeOf(ins[1]))); int('vocab', V); int('dim', D);
        cfg.types = cfgTypes({ id_t: 'tok_type', w_t: 'wgt_type', out_t: 'act_type' });
        const tArg = addWeight(node, node.inputs[0], 'as-is', table, [V, D], () => tensorChunks(table));
        task = mk('embedding', [ins[1]], (i, o) => `${k}embedding<${cfgName}>(${i[0]}, ${tArg}, ${o});`, [V, D]);
        break;
      }
      case 'llm.LayerNorm': case 'llm.RMSNorm': {
        const D = outShape[outShape.length - 1];
        int('rows', prod(outShape) / D); int('dim', D); flt('eps', Number(node.attrs.epsilon ?? 1e-5));
        cfg.types = cfgTypes({ in_t: 'act_type', p_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
        const g = constant(node, ins[1], 'gamma');
        const gArg = addWeight(node, node.inputs[1], 'as-is', g, [D], () => tensorChunks(g));
        const beta = node.opType === 'llm.LayerNorm' && ins[2] ? constant(node, ins[2], 'beta') : undefined;
        const bArg = beta ? addWeight(node, node.inputs[2], 'as-is', beta, [D], () => tensorChunks(beta)) : undefined;
        const kern = node.opType === 'llm.RMSNorm' ? 'rmsnorm' : bArg ? 'layernorm' : 'layernorm_nobeta';
        task = mk(kern, [ins[0]], (i, o) => `${k}${kern}<${cfgName}>(${i[0]}, ${gArg}${bArg ? `, ${bArg}` : ''}, ${o});`, [prod(outShape) / D, D]);
        break;
      }
      case 'llm.Gelu': case 'llm.SiLU': {
        int('size', prod(outShape));
        if (node.opType === 'llm.Gelu') int('tanh_form', node.attrs.approximate === 'tanh' ? 1 : 0);
        cfg.types = cfgTypes({ in_t: 'act_type', acc_t: 'acc_type', out_t: 'act_type' });
        const kern = node.opType === 'llm.Gelu' ? 'gelu' : 'silu';
        task = mk(kern, [ins[0]], (i, o) => `${k}${kern}<${cfgName}>(${i[0]}, ${o});`, outShape);
        break;
      }
      case 'llm.SwiGLU': {
        int('size', prod(outShape));
        cfg.types = cfgTypes({ in_t: 'act_type', acc_t: 'acc_type', out_t: 'act_type' });
        task = mk('swiglu', [ins[0], ins[1]], (i, o) => `${k}swiglu<${cfgName}>(${i[0]}, ${i[1]}, ${o});`, outShape);
        break;
      }
      case 'llm.RoPE': {
        const H = Number(node.attrs.heads);
        const [B, T, C] = outShape;
        if (B !== 1) throw new UnsupportedError(`RoPE ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
        const cos = constant(node, ins[1], 'cos'), sin = constant(node, ins[2], 'sin');
        int('tokens', T); int('heads', H); int('head_dim', C / H);
        cfg.types = cfgTypes({ in_t: 'act_type', p_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
        const cArg = addWeight(node, node.inputs[1], 'as-is', cos, [...cos.shape], () => tensorChunks(cos));
        const sArg = addWeight(node, node.inputs[2], 'as-is', sin, [...sin.shape], () => tensorChunks(sin));
        task = mk('rope', [ins[0]], (i, o) => `${k}rope<${cfgName}>(${i[0]}, ${cArg}, ${sArg}, ${o});`, outShape);
        break;
      }
      case 'llm.Attention': {
        const H = Number(node.attrs.heads), Hk = Number(node.attrs.kv_heads ?? H);
        const [B, T, C] = shapeOf(ins[0]);
        const [, S, Ck] = shapeOf(ins[1]);
        const Cv = shapeOf(ins[2])[2];
        if (B !== 1) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: batch ${B}; the HLS backend streams batch 1`);
        const hd = C / H, hdv = Cv / Hk;
        if (Ck / Hk !== hd) throw new UnsupportedError(`attention ${sanitizeIdentifier(node.name)}: q and k head sizes differ`);
        const P = ins[3] ? shapeOf(ins[3])[2] : 0, L = P + S;
        int('tokens', T); int('new_keys', S); int('past', P); int('cache_len', L);
        int('heads', H); int('kv_heads', Hk); int('head_dim', hd); int('v_head_dim', hdv);
        int('causal', Number(node.attrs.causal ?? 0)); flt('scale', Number(node.attrs.scale ?? 1));
        cfg.types = cfgTypes({ in_t: 'act_type', kv_t: 'kv_type', acc_t: 'acc_type', out_t: 'act_type' });
        task = attentionTask(node, id, cfgName, ins, out, Hk, L, hd, hdv, P, 'attention', [T, H, L, hd]);
        break;
      }
      case 'Add': {
        const [a, b] = ins;
        const size = prod(outShape);
        const ca = consts.get(a), cb = consts.get(b);
        cfg.types = cfgTypes({ in_t: 'act_type', c_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });
        int('size', size);
        if (ca || cb) {
          const [s, c, cname] = ca ? [b, ca, node.inputs[0]] : [a, cb!, node.inputs[1]];
          if (prod(shapeOf(s)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: the streamed operand must have the output's shape`);
          // A trailing-suffix constant repeats with a period; anything else is stored broadcast.
          const cs = [...c.shape];
          while (cs.length && cs[0] === 1) cs.shift();
          const suffix = outShape.slice(outShape.length - cs.length);
          const periodic = cs.length <= outShape.length && cs.every((d, i) => d === suffix[i]);
          const stored = periodic ? c : broadcastTensor(c, outShape);
          int('period', periodic ? prod(cs) : size);
          const cArg = addWeight(node, cname, periodic ? 'as-is' : 'broadcast', stored, periodic ? cs : outShape, () => tensorChunks(stored));
          task = mk('add_const', [s], (i, o) => `${k}add_const<${cfgName}>(${i[0]}, ${cArg}, ${o});`, outShape);
        } else {
          if (prod(shapeOf(a)) !== size || prod(shapeOf(b)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: broadcasting between two streams is not supported`);
          task = mk('add', [a, b], (i, o) => `${k}add<${cfgName}>(${i[0]}, ${i[1]}, ${o});`, outShape);
        }
        break;
      }
      default:
        throw new UnsupportedError(`op ${sanitizeIdentifier(node.opType)} has no HLS kernel`);
    }
    for (const v of task.inputs) if (consts.has(v)) throw new UnsupportedError(`${node.opType} ${sanitizeIdentifier(node.name)}: a streamed input is a constant`);
    task.params = { ...Object.fromEntries(cfg.ints.map((i) => [i.name, i.value])), ...longs };
    task.weights = weightArgs.slice(firstWeight).map((w) => w.entry);
    cfg.comment = `${task.kernel} ${id}: [${task.shape.join(', ')}]`;
    task.comment = cfg.comment;
    configs.push(cfg);
    tasks.push(task);
    kernels.push({ task: id, kernel: task.kernel, node: node.name, opType: node.opType, shape: task.shape, par: tp.parallelism, kpar: kp, ii: tp.ii, weights: storage });
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

  const streams: { name: string; elem: string; depth: number; elements: number; rowWidth: number; pragmas: string[] }[] = [];
  let valueOf = '';
  const newStream = (base: string, elem: string, elements: number, rowWidth: number, forkBranch: boolean, consumer?: Node): string => {
    const name = names.get(base, 's');
    const info: StreamInfo = { name, value: valueOf, elements, rowWidth, forkBranch, consumer };
    const depth = plan.fifoDepth(info);
    streams.push({ name, elem, depth, elements, rowWidth, pragmas: dialect.streamDepth(name, depth) });
    return name;
  };
  type Plumb = Omit<DesignPlumbing, 'task'> & { elem: string };
  const plumbing = new Map<string, Plumb[]>(); // value -> fork/drain/copy tasks, placed after its producer
  const plumbCall = (p: Plumb): string => (p.kind === 'drain'
    ? `llm2hls::drain<${p.elem}, ${p.elements}>(${p.input});`
    : p.kind === 'copy'
      ? `llm2hls::copy<${p.elem}, ${p.elem}, ${p.elements}>(${p.input}, ${p.outputs[0]});`
      : `llm2hls::fork2<${p.elem}, ${p.elements}>(${p.input}, ${p.outputs[0]}, ${p.outputs[1]});`);
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

  // ---- calls in dataflow order -----------------------------------------------------
  // Each call is one dataflow task; `task` names it for csim-threads (kernels by their task id,
  // fork/copy/drain tasks after the task or input whose value they fan out).
  const calls: { comment: string; code: string; task: string }[] = [];
  const taskNames = new Set<string>(tasks.map((t) => t.id.toLowerCase()));
  const plumbingName = (base: string, i: number): string => {
    let name = `${base}_fanout${i}`;
    for (let n = 2; taskNames.has(name.toLowerCase()); n++) name = `${base}_fanout${i}_${n}`;
    taskNames.add(name.toLowerCase());
    return name;
  };
  const designPlumbing: DesignPlumbing[] = [];
  const addPlumbing = (value: string, comment: string, base: string) => (plumbing.get(value) ?? []).forEach((p, i) => {
    const task = plumbingName(base, i + 1);
    calls.push({ comment, code: plumbCall(p), task });
    designPlumbing.push({ kind: p.kind, task, input: p.input, outputs: p.outputs, elements: p.elements });
  });
  for (const inp of inputs) addPlumbing(inp.name, `input ${inp.identifier}`, inp.identifier);
  for (const t of tasks) {
    calls.push({ comment: t.comment, code: t.call(t.inputIds, t.outputId), task: t.id });
    addPlumbing(t.output ?? '', `fan-out of ${t.id}`, t.id);
  }

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
    streams: streams.map((s) => ({ ...s, pragmas: s.pragmas.map((p) => `  ${p}`) })),
    calls,
    // csim-threads: internal streams bounded to their planned depths, top-level ports unbounded (the host side).
    hostStreams: [
      ...streams.map((s) => ({ name: s.name, depth: s.depth })),
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
    streams: streams.map((s) => ({ name: s.name, depth: s.depth, elements: s.elements })),
    design: {
      tasks: tasks.map((t, i) => ({
        id: t.id, kernel: t.kernel, opType: t.node?.opType ?? '', node: t.node?.name ?? '', shape: t.shape, params: t.params,
        par: kernels[i].par, kpar: kernels[i].kpar, ii: kernels[i].ii, weights: t.weights, inputs: t.inputIds, output: t.outputId,
      })),
      plumbing: designPlumbing,
      streams: streams.map((s) => ({ name: s.name, depth: s.depth, elements: s.elements, rowWidth: s.rowWidth, elem: s.elem })),
    },
  };
}
