/**
 * Each quantized kernel against its float kernel, on random data from a
 * seeded generator. The float kernel runs on the dequantized inputs and
 * parameters (what the integers mean), so the difference is the contract's
 * own arithmetic error, checked against the bound docs/numerics.md states.
 */
import { describe, expect, it } from 'vitest';
import { Graph, Node } from '../../compiler/graph.js';
import { interpret } from '../../compiler/interpreter.js';
import { OpCall, getOp } from '../../compiler/ops/index.js';
import { Tensor } from '../../compiler/tensor.js';
import { buildQuantSpec, collectStats } from '../../compiler/numerics/calibrate.js';
import { fromFixed, toFixed } from '../../compiler/numerics/fixed.js';
import { NORM_FRAC, ROPE_FRAC } from '../../compiler/numerics/kernels-q.js';
import { PrecisionName } from '../../compiler/numerics/precision.js';
import { dequantizeWeights } from '../../compiler/numerics/quantize.js';
import { runQuantized } from '../../compiler/numerics/quant-interpreter.js';
import { EmbeddingSpec, LinearSpec, NormSpec, QuantSpec, RopeSpec } from '../../compiler/numerics/spec.js';
import { rng } from './rng.js';

interface In { name: string; t: Tensor; isConst?: boolean }

function oneNode(opType: string, ins: In[], outs: string[], attrs: Node['attrs'] = {}): Graph {
  const node: Node = { name: 'k', opType, inputs: ins.map((i) => i.name), outputs: outs, attrs };
  const g: Graph = { name: 't', opset: 17, inputs: [], outputs: [], initializers: new Map(), nodes: [node], types: new Map(), meta: {} };
  for (const i of ins) {
    g.types.set(i.name, { dtype: i.t.dtype, shape: [...i.t.shape] });
    if (i.isConst) g.initializers.set(i.name, i.t);
    else g.inputs.push({ name: i.name, dtype: i.t.dtype, shape: [...i.t.shape] });
  }
  const types = getOp(opType)!.infer(new OpCall(node, 17), ins.map((i) => ({ dtype: i.t.dtype, shape: [...i.t.shape] })), ins.map((i) => (i.isConst ? i.t : undefined)));
  outs.forEach((o, k) => { g.types.set(o, types[k]); g.outputs.push({ name: o, ...types[k] }); });
  return g;
}

const f32 = (shape: number[], f: () => number) => Tensor.from('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f));

/** The graph with every parameter replaced by what its integers mean, and the dequantized inputs. */
function dequantized(g: Graph, spec: QuantSpec, inputs: Tensor[]): { graph: Graph; inputs: Tensor[] } {
  const init = new Map(g.initializers);
  const node = g.nodes[0];
  const ks = spec.kernels[node.outputs[0]];
  const fin = (n: string) => spec.formats[n];
  if (ks.op === 'llm.Linear') {
    const s = ks as LinearSpec;
    const [K, N] = s.weights.shape;
    init.set(node.inputs[1], Tensor.from('float32', [K, N], dequantizeWeights(s.weights)));
    if (s.bias) init.set(node.inputs[2], Tensor.from('float32', [N], Array.from(s.bias, (b, n) => b * s.weights.scale[n] * 2 ** -fin(node.inputs[0]).frac)));
  } else if (ks.op === 'llm.Embedding') {
    const s = ks as EmbeddingSpec;
    init.set(node.inputs[0], Tensor.from('float32', s.table.shape, dequantizeWeights(s.table)));
  } else if (ks.op === 'llm.LayerNorm' || ks.op === 'llm.RMSNorm') {
    const s = ks as NormSpec;
    init.set(node.inputs[1], Tensor.from('float32', [s.D], Array.from(s.gamma, (q) => q * 2 ** -s.gammaFrac / Math.sqrt(s.D))));
    if (s.beta) init.set(node.inputs[2], Tensor.from('float32', [s.D], Array.from(s.beta, (q) => q * 2 ** -(NORM_FRAC + s.gammaFrac))));
  } else if (ks.op === 'llm.RoPE') {
    const s = ks as RopeSpec;
    init.set(node.inputs[1], Tensor.from('float32', init.get(node.inputs[1])!.shape, Array.from(s.cos, (q) => q * 2 ** -ROPE_FRAC)));
    init.set(node.inputs[2], Tensor.from('float32', init.get(node.inputs[2])!.shape, Array.from(s.sin, (q) => q * 2 ** -ROPE_FRAC)));
  }
  for (const [n, q] of Object.entries(spec.constants)) init.set(n, Tensor.from('float32', init.get(n)!.shape, Array.from(q, (v) => fromFixed(v, fin(n)))));
  const ins = inputs.map((t, i) => (t.dtype === 'float32'
    ? Tensor.from('float32', t.shape, Array.from(t.data, (x) => fromFixed(toFixed(x, fin(g.inputs[i].name)), fin(g.inputs[i].name))))
    : t));
  return { graph: { ...g, initializers: init }, inputs: ins };
}

interface Check {
  q: Tensor[]; ref: Tensor[]; spec: QuantSpec; graph: Graph; deqInputs: Tensor[];
}

function check(g: Graph, inputs: Tensor[], precision: PrecisionName = 'w8a16'): Check {
  const spec = buildQuantSpec(g, collectStats(g, [inputs]), precision);
  const q = runQuantized(g, spec, inputs).outputs;
  const d = dequantized(g, spec, inputs);
  return { q, ref: interpret(d.graph, d.inputs), spec, graph: g, deqInputs: d.inputs };
}

/** Asserts |q − ref| ≤ bound(i) elementwise; returns the worst err/bound. */
function within(q: Tensor, ref: Tensor, bound: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < ref.size; i++) {
    const err = Math.abs(q.data[i] - ref.data[i]);
    const b = bound(i) + 1e-6 * Math.abs(ref.data[i]); // float32 rounding of the reference
    if (err > b) throw new Error(`element ${i}: |${q.data[i]} − ${ref.data[i]}| = ${err} > bound ${b}`);
    worst = Math.max(worst, err / b);
  }
  if (process.env.NUMERICS_VERBOSE) console.log(`worst error / bound: ${worst.toFixed(3)}`);
  return worst;
}

