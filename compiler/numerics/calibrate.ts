/**
 * Calibration: run the float32 golden semantics of a fused graph on sample
 * inputs, record max |value| of every value, and turn that into a QuantSpec
 * (docs/numerics.md, "Activation formats" and "Kernels").
 */
import { UnsupportedError, UserError } from '../errors.js';
import { Graph, Node, describeNode } from '../graph.js';
import { OpCall, getOp } from '../ops/index.js';
import { Tensor, FLOAT_TYPES } from '../tensor.js';
import { FixedFormat, fmt, formatForRange, roundHalfEven, toFixed, toMultiplier } from './fixed.js';
import { PRECISIONS, PrecisionName } from './precision.js';
import { channelMultipliers, qmaxOf, quantizeTensorWeights, quantizedColumnAbsSums } from './quantize.js';
import { NORM_EPS_LIMIT, NORM_FRAC, NORM_GUARD_BITS, ROPE_FRAC } from './kernels-q.js';
import { EXP_INPUT_FRAC } from './tables.js';
import { KernelSpec, QuantSpec } from './spec.js';

/** Ops that only move data: they run on integers unchanged and keep their input's format. */
export const LAYOUT_OPS: ReadonlySet<string> = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Transpose', 'Slice', 'Expand']);

/** Parameters stored at 16 bits whatever the preset: norm gamma/beta, RoPE cos/sin. */
export const PARAM_BITS = 16;
/** Largest accumulator magnitude the JS golden model keeps exact through a Multiplier. */
const EXACT_ACC_LIMIT = 2 ** 38;
const MAX_NORM_DIM = 8192;
const MAX_HEAD_DIM = 256;

/** Which inputs of each kernel are weights/parameters (quantized by the kernel's own rules). */
export function weightSlots(opType: string): number[] {
  switch (opType) {
    case 'llm.Linear': return [1, 2];
    case 'llm.Embedding': return [0];
    case 'llm.LayerNorm': return [1, 2];
    case 'llm.RMSNorm': return [1];
    case 'llm.RoPE': return [1, 2];
    default: return [];
  }
}

/**
 * max |v| of every float value of the graph over all input sets, merged into `into`.
 * Weights are read without caching them in the graph (Tensor.peek) and every value is
 * released after its last use, so a large model is calibrated without a second copy of
 * its weights. `onNode(done, total)` reports progress over all sets.
 */
