/**
 * The quantized golden interpreter: runs a fused graph under a QuantSpec
 * with the bit-accurate kernels of kernels-q.ts. Float graph inputs (a
 * KV-cache past) are quantized on entry into their formats; outputs are
 * dequantized (q · 2^−frac, as float32).
 */
import { UserError } from '../errors.js';
import { Graph, Node, describeNode } from '../graph.js';
import { OpCall, getOp } from '../ops/index.js';
import { FLOAT_TYPES, Tensor } from '../tensor.js';
import { FixedFormat } from './fixed.js';
import {
  addQ, attentionQ, embeddingQ, gateTable, gatedQ, linearQ, normQ, ropeQ, swigluQ,
} from './kernels-q.js';
import { dequantizeArray, quantizeArray } from './quantize.js';
import { AttentionSpec, EmbeddingSpec, GateSpec, LinearSpec, NormSpec, QuantSpec, RopeSpec } from './spec.js';

/** A value during quantized execution: integers in a format, or a plain (index) tensor. */
export type QValue =
  | { kind: 'fixed'; shape: number[]; data: Int32Array; format: FixedFormat }
  | { kind: 'plain'; tensor: Tensor };

export interface QuantRun {
  outputs: Tensor[];
  /** The integer outputs (for bit-exact comparison with csim/RTL). */
  fixed: (QValue | undefined)[];
}

export function interpretQuantized(graph: Graph, spec: QuantSpec, inputs: readonly Tensor[]): Tensor[] {
  return runQuantized(graph, spec, inputs).outputs;
}

export function runQuantized(graph: Graph, spec: QuantSpec, inputs: readonly Tensor[]): QuantRun {
  const env = new Map<string, QValue>();
  const format = (n: string): FixedFormat => {
    const f = spec.formats[n];
    if (!f) throw new Error(`QuantSpec has no format for '${n}'`);
    return f;
  };
  graph.inputs.forEach((v, i) => {
    const t = inputs[i];
    if (!t) throw new UserError(`missing input '${v.name}'`);
    if (FLOAT_TYPES.has(t.dtype)) {
      env.set(v.name, { kind: 'fixed', shape: [...t.shape], data: quantizeArray(t.data as ArrayLike<number>, format(v.name)), format: format(v.name) });
    } else env.set(v.name, { kind: 'plain', tensor: t });
  });
  for (const [n, data] of Object.entries(spec.constants)) {
    const c = graph.initializers.get(n);
    if (c) env.set(n, { kind: 'fixed', shape: [...c.shape], data, format: format(n) });
  }

  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.inputs.forEach((n) => n && lastUse.set(n, i)));
  const keep = new Set(graph.outputs.map((o) => o.name));

  graph.nodes.forEach((node, index) => {
    const outs = runNode(graph, spec, node, env, format);
    node.outputs.forEach((name, i) => { if (name && outs[i]) env.set(name, outs[i]!); });
    for (const n of node.inputs) if (n && lastUse.get(n) === index && !keep.has(n) && !(n in spec.constants)) env.delete(n);
  });

  const fixed = graph.outputs.map((o) => env.get(o.name));
  const outputs = graph.outputs.map((o, i) => {
    const v = fixed[i];
    if (!v) throw new Error(`graph output '${o.name}' was not computed`);
    if (v.kind === 'plain') return v.tensor;
    return new Tensor('float32', v.shape, dequantizeArray(v.data, v.format));
  });
  return { outputs, fixed };
}

