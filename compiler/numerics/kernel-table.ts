/**
 * The one dispatch from a kernel's QuantSpec entry to its bit-accurate
 * arithmetic in kernels-q.ts. Both golden interpreters call it: the fused
 * graph one (quant-interpreter.ts, operands from graph values) and the
 * dataflow one (dataflow/interpreter.ts, operands from streams and
 * memories), so the arithmetic exists once.
 *
 * Operands come in the fused node's input order. Shapes are the graph's
 * ([B, T, C] activations, [B, Hk, P, hd] KV-cache past); callers that hold
 * token-major [T, C] streams pass [1, T, C].
 */
import { UserError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { FixedFormat } from './fixed.js';
import {
  addQ, attentionQ, embeddingQ, gateTable, gatedQ, linearQ, normQ, ropeQ, swigluQ,
} from './kernels-q.js';
import { AttentionSpec, EmbeddingSpec, GateSpec, KernelSpec, LinearSpec, NormSpec, RopeSpec } from './spec.js';

/** A value during quantized execution: integers in a format, or a plain (index) tensor. */
export type QValue =
  | { kind: 'fixed'; shape: number[]; data: Int32Array; format: FixedFormat }
  | { kind: 'plain'; tensor: Tensor };

export type FixedValue = Extract<QValue, { kind: 'fixed' }>;

/** One kernel invocation: operands (undefined for an absent optional one), the output format, a name for errors. */
export interface KernelCall {
  ins: readonly (QValue | undefined)[];
  /** Operand names, for errors. */
  names?: readonly string[];
  out: FixedFormat;
  where: string;
}

/**
 * Results by output slot. llm.Attention returns [y, presentK, presentV]
 * (present in k's and v's formats, [B, Hk, P + S, hd]).
 */
export type KernelFn = (ks: KernelSpec, call: KernelCall) => FixedValue[];

export type HardwareKernelOp = Exclude<KernelSpec['op'], 'layout'>;

function fixedIn(call: KernelCall, i: number): FixedValue {
  const v = call.ins[i];
  const name = call.names?.[i] ? `input '${call.names[i]}'` : `operand ${i}`;
  if (!v) throw new Error(`${call.where}: ${name} has no value`);
  if (v.kind !== 'fixed') throw new Error(`${call.where}: ${name} is not a fixed-point value`);
  return v;
}

const fixed = (data: Int32Array, shape: number[], format: FixedFormat): FixedValue => ({ kind: 'fixed', shape, data, format });

const norm: KernelFn = (ks, call) => {
  const s = ks as NormSpec;
  const x = fixedIn(call, 0);
  return [fixed(normQ(x.data, x.format, { ...s, center: s.op === 'llm.LayerNorm' }, call.out), x.shape, call.out)];
};

const gated: KernelFn = (ks, call) => {
  const x = fixedIn(call, 0);
  return [fixed(gatedQ(x.data, x.format, gateTable((ks as GateSpec).table), call.out), x.shape, call.out)];
};

/** Every hardware kernel of the numeric contract, by fused op. */
export const Q_KERNELS: Record<HardwareKernelOp, KernelFn> = {
  'llm.Linear': (ks, call) => {
    const s = ks as LinearSpec;
    const x = fixedIn(call, 0);
    const [K, N] = s.weights.shape;
    const y = linearQ(x.data, { K, N, w: s.weights.data, bias: s.bias, requant: s.requant }, call.out);
    return [fixed(y, [...x.shape.slice(0, -1), N], call.out)];
  },
  'llm.Embedding': (ks, call) => {
    const s = ks as EmbeddingSpec;
    const ids = call.ins[1];
    if (!ids) throw new Error(`${call.where}: ${call.names?.[1] ? `input '${call.names[1]}'` : 'ids'} has no value`);
    const data: ArrayLike<number> = ids.kind === 'plain' ? ids.tensor.data as ArrayLike<number> : ids.data;
    const shape = ids.kind === 'plain' ? [...ids.tensor.shape] : ids.shape;
    const [V, D] = s.table.shape;
    return [fixed(embeddingQ(data, { V, D, table: s.table.data, requant: s.requant }, call.out), [...shape, D], call.out)];
  },
  'llm.LayerNorm': norm,
  'llm.RMSNorm': norm,
  'llm.RoPE': (ks, call) => {
    const x = fixedIn(call, 0);
    return [fixed(ropeQ(x.data, x.shape, x.format, ks as RopeSpec, call.out), x.shape, call.out)];
  },
  'llm.Gelu': gated,
  'llm.SiLU': gated,
  'llm.SwiGLU': (_ks, call) => {
    const g = fixedIn(call, 0), u = fixedIn(call, 1);
    return [fixed(swigluQ(g.data, g.format, u.data, u.format, call.out), g.shape, call.out)];
  },
  Add: (_ks, call) => {
    const a = fixedIn(call, 0), b = fixedIn(call, 1);
    const shape = broadcastShape(a.shape, b.shape, call.where);
    return [fixed(addQ(a.data, a.shape, a.format, b.data, b.shape, b.format, shape, call.out), shape, call.out)];
  },
  'llm.Attention': (ks, call) => {
    const s = ks as AttentionSpec;
    const q = fixedIn(call, 0), k = fixedIn(call, 1), v = fixedIn(call, 2);
    const pk = call.ins[3] ? fixedIn(call, 3) : undefined, pv = call.ins[4] ? fixedIn(call, 4) : undefined;
    for (const [p, ref] of [[pk, k], [pv, v]] as const) {
      if (p && (p.format.frac !== ref.format.frac || p.format.bits !== ref.format.bits)) {
        throw new Error(`${call.where}: KV-cache past and new values must share a format`);
      }
    }
    const r = attentionQ({
      q: q.data, qShape: q.shape, fq: q.format, k: k.data, kShape: k.shape, v: v.data, vShape: v.shape, fv: v.format,
      pastK: pk?.data, pastV: pv?.data, P: pk ? pk.shape[2] : 0,
    }, { heads: s.heads, kvHeads: s.kvHeads, causal: s.causal, score: s.score }, call.out);
    const B = q.shape[0], hd = k.shape[2] / s.kvHeads, hdv = v.shape[2] / s.kvHeads;
    return [
      fixed(r.y, r.yShape, call.out),
      fixed(r.presentK, [B, s.kvHeads, r.L, hd], k.format),
      fixed(r.presentV, [B, s.kvHeads, r.L, hdv], v.format),
    ];
  },
};

/** Runs one hardware kernel of the numeric contract. */
export function runKernelQ(ks: KernelSpec, call: KernelCall): FixedValue[] {
  const fn = Q_KERNELS[ks.op as HardwareKernelOp];
  if (!fn) throw new UserError(`${call.where}: op ${ks.op} is not a hardware kernel`);
  return fn(ks, call);
}

export function broadcastShape(a: readonly number[], b: readonly number[], where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x !== y && x !== 1 && y !== 1) throw new UserError(`${where}: shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