export function collectStats(graph: Graph, inputSets: readonly (readonly Tensor[])[], into = new Map<string, number>(),
  onNode?: (done: number, total: number) => void): Map<string, number> {
  const note = (name: string, t: Tensor) => {
    if (!FLOAT_TYPES.has(t.dtype)) return;
    let m = into.get(name) ?? 0;
    const d = t.data;
    for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (a > m) m = a; }
    into.set(name, m);
  };
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => { for (const n of node.inputs) if (n) lastUse.set(n, i); });
  const total = inputSets.length * graph.nodes.length;
  let done = 0;
  for (const inputs of inputSets) {
    const env = new Map<string, Tensor>();
    for (const [name, t] of graph.initializers) env.set(name, t.uncached());
    graph.inputs.forEach((v, i) => { env.set(v.name, inputs[i]); note(v.name, inputs[i]); });
    graph.nodes.forEach((node, i) => {
      const op = getOp(node.opType);
      if (!op) throw new UnsupportedError(`${describeNode(node)}: op ${node.opType} is not supported by llm2hls`);
      const ins = node.inputs.map((n) => (n ? env.get(n) : undefined));
      const outs = op.execute(new OpCall(node, graph.opset), ins);
      node.outputs.forEach((name, j) => { if (name && outs[j]) { env.set(name, outs[j]); note(name, outs[j]); } });
      for (const n of [...node.inputs, ...node.outputs]) if (n && (lastUse.get(n) ?? -1) <= i) env.delete(n);
      onNode?.(++done, total);
    });
  }
  return into;
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) { p = this.find(p); this.parent.set(x, p); }
    return p;
  }
  union(a: string, b: string): void {
    if (!a || !b) return;
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

export interface CalibrateOptions {
  /** Activation range headroom factor (default 1.25: frac = bits − 1 − ceil(log2(1.25 · maxAbs))). */
  headroom?: number;
  /** Progress of long steps (buildQuantSpec reports 'quantizing': kernels done of total). */
  onProgress?: (step: string, done: number, total: number) => void;
  /** Per-channel max |w| of a weight already computed elsewhere (the helper worker), else undefined. */
  maxAbsOf?: (w: Tensor, axis: 0 | 1) => Float64Array | undefined;
  /**
   * A spec of the same model for other input shapes, built from the same
   * statistics: each kernel whose parameters do not depend on the shapes
   * (everything but RoPE, whose tables are per position) and whose values'
   * formats agree is taken from it as is (the very object: its weights are
   * not quantized again). Constants read as activations are always rebuilt.
   */
  reuseKernels?: QuantSpec;
}

const sameFormat = (a: FixedFormat | undefined, b: FixedFormat | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.bits === b.bits && a.frac === b.frac && a.signed === b.signed);

/** The kernel of `prior` for `node`, when buildQuantSpec would build the same one for `formats`. */
function reusableKernel(node: Node, prior: QuantSpec | undefined, formats: Record<string, FixedFormat>, graph: Graph): KernelSpec | undefined {
  const k = prior?.kernels[node.outputs[0]];
  if (!k || k.op === 'llm.RoPE' || k.op !== (LAYOUT_OPS.has(node.opType) ? 'layout' : node.opType)) return undefined;
  for (const n of [...node.inputs, ...node.outputs]) if (n && !sameFormat(formats[n], prior!.formats[n])) return undefined;
  const weights = k.op === 'llm.Linear' ? k.weights : k.op === 'llm.Embedding' ? k.table : undefined;
  if (weights) {
    const w = graph.initializers.get(node.inputs[k.op === 'llm.Linear' ? 1 : 0]);
    if (!w || w.shape.join(',') !== weights.shape.join(',')) return undefined;
  }
  return k;
}

const constTensor = (graph: Graph, node: Node, i: number): Tensor | undefined => (node.inputs[i] ? graph.initializers.get(node.inputs[i]) : undefined);

/** A parameter with a NaN or infinity has no fixed-point code: refuse it (as quantize.ts refuses such weights). */
function requireFinite(node: Node, what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new UserError(`${describeNode(node)}: ${what}[${i}] is ${values[i]}: fixed-point precisions need finite parameters (fix the model, or use --precision fp32)`);
    }
  }
}

function requireConst(graph: Graph, node: Node, i: number, what: string): Tensor {
  const t = constTensor(graph, node, i);
  if (!t) throw new UnsupportedError(`${describeNode(node)}: ${what} must be a constant to be quantized`);
  return t;
}

/** Runs `body` for one node; a user-facing error from inside it names the node (what a user can find in the model). */
function namingNode(node: Node, body: () => void): void {
  try {
    body();
  } catch (e) {
    if (!(e instanceof UserError) || e.message.includes(node.name)) throw e;
    const message = `${describeNode(node)}: ${e.message}`;
    throw e instanceof UnsupportedError ? new UnsupportedError(message) : new UserError(message, e.exitCode);
  }
}