function runNode(graph: Graph, spec: QuantSpec, node: Node, env: Map<string, QValue>, format: (n: string) => FixedFormat): (QValue | undefined)[] {
  const key = node.outputs[0];
  const ks = spec.kernels[key];
  if (!ks) throw new UserError(`${describeNode(node)}: no quantization spec for this node (op ${node.opType})`);
  const fixedIn = (i: number): Extract<QValue, { kind: 'fixed' }> => {
    const v = env.get(node.inputs[i]);
    if (!v) throw new Error(`${describeNode(node)}: input '${node.inputs[i]}' has no value`);
    if (v.kind !== 'fixed') throw new Error(`${describeNode(node)}: input '${node.inputs[i]}' is not a fixed-point value`);
    return v;
  };
  const out = (data: Int32Array, shape: number[], name = key): QValue => ({ kind: 'fixed', shape, data, format: format(name) });

  switch (ks.op) {
    case 'llm.Linear': {
      const s = ks as LinearSpec;
      const x = fixedIn(0);
      const [K, N] = s.weights.shape;
      const y = linearQ(x.data, { K, N, w: s.weights.data, bias: s.bias, requant: s.requant }, format(key));
      return [out(y, [...x.shape.slice(0, -1), N])];
    }
    case 'llm.Embedding': {
      const s = ks as EmbeddingSpec;
      const ids = env.get(node.inputs[1]);
      if (!ids || ids.kind !== 'plain') throw new Error(`${describeNode(node)}: ids must be an index tensor`);
      const [V, D] = s.table.shape;
      const y = embeddingQ(ids.tensor.data as ArrayLike<number>, { V, D, table: s.table.data, requant: s.requant }, format(key));
      return [out(y, [...ids.tensor.shape, D])];
    }
    case 'llm.LayerNorm': case 'llm.RMSNorm': {
      const s = ks as NormSpec;
      const x = fixedIn(0);
      const y = normQ(x.data, x.format, { ...s, center: s.op === 'llm.LayerNorm' }, format(key));
      return [out(y, x.shape)];
    }
    case 'llm.RoPE': {
      const s = ks as RopeSpec;
      const x = fixedIn(0);
      return [out(ropeQ(x.data, x.shape, x.format, s, format(key)), x.shape)];
    }
    case 'llm.Gelu': case 'llm.SiLU': {
      const s = ks as GateSpec;
      const x = fixedIn(0);
      return [out(gatedQ(x.data, x.format, gateTable(s.table), format(key)), x.shape)];
    }
    case 'llm.SwiGLU': {
      const g = fixedIn(0), u = fixedIn(1);
      return [out(swigluQ(g.data, g.format, u.data, u.format, format(key)), g.shape)];
    }
    case 'Add': {
      const a = fixedIn(0), b = fixedIn(1);
      const shape = broadcastShape(a.shape, b.shape, node);
      return [out(addQ(a.data, a.shape, a.format, b.data, b.shape, b.format, shape, format(key)), shape)];
    }
    case 'llm.Attention': {
      const s = ks as AttentionSpec;
      const q = fixedIn(0), k = fixedIn(1), v = fixedIn(2);
      const pk = node.inputs[3] ? fixedIn(3) : undefined, pv = node.inputs[4] ? fixedIn(4) : undefined;
      for (const [p, ref] of [[pk, k], [pv, v]] as const) {
        if (p && (p.format.frac !== ref.format.frac || p.format.bits !== ref.format.bits)) {
          throw new Error(`${describeNode(node)}: KV-cache past and new values must share a format`);
        }
      }
      const r = attentionQ({
        q: q.data, qShape: q.shape, fq: q.format, k: k.data, kShape: k.shape, v: v.data, vShape: v.shape, fv: v.format,
        pastK: pk?.data, pastV: pv?.data, P: pk ? pk.shape[2] : 0,
      }, { heads: s.heads, kvHeads: s.kvHeads, causal: s.causal, score: s.score }, format(key));
      const B = q.shape[0], hd = k.shape[2] / s.kvHeads, hdv = v.shape[2] / s.kvHeads;
      const outs: (QValue | undefined)[] = [out(r.y, r.yShape)];
      if (node.outputs[1]) outs[1] = { kind: 'fixed', shape: [B, s.kvHeads, r.L, hd], data: r.presentK, format: k.format };
      if (node.outputs[2]) outs[2] = { kind: 'fixed', shape: [B, s.kvHeads, r.L, hdv], data: r.presentV, format: v.format };
      return outs;
    }
    case 'layout': {
      // Data movement: run the float op on the integers (exact below 2^24) and keep the format.
      const op = getOp(node.opType)!;
      let fmt: FixedFormat | undefined;
      const ins = node.inputs.map((n) => {
        if (!n) return undefined;
        const v = env.get(n) ?? (graph.initializers.has(n) ? { kind: 'plain' as const, tensor: graph.initializers.get(n)! } : undefined);
        if (!v) throw new Error(`${describeNode(node)}: input '${n}' has no value`);
        if (v.kind === 'plain') return v.tensor;
        fmt ??= v.format;
        return new Tensor('float32', v.shape, Float32Array.from(v.data));
      });
      const res = op.execute(new OpCall(node, graph.opset), ins);
      return res.map((t) => (fmt && FLOAT_TYPES.has(t.dtype)
        ? { kind: 'fixed' as const, shape: [...t.shape], data: Int32Array.from(t.data as ArrayLike<number>), format: fmt }
        : { kind: 'plain' as const, tensor: t }));
    }
  }
}

function broadcastShape(a: readonly number[], b: readonly number[], node: Node): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x !== y && x !== 1 && y !== 1) throw new UserError(`${describeNode(node)}: shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