const lsb = (spec: QuantSpec, name: string) => 2 ** -spec.formats[name].frac;

describe.each(['w8a16', 'w8a8', 'w4a16'] as const)('quantized kernels (%s) vs float kernels on dequantized operands', (precision) => {
  it('llm.Linear: one rounding plus the 2^-15 multiplier error', () => {
    const r = rng(11);
    const [K, N] = [48, 20];
    const x = f32([2, 5, K], () => r.normal() * 2);
    const g = oneNode('llm.Linear', [
      { name: 'x', t: x },
      { name: 'W', t: f32([K, N], () => r.normal() * 0.2), isConst: true },
      { name: 'b', t: f32([N], () => r.normal()), isConst: true },
    ], ['y']);
    const c = check(g, [x], precision);
    within(c.q[0], c.ref[0], (i) => 0.5 * lsb(c.spec, 'y') + 2 ** -15 * Math.abs(c.ref[0].data[i]));
  });

  it('llm.Embedding: one rounding plus the multiplier error', () => {
    const r = rng(12);
    const g = oneNode('llm.Embedding', [
      { name: 'table', t: f32([50, 24], () => r.normal() * 0.3), isConst: true },
      { name: 'ids', t: Tensor.from('int64', [1, 9], [0, 3, 49, -1, 7, 7, 20, 33, 1]) },
    ], ['y']);
    const c = check(g, [Tensor.from('int64', [1, 9], [0, 3, 49, -1, 7, 7, 20, 33, 1])], precision);
    within(c.q[0], c.ref[0], (i) => 0.5 * lsb(c.spec, 'y') + 2 ** -15 * Math.abs(c.ref[0].data[i]));
  });

  for (const op of ['llm.LayerNorm', 'llm.RMSNorm'] as const) {
    it(`${op}: mean, rsqrt table and normalized rounding`, () => {
      const r = rng(13);
      const D = 64;
      const ins: In[] = [
        { name: 'x', t: f32([3, 4, D], () => r.normal() * 1.5 + 0.7) },
        { name: 'gamma', t: f32([D], () => 1 + r.normal() * 0.3), isConst: true },
      ];
      if (op === 'llm.LayerNorm') ins.push({ name: 'beta', t: f32([D], () => r.normal() * 0.1), isConst: true });
      const g = oneNode(op, ins, ['y'], { epsilon: 1e-5 });
      const c = check(g, [ins[0].t], precision);
      const x = c.deqInputs[0].data, gamma = c.graph.initializers.get('gamma')!.data;
      const fx = c.spec.formats.x.frac;
      within(c.q[0], c.ref[0], (i) => {
        const row = Math.floor(i / D) * D, j = i % D;
        let mean = 0, sq = 0;
        for (let k = 0; k < D; k++) mean += x[row + k] / D;
        if (op === 'llm.RMSNorm') mean = 0;
        for (let k = 0; k < D; k++) sq += (x[row + k] - mean) ** 2 / D;
        const sigma = Math.sqrt(sq + 1e-5), n = (x[i] - mean) / sigma;
        const dMean = op === 'llm.RMSNorm' ? 0 : 0.5 * 2 ** -(fx + 3) + 2 ** -15 * Math.abs(mean);
        return 0.5 * lsb(c.spec, 'y') + Math.abs(gamma[j]) * (4e-5 * Math.abs(n) + Math.sqrt(D) * 2 ** -(NORM_FRAC + 1) + dMean / sigma);
      });
    });
  }

  it('llm.RoPE: exact products, one rounding', () => {
    const r = rng(14);
    const [T, H, hd] = [6, 2, 8];
    const cos = f32([T, hd], () => 0), sin = f32([T, hd], () => 0);
    for (let t = 0; t < T; t++) for (let i = 0; i < hd; i++) {
      const th = t / 10000 ** ((2 * (i % (hd / 2))) / hd);
      cos.data[t * hd + i] = Math.cos(th); sin.data[t * hd + i] = Math.sin(th);
    }
    const x = f32([1, T, H * hd], () => r.normal() * 3);
    const g = oneNode('llm.RoPE', [{ name: 'x', t: x }, { name: 'cos', t: cos, isConst: true }, { name: 'sin', t: sin, isConst: true }], ['y'], { heads: H });
    const c = check(g, [x], precision);
    within(c.q[0], c.ref[0], () => 0.5 * lsb(c.spec, 'y'));
  });

  for (const [op, attrs] of [['llm.Gelu', { approximate: 'tanh' }], ['llm.Gelu', { approximate: 'none' }], ['llm.SiLU', {}]] as const) {
    it(`${op} ${JSON.stringify(attrs)}: gate table within 2^-15 · |x|`, () => {
      const r = rng(15);
      const x = f32([4, 40], () => r.normal() * 3);
      const g = oneNode(op, [{ name: 'x', t: x }], ['y'], attrs);
      const c = check(g, [x], precision);
      within(c.q[0], c.ref[0], (i) => 0.5 * lsb(c.spec, 'y') + 2 ** -15 * Math.abs(c.deqInputs[0].data[i]));
    });
  }

  it('llm.SwiGLU: one rounding of the triple product', () => {
    const r = rng(16);
    const a = f32([3, 32], () => r.normal() * 2), b = f32([3, 32], () => r.normal());
    const g = oneNode('llm.SwiGLU', [{ name: 'g', t: a }, { name: 'u', t: b }], ['y']);
    const c = check(g, [a, b], precision);
    within(c.q[0], c.ref[0], (i) => 0.5 * lsb(c.spec, 'y') + 2 ** -15 * Math.abs(c.deqInputs[0].data[i] * c.deqInputs[1].data[i]));
  });

  it('Add: aligned exact sum, one rounding, with broadcasting and a constant operand', () => {
    const r = rng(17);
    const a = f32([1, 5, 16], () => r.normal() * 4);
    const g = oneNode('Add', [{ name: 'a', t: a }, { name: 'pos', t: f32([5, 16], () => r.normal() * 0.05), isConst: true }], ['y']);
    const c = check(g, [a], precision);
    within(c.q[0], c.ref[0], () => 0.5 * lsb(c.spec, 'y'));
  });

  for (const causal of [0, 1]) {
    it(`llm.Attention (GQA, KV cache, causal ${causal}): softmax tables within their bound`, () => {
      const r = rng(18 + causal);
      const [T, P, H, Hk, hd] = [4, 3, 4, 2, 8];
      const q = f32([1, T, H * hd], () => r.normal()), k = f32([1, T, Hk * hd], () => r.normal());
      const v = f32([1, T, Hk * hd], () => r.normal()), pk = f32([1, Hk, P, hd], () => r.normal()), pv = f32([1, Hk, P, hd], () => r.normal());
      const g = oneNode('llm.Attention', [{ name: 'q', t: q }, { name: 'k', t: k }, { name: 'v', t: v }, { name: 'pk', t: pk }, { name: 'pv', t: pv }],
        ['y', 'present_k', 'present_v'], { heads: H, kv_heads: Hk, scale: 1 / Math.sqrt(hd), causal });
      const c = check(g, [q, k, v, pk, pv], precision);
      // KV cache: present = concat(past, new), bit for bit in k's and v's formats.
      expect(c.spec.formats.pk).toEqual(c.spec.formats.k);
      within(c.q[1], c.ref[1], () => 0);
      within(c.q[2], c.ref[2], () => 0);
      const L = T + P;
      let vMax = 0, sMax = 0;
      for (const x of [...c.deqInputs[2].data, ...c.deqInputs[4].data]) vMax = Math.max(vMax, Math.abs(x));
      const qd = c.deqInputs[0].data, kd = [...c.deqInputs[1].data, ...c.deqInputs[3].data];
      for (const a of qd) for (const b of kd) sMax = Math.max(sMax, Math.abs(a * b) * hd / Math.sqrt(hd));
      // ρ: relative error of each probability (recip table, score rounding and multiplier on t and max);
      // per-key absolute error 2.5·2^-16 (exp LSBs, probability rounding).
      const rho = 5e-5 + Math.LN2 * (2 * 2 ** -17 + 2 * 2 ** -15 * sMax * Math.LOG2E);
      within(c.q[0], c.ref[0], () => 0.5 * lsb(c.spec, 'y') + vMax * (rho + L * 2.5 * 2 ** -16));
    });
  }
});
