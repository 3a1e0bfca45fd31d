/**
 * QuantSpec: everything a quantized design needs beyond the fused graph —
 * one fixed-point format per value, the quantized constants, and per-kernel
 * integer parameters (weights, multipliers, tables' operands). Built by
 * calibrate.ts, executed by quant-interpreter.ts, printed by the emitters.
 *
 * The object holds typed arrays; specToJSON / specFromJSON turn it into
 * plain JSON and back (typed arrays as {"$typed": "Int8Array", "base64": ...}).
 * Quantized weights (Linear W, Embedding tables) hold only their per-channel
 * scales: their integers are recomputed from the model's float weights
 * (QuantWeights.data), so they are not in the JSON; a spec read back gets
 * its float weights from the fused graph (attachGraphWeights).
 */
import { FixedFormat, Multiplier } from './fixed.js';
import { PrecisionName } from './precision.js';
import type { Graph } from '../graph.js';
import { ChannelMultipliers, QuantWeights, attachWeightSource, hasWeightSource, makeQuantWeights } from './quantize.js';

export interface LinearSpec {
  op: 'llm.Linear';
  weights: QuantWeights;
  /** Bias in accumulator units (exact integers), saturated to the column's headroom. */
  bias?: Float64Array;
  requant: ChannelMultipliers;
}

export interface EmbeddingSpec {
  op: 'llm.Embedding';
  table: QuantWeights;
  requant: ChannelMultipliers;
}

export interface NormSpec {
  op: 'llm.LayerNorm' | 'llm.RMSNorm';
  D: number;
  invD: Multiplier;
  epsU: number;
  gamma: Int32Array;
  gammaFrac: number;
  beta?: Float64Array;
}

export interface RopeSpec { op: 'llm.RoPE'; heads: number; cos: Int32Array; sin: Int32Array }

export interface AttentionSpec { op: 'llm.Attention'; heads: number; kvHeads: number; causal: boolean; score: Multiplier }

export interface GateSpec { op: 'llm.Gelu' | 'llm.SiLU'; table: 'gelu_tanh' | 'gelu_erf' | 'sigmoid' }

export interface PlainSpec { op: 'llm.SwiGLU' | 'Add' | 'layout' }

export type KernelSpec = LinearSpec | EmbeddingSpec | NormSpec | RopeSpec | AttentionSpec | GateSpec | PlainSpec;

export interface QuantSpec {
  version: 1;
  precision: PrecisionName;
  weightBits: number;
  activationBits: number;
  accumulatorBits: number;
  /** Format of every fixed-point value: activations, float graph inputs and outputs, constant activations. */
  formats: Record<string, FixedFormat>;
  /** Constants read as activations (e.g. a folded position-embedding slice), quantized into formats[name]. */
  constants: Record<string, Int32Array>;
  /** Per kernel, keyed by the node's first output name. */
  kernels: Record<string, KernelSpec>;
  /** Calibrated max |value| per value, for reports. */
  maxAbs: Record<string, number>;
}

const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Int32Array, Float64Array,
};

export function specToJSON(spec: QuantSpec, space?: number): string {
  return JSON.stringify(spec, (_k, v: unknown) => {
    if (v instanceof Int8Array || v instanceof Int32Array || v instanceof Float64Array) {
      return { $typed: v.constructor.name, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    }
    return v;
  }, space);
}

/**
 * specToJSON(spec) in pieces (the same text, concatenated): typed arrays
 * are base64-encoded a few megabytes at a time, so a large model's spec is
 * written without building one huge string.
 */
export function* specJSONChunks(spec: QuantSpec): Iterable<string> {
  const PART = 3 << 20; // a multiple of 3 bytes: base64 pieces concatenate
  function* value(v: unknown): Iterable<string> {
    if (v instanceof Int8Array || v instanceof Int32Array || v instanceof Float64Array) {
      yield `{"$typed":${JSON.stringify(v.constructor.name)},"base64":"`;
      const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      for (let i = 0; i < bytes.length; i += PART) yield bytes.subarray(i, Math.min(bytes.length, i + PART)).toString('base64');
      yield '"}';
    } else if (Array.isArray(v)) {
      yield '[';
      for (let i = 0; i < v.length; i++) {
        if (i) yield ',';
        const x = v[i];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') yield 'null';
        else yield* value(x);
      }
      yield ']';
    } else if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      yield '{';
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        yield `${first ? '' : ','}${JSON.stringify(k)}:`;
        first = false;
        yield* value(x);
      }
      yield '}';
    } else {
      yield JSON.stringify(v);
    }
  }
  yield* value(spec);
}

export function specFromJSON(text: string): QuantSpec {
  const spec = JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && '$typed' in v && 'base64' in v) {
      const { $typed, base64 } = v as { $typed: string; base64: string };
      const Ctor = TYPED[$typed];
      if (!Ctor) throw new Error(`unknown typed array ${$typed}`);
      const bytes = Buffer.from(base64, 'base64');
      const buf = new ArrayBuffer(bytes.length);
      new Uint8Array(buf).set(bytes);
      return new Ctor(buf);
    }
    return v;
  }) as QuantSpec;
  for (const ks of Object.values(spec.kernels)) {
    if (ks.op === 'llm.Linear') ks.weights = revive(ks.weights);
    else if (ks.op === 'llm.Embedding') ks.table = revive(ks.table);
  }
  return spec;
}

function revive(q: QuantWeights): QuantWeights {
  return makeQuantWeights(q.bits, q.axis, q.shape, q.scale);
}

/**
 * Attaches the fused graph's float weights to every quantized weight of
 * `spec` that has none (a spec read back from JSON), so their integers can
 * be recomputed: Linear W is input 1, an Embedding table input 0 of the
 * node whose first output keys the kernel.
 */
export function attachGraphWeights(spec: QuantSpec, graph: Graph): QuantSpec {
  for (const node of graph.nodes) {
    const ks = spec.kernels[node.outputs[0]];
    if (!ks) continue;
    const q = ks.op === 'llm.Linear' ? ks.weights : ks.op === 'llm.Embedding' ? ks.table : undefined;
    if (!q || hasWeightSource(q)) continue;
    const t = graph.initializers.get(node.inputs[ks.op === 'llm.Linear' ? 1 : 0]);
    if (t) attachWeightSource(q, t);
  }
  return spec;
}