/** Builds the QuantSpec of a fused graph from calibration statistics. */
export function buildQuantSpec(graph: Graph, stats: Map<string, number>, precisionName: PrecisionName, options: CalibrateOptions = {}): QuantSpec {
  const precision = PRECISIONS[precisionName];
  if (precision.float) throw new UserError('fp32 needs no quantization spec');
  const headroom = options.headroom ?? 1.25;
  const A = precision.activationBits, W = precision.weightBits;

  // Values whose formats must agree: KV cache pieces, layout ops' in/out.
  const uf = new UnionFind();
  const weightUses = new Set<string>();
  const activationUses = new Set<string>();
  for (const node of graph.nodes) {
    const slots = weightSlots(node.opType);
    node.inputs.forEach((n, i) => { if (n) (slots.includes(i) ? weightUses : activationUses).add(n); });
    if (node.opType === 'llm.Attention') {
      uf.union(node.inputs[1], node.inputs[3] ?? ''); uf.union(node.inputs[1], node.outputs[1] ?? '');
      uf.union(node.inputs[2], node.inputs[4] ?? ''); uf.union(node.inputs[2], node.outputs[2] ?? '');
    }
    if (LAYOUT_OPS.has(node.opType)) uf.union(node.inputs[0], node.outputs[0]);
  }

  // Every float value that is not only a weight gets a format.
  const floatValues = new Set<string>();
  const isFloat = (n: string) => { const t = graph.types.get(n); return t ? FLOAT_TYPES.has(t.dtype) : graph.initializers.has(n) && FLOAT_TYPES.has(graph.initializers.get(n)!.dtype); };
  for (const v of graph.inputs) if (isFloat(v.name)) floatValues.add(v.name);
  for (const node of graph.nodes) for (const o of node.outputs) if (o && isFloat(o)) floatValues.add(o);
  for (const n of activationUses) if (isFloat(n)) floatValues.add(n);

  const groupMax = new Map<string, number>();
  for (const n of floatValues) {
    const r = uf.find(n);
    groupMax.set(r, Math.max(groupMax.get(r) ?? 0, stats.get(n) ?? 0));
  }
  const formats: Record<string, FixedFormat> = {};
  const constants: Record<string, Int32Array> = {};
  const maxAbs: Record<string, number> = {};
  for (const n of floatValues) {
    const c = graph.initializers.get(n);
    maxAbs[n] = stats.get(n) ?? 0;
    if (c && uf.find(n) === n) {
      // A constant read as an activation: its exact range, no headroom needed.
      let m = 0;
      for (const x of c.peek()) m = Math.max(m, Math.abs(x));
      formats[n] = formatForRange(m, A, 1 + 2 ** -20);
      constants[n] = Int32Array.from(c.peek() as ArrayLike<number>, (x) => toFixed(x, formats[n]));
    } else {
      formats[n] = formatForRange(groupMax.get(uf.find(n)) ?? 0, A, headroom);
      if (c) constants[n] = Int32Array.from(c.peek() as ArrayLike<number>, (x) => toFixed(x, formats[n]));
    }
  }
  const f = (n: string): FixedFormat => {
    const x = formats[n];
    if (!x) throw new Error(`no format for '${n}'`);
    return x;
  };

  const kernels: Record<string, KernelSpec> = {};
  let done = 0;
  for (const node of graph.nodes) namingNode(node, () => {
    options.onProgress?.('quantizing', done++, graph.nodes.length);
    const key = node.outputs[0];
    const reused = reusableKernel(node, options.reuseKernels, formats, graph);
    if (reused) { kernels[key] = reused; return; }
    switch (node.opType) {
      case 'llm.Linear': {
        const w = requireConst(graph, node, 1, 'W');
        const [K, N] = w.shape;
        const fx = f(node.inputs[0]), fy = f(key);
        const weights = quantizeTensorWeights(w, W, 1, options.maxAbsOf?.(w, 1));
        const requant = channelMultipliers(weights.scale, fx.frac, fy.frac);
        let bias: Float64Array | undefined;
        const b = constTensor(graph, node, 2);
        if (node.inputs[2] && !b) throw new UnsupportedError(`${describeNode(node)}: b must be a constant to be quantized`);
        const accLimit = Math.min(2 ** (precision.accumulatorBits - 1), EXACT_ACC_LIMIT) - 1;
        const bd = b ? b.peek() : undefined;
        if (bd) requireFinite(node, 'bias', bd);
        const biasQ = (n: number) => roundHalfEven(bd![n] * 2 ** fx.frac / weights.scale[n]);
        // Σ_k |q[k, n]| <= K·qmax: when that bound already fits the accumulator with every
        // bias, the exact sums cannot change anything (no error, no bias clamped) and the
        // pass computing them is skipped; otherwise one pass over W computes them.
        const bound = K * qmaxOf(W) * 2 ** (A - 1);
        let sumAbs: Float64Array | undefined;
        if (bound > accLimit) sumAbs = quantizedColumnAbsSums(weights);
        else if (bd) {
          const room = accLimit - bound;
          for (let n = 0; n < N; n++) { const q = biasQ(n); if (!(Math.abs(q) <= room) && !Number.isNaN(q)) { sumAbs = quantizedColumnAbsSums(weights); break; } }
        }
        if (sumAbs) {
          for (let n = 0; n < N; n++) {
            if (sumAbs[n] * 2 ** (A - 1) > accLimit) {
              throw new UnsupportedError(`${describeNode(node)}: a dot product of K = ${K} can exceed the ${precision.accumulatorBits}-bit accumulator`);
            }
          }
        }
        if (bd) {
          bias = new Float64Array(N);
          for (let n = 0; n < N; n++) {
            const limit = sumAbs ? accLimit - sumAbs[n] * 2 ** (A - 1) : Infinity;
            const q = biasQ(n);
            bias[n] = Number.isNaN(q) ? 0 : Math.max(-limit, Math.min(limit, q));
          }
        }
        kernels[key] = { op: 'llm.Linear', weights, bias, requant };
        break;
      }
      case 'llm.Embedding': {
        const t = requireConst(graph, node, 0, 'table');
        const table = quantizeTensorWeights(t, W, 0, options.maxAbsOf?.(t, 0));
        kernels[key] = { op: 'llm.Embedding', table, requant: channelMultipliers(table.scale, 0, f(key).frac) };
        break;
      }
      case 'llm.LayerNorm': case 'llm.RMSNorm': {
        const gamma = requireConst(graph, node, 1, 'gamma');
        const beta = node.opType === 'llm.LayerNorm' ? constTensor(graph, node, 2) : undefined;
        if (node.opType === 'llm.LayerNorm' && node.inputs[2] && !beta) throw new UnsupportedError(`${describeNode(node)}: beta must be a constant to be quantized`);
        requireFinite(node, 'gamma', gamma.data as ArrayLike<number>);
        if (beta) requireFinite(node, 'beta', beta.data as ArrayLike<number>);
        const D = gamma.size;
        if (D > MAX_NORM_DIM) throw new UnsupportedError(`${describeNode(node)}: normalized size ${D} exceeds ${MAX_NORM_DIM}`);
        const fx = f(node.inputs[0]);
        const eps = typeof node.attrs.epsilon === 'number' ? node.attrs.epsilon : 1e-5;
        const epsU = Math.min(NORM_EPS_LIMIT, Math.max(1, roundHalfEven(eps * D * 2 ** (2 * (fx.frac + NORM_GUARD_BITS)))));
        const g = Array.from(gamma.data as ArrayLike<number>, (x) => x * Math.sqrt(D));
        const gf = formatForRange(g.reduce((m, x) => Math.max(m, Math.abs(x)), 0), PARAM_BITS, 1 + 2 ** -20);
        const betaLimit = 2 ** 40;
        kernels[key] = {
          op: node.opType, D, invD: toMultiplier(1 / D), epsU,
          gamma: Int32Array.from(g, (x) => toFixed(x, gf)), gammaFrac: gf.frac,
          beta: beta ? Float64Array.from(beta.data as ArrayLike<number>, (x) => Math.max(-betaLimit, Math.min(betaLimit, roundHalfEven(x * 2 ** (NORM_FRAC + gf.frac))))) : undefined,
        };
        break;
      }
      case 'llm.RoPE': {
        const cf = fmt(PARAM_BITS, ROPE_FRAC);
        const cos = requireConst(graph, node, 1, 'cos'), sin = requireConst(graph, node, 2, 'sin');
        kernels[key] = {
          op: 'llm.RoPE', heads: Number(node.attrs.heads),
          cos: Int32Array.from(cos.data as ArrayLike<number>, (x) => toFixed(x, cf)),
          sin: Int32Array.from(sin.data as ArrayLike<number>, (x) => toFixed(x, cf)),
        };
        break;
      }
      case 'llm.Attention': {
        const heads = Number(node.attrs.heads);
        const kvHeads = node.attrs.kv_heads === undefined ? heads : Number(node.attrs.kv_heads);
        const scale = node.attrs.scale === undefined ? 1 : Number(node.attrs.scale);
        const qt = graph.types.get(node.inputs[0]);
        const hd = qt && typeof qt.shape[2] === 'number' ? qt.shape[2] / heads : 0;
        if (hd > MAX_HEAD_DIM) throw new UnsupportedError(`${describeNode(node)}: head size ${hd} exceeds ${MAX_HEAD_DIM}`);
        if (!(scale >= 0)) throw new UnsupportedError(`${describeNode(node)}: a negative attention scale is not supported in fixed point`);
        const fq = f(node.inputs[0]), fk = f(node.inputs[1]);
        kernels[key] = {
          op: 'llm.Attention', heads, kvHeads, causal: Number(node.attrs.causal ?? 0) === 1,
          score: toMultiplier(scale * Math.LOG2E * 2 ** (EXP_INPUT_FRAC - fq.frac - fk.frac)),
        };
        break;
      }
      case 'llm.Gelu':
        kernels[key] = { op: 'llm.Gelu', table: node.attrs.approximate === 'tanh' ? 'gelu_tanh' : 'gelu_erf' };
        break;
      case 'llm.SiLU':
        kernels[key] = { op: 'llm.SiLU', table: 'sigmoid' };
        break;
      case 'llm.SwiGLU': case 'Add':
        kernels[key] = { op: node.opType };
        break;
      default:
        if (LAYOUT_OPS.has(node.opType)) { kernels[key] = { op: 'layout' }; break; }
        throw new UnsupportedError(`${describeNode(node)}: op ${node.opType} has no fixed-point semantics; quantized precisions need a fully fused graph (llm.* kernels and Add)`);
    }
  });

  options.onProgress?.('quantizing', graph.nodes.length, graph.nodes.length);
  return {
    version: 1, precision: precisionName,
    weightBits: W, activationBits: A, accumulatorBits: precision.accumulatorBits,
    formats, constants, kernels, maxAbs,
  };
}

/** collectStats + buildQuantSpec. */
export function calibrate(graph: Graph, inputSets: readonly (readonly Tensor[])[], precision: PrecisionName, options: CalibrateOptions = {}): QuantSpec {
  return buildQuantSpec(graph, collectStats(graph, inputSets), precision, options);
}

/**
 * Token-id inputs drawn uniformly from [0, vocab) with a seeded generator;
 * float inputs taken from `like`, or with `floats: 'normal'` drawn from a
 * seeded standard normal distribution (unit scale: calibration stand-ins
 * when the model's real float inputs are unknown).
 */
export function randomInputSets(graph: Graph, like: readonly Tensor[], count: number, seed = 1, floats: 'like' | 'normal' = 'like'): Tensor[][] {
  let vocab = 0;
  for (const node of graph.nodes) {
    if (node.opType === 'llm.Embedding') vocab = Math.max(vocab, graph.initializers.get(node.inputs[0])?.shape[0] ?? 0);
  }
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); // Box-Muller
  const sets: Tensor[][] = [];
  for (let c = 0; c < count; c++) {
    sets.push(like.map((t) => {
      if (FLOAT_TYPES.has(t.dtype) && floats === 'normal') {
        const r = Tensor.zeros(t.dtype, t.shape);
        for (let i = 0; i < r.size; i++) r.data[i] = normal();
        return r;
      }
      if (FLOAT_TYPES.has(t.dtype) || vocab === 0) return t;
      const r = Tensor.zeros(t.dtype, t.shape);
      for (let i = 0; i < r.size; i++) r.data[i] = Math.floor(rand() * vocab);
      return r;
    }));
  }
  return sets;
}
