/**
 * Bit-accurate execution of every kernel on fixed-point integer tensors:
 * the arithmetic docs/numerics.md specifies, step for step, in the same
 * order. Activations are Int32Array holding each element's integer q of its
 * tensor's FixedFormat; every intermediate is an exact integer below 2^53
 * (bounds in the comments and the docs).
 */
import { UserError } from '../errors.js';
import { FixedFormat, Multiplier, applyMultiplier, roundShift, saturate, saturateBits } from './fixed.js';
import { ChannelMultipliers } from './quantize.js';
import { EXP_INPUT_FRAC, GELU_ERF_GATE, GELU_TANH_GATE, LookupTable, SIGMOID, exp2Neg, gate, recip, rsqrt } from './tables.js';

// ---------------------------------------------------------------------------
// llm.Linear: acc = bias[n] + Σ_k x[k]·w[k,n]; y = sat(roundShift(acc·m[n], shift[n])).

export interface LinearQ {
  K: number;
  N: number;
  /** W[K, N] row-major, symmetric int8 or int4 values. */
  w: Int8Array;
  /** Bias in accumulator units (x LSB · w scale[n]), exact integers; optional. */
  bias?: Float64Array;
  requant: ChannelMultipliers;
}

export function linearQ(x: Int32Array, p: LinearQ, out: FixedFormat): Int32Array {
  const { K, N, w, bias, requant } = p;
  const rows = K === 0 ? 0 : x.length / K;
  const y = new Int32Array(rows * N);
  const acc = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    if (bias) acc.set(bias); else acc.fill(0);
    const xo = r * K;
    for (let k = 0; k < K; k++) {
      const xv = x[xo + k];
      if (xv === 0) continue;
      const wo = k * N;
      for (let n = 0; n < N; n++) acc[n] += xv * w[wo + n];
    }
    for (let n = 0; n < N; n++) y[r * N + n] = saturate(roundShift(acc[n] * requant.m[n], requant.shift[n]), out);
  }
  return y;
}

// ---------------------------------------------------------------------------
// llm.Embedding: y[t, d] = sat(roundShift(q[row, d]·m[row], shift[row])).

export interface EmbeddingQ {
  V: number;
  D: number;
  table: Int8Array;
  requant: ChannelMultipliers;
  /** The node, for the error an out-of-range id raises. */
  where?: string;
}

export function embeddingQ(ids: ArrayLike<number>, p: EmbeddingQ, out: FixedFormat): Int32Array {
  const { V, D, table, requant } = p;
  const y = new Int32Array(ids.length * D);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    // Ids are the user's input (fp32's Gather refuses them the same way): exit 1, not an internal error.
    if (!(id >= -V && id < V)) throw new UserError(`${p.where ? `${p.where}: ` : ''}token id ${id} (position ${t}) is out of range for an embedding table of ${V} rows (ids are 0..${V - 1})`);
    const row = id < 0 ? id + V : id;
    const m = requant.m[row], s = requant.shift[row];
    for (let d = 0; d < D; d++) y[t * D + d] = saturate(roundShift(table[row * D + d] * m, s), out);
  }
  return y;
}

// ---------------------------------------------------------------------------
// llm.LayerNorm / llm.RMSNorm.

/** Extra fraction bits of the centered values c. */
export const NORM_GUARD_BITS = 3;
/** Fraction bits of the normalized value n = c / sqrt(U) (|n| ≤ 1). */
export const NORM_FRAC = 20;
/** eps·D·2^(2(fx+G)) is clamped to this. */
export const NORM_EPS_LIMIT = 2 ** 51;

export interface NormQ {
  D: number;
  /** true: LayerNorm (subtract the mean); false: RMSNorm. */
  center: boolean;
  /** 1/D as a multiplier (used by LayerNorm only). */
  invD: Multiplier;
  /** max(1, roundHalfEven(eps · D · 2^(2(fx + G)))), clamped to NORM_EPS_LIMIT. */
  epsU: number;
  /** gamma · sqrt(D), 16-bit with gammaFrac fraction bits. */
  gamma: Int32Array;
  gammaFrac: number;
  /** beta in units 2^−(NORM_FRAC + gammaFrac); optional. */
  beta?: Float64Array;
}

export function normQ(x: Int32Array, fx: FixedFormat, p: NormQ, out: FixedFormat): Int32Array {
  const { D, center, invD, epsU, gamma, gammaFrac, beta } = p;
  const G = NORM_GUARD_BITS;
  const y = new Int32Array(x.length);
  const c = new Float64Array(D);
  const outShift = NORM_FRAC + gammaFrac - out.frac;
  for (let base = 0; base < x.length; base += D) {
    // 1. mean in units 2^-(fx+G): roundShift(Σx · m, shift − G)
    let meanG = 0;
    if (center) {
      let sum = 0;
      for (let j = 0; j < D; j++) sum += x[base + j]; // |sum| ≤ 2^15·D
      meanG = roundShift(sum * invD.m, invD.shift - G);
    }
    // 2. centered values and their sum of squares U (≤ 2^38·D + epsU < 2^52 for D ≤ 8192)
    let u = epsU;
    for (let j = 0; j < D; j++) {
      const cj = x[base + j] * 2 ** G - meanG;
      c[j] = cj;
      u += cj * cj;
    }
    // 3. 1/sqrt(U) = r · 2^-16 · 2^-(e/2)
    const { r, e } = rsqrt(u);
    const nShift = 16 + e / 2 - NORM_FRAC;
    for (let j = 0; j < D; j++) {
      // 4. n = c/sqrt(U) with NORM_FRAC fraction bits; 5. y = n·gamma' + beta
      const n = roundShift(c[j] * r, nShift);
      const acc = n * gamma[j] + (beta ? beta[j] : 0);
      y[base + j] = saturate(roundShift(acc, outShift), out);
    }
  }
  return y;
}

// ---------------------------------------------------------------------------
// llm.RoPE: y = sat(roundShift(x·cos + rot(x)·sin, fx + ROPE_FRAC − fy)).

export const ROPE_FRAC = 14;

export interface RopeQ {
  heads: number;
  /** cos and sin [T, hd], signed 16-bit with ROPE_FRAC fraction bits. */
  cos: Int32Array;
  sin: Int32Array;
}

export function ropeQ(x: Int32Array, shape: readonly number[], fx: FixedFormat, p: RopeQ, out: FixedFormat): Int32Array {
  const [B, T, C] = shape;
  const hd = C / p.heads, half = hd / 2;
  const y = new Int32Array(x.length);
  const s = fx.frac + ROPE_FRAC - out.frac;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * C, tab = t * hd;
      for (let h = 0; h < p.heads; h++) {
        const base = row + h * hd;
        for (let i = 0; i < hd; i++) {
          const rot = i < half ? -x[base + i + half] : x[base + i - half];
          y[base + i] = saturate(roundShift(x[base + i] * p.cos[tab + i] + rot * p.sin[tab + i], s), out);
        }
      }
    }
  }
  return y;
}

// ---------------------------------------------------------------------------
// Gated activations: y = sat(roundShift(x · g(x), fx + 16 − fy)).

export function gateTable(op: 'gelu_tanh' | 'gelu_erf' | 'sigmoid'): LookupTable {
  return op === 'gelu_tanh' ? GELU_TANH_GATE : op === 'gelu_erf' ? GELU_ERF_GATE : SIGMOID;
}

export function gatedQ(x: Int32Array, fx: FixedFormat, table: LookupTable, out: FixedFormat): Int32Array {
  const y = new Int32Array(x.length);
  const s = fx.frac + 16 - out.frac;
  for (let i = 0; i < x.length; i++) y[i] = saturate(roundShift(x[i] * gate(table, x[i], fx.frac), s), out);
  return y;
}

/** llm.SwiGLU: y = sat(roundShift(g · sigmoid(g) · u, fg + 16 + fu − fy)) (|product| < 2^47). */
export function swigluQ(g: Int32Array, fg: FixedFormat, u: Int32Array, fu: FixedFormat, out: FixedFormat): Int32Array {
  const y = new Int32Array(g.length);
  const s = fg.frac + 16 + fu.frac - out.frac;
  for (let i = 0; i < g.length; i++) y[i] = saturate(roundShift(g[i] * gate(SIGMOID, g[i], fg.frac) * u[i], s), out);
  return y;
}

// ---------------------------------------------------------------------------
// Add: F = max(fa, fb); y = sat(roundShift(a·2^(F−fa) + b·2^(F−fb), F − fy)), numpy broadcasting.

export function addQ(a: Int32Array, aShape: readonly number[], fa: FixedFormat,
  b: Int32Array, bShape: readonly number[], fb: FixedFormat, outShape: readonly number[], out: FixedFormat): Int32Array {
  const F = Math.max(fa.frac, fb.frac);
  const sa = 2 ** (F - fa.frac), sb = 2 ** (F - fb.frac), s = F - out.frac;
  const ia = broadcastIndex(aShape, outShape), ib = broadcastIndex(bShape, outShape);
  const y = new Int32Array(ia.length);
  for (let i = 0; i < y.length; i++) y[i] = saturate(roundShift(a[ia[i]] * sa + b[ib[i]] * sb, s), out);
  return y;
}

/** For every element of outShape, the flat index of the broadcast input element. */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = outShape.reduce((x, y) => x * y, 1);
  const idx = new Int32Array(n);
  const lead = outShape.length - inShape.length;
  const inStrides: number[] = [];
  let acc = 1;
  for (let d = inShape.length - 1; d >= 0; d--) { inStrides[d] = acc; acc *= inShape[d]; }
  const strides = outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : inStrides[d - lead]));
  const pos = new Array<number>(outShape.length).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let d = outShape.length - 1; d >= 0; d--) {
      pos[d]++;
      off += strides[d];
      if (pos[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      pos[d] = 0;
    }
  }
  return idx;
}

// ---------------------------------------------------------------------------
// llm.Attention.

/** Fraction bits of softmax probabilities (unsigned, ≤ 2^15). */
export const PROB_FRAC = 15;
/** Width the log2-domain scores saturate to. */
export const SCORE_BITS = 32;

export interface AttentionQ {
  heads: number;
  kvHeads: number;
  causal: boolean;
  /** scale · log2(e) · 2^(EXP_INPUT_FRAC − fq − fk) as a multiplier. */
  score: Multiplier;
}

export interface AttentionIO {
  q: Int32Array; qShape: readonly number[]; fq: FixedFormat;
  k: Int32Array; kShape: readonly number[];
  v: Int32Array; vShape: readonly number[]; fv: FixedFormat;
  /** [B, Hk, P, hd] in k's format, [B, Hk, P, hdv] in v's format. */
  pastK?: Int32Array; pastV?: Int32Array; P: number;
}

export interface AttentionOut { y: Int32Array; yShape: number[]; presentK: Int32Array; presentV: Int32Array; L: number }

/**
 * Per query row: t_j = sat32(roundShift((q·k_j)·m, shift)) (log2 domain,
 * EXP_INPUT_FRAC fraction bits), M = max_j t_j, e_j = exp2Neg(M − t_j),
 * Z = Σ e_j, (r, k) = recip(Z), p_j = roundShift(e_j·r, k + 16 − PROB_FRAC),
 * y_d = sat(roundShift(Σ_j p_j·v_jd, PROB_FRAC + fv − fy)). Only visible keys take part.
 */
export function attentionQ(io: AttentionIO, p: AttentionQ, out: FixedFormat): AttentionOut {
  const { heads: H, kvHeads: Hk, causal } = p;
  const [B, T, Cq] = io.qShape, S = io.kShape[1];
  const hd = Cq / H, hdv = io.vShape[2] / Hk;
  const P = io.P, L = P + S;
  const presentK = new Int32Array(B * Hk * L * hd), presentV = new Int32Array(B * Hk * L * hdv);
  const fill = (present: Int32Array, past: Int32Array | undefined, cur: Int32Array, d: number) => {
    for (let b = 0; b < B; b++) {
      for (let g = 0; g < Hk; g++) {
        const base = (b * Hk + g) * L * d;
        if (past) for (let i = 0; i < P * d; i++) present[base + i] = past[(b * Hk + g) * P * d + i];
        for (let s = 0; s < S; s++) {
          const src = (b * S + s) * Hk * d + g * d, dst = base + (P + s) * d;
          for (let i = 0; i < d; i++) present[dst + i] = cur[src + i];
        }
      }
    }
  };
  fill(presentK, io.pastK, io.k, hd);
  fill(presentV, io.pastV, io.v, hdv);

  const y = new Int32Array(B * T * H * hdv);
  const qd = io.q, group = H / Hk, offset = L - T;
  const t = new Float64Array(L), e = new Float64Array(L), acc = new Float64Array(hdv);
  const outShift = PROB_FRAC + io.fv.frac - out.frac;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const kBase = (b * Hk + g) * L * hd, vBase = (b * Hk + g) * L * hdv;
      for (let i = 0; i < T; i++) {
        const qBase = (b * T + i) * Cq + h * hd;
        const last = causal ? Math.min(L - 1, i + offset) : L - 1;
        const yBase = (b * T + i) * H * hdv + h * hdv;
        if (last < 0) continue; // no visible key: zeros
        let max = -Infinity;
        for (let j = 0; j <= last; j++) {
          let dot = 0; // |dot| ≤ hd · 2^30 ≤ 2^38
          const kr = kBase + j * hd;
          for (let d = 0; d < hd; d++) dot += qd[qBase + d] * presentK[kr + d];
          t[j] = saturateBits(applyMultiplier(dot, p.score), SCORE_BITS);
          if (t[j] > max) max = t[j];
        }
        let z = 0;
        for (let j = 0; j <= last; j++) z += e[j] = exp2Neg(max - t[j]);
        const { r, k } = recip(z);
        const pShift = k + 16 - PROB_FRAC;
        acc.fill(0);
        for (let j = 0; j <= last; j++) {
          const pj = roundShift(e[j] * r, pShift);
          if (pj === 0) continue;
          const vr = vBase + j * hdv;
          for (let d = 0; d < hdv; d++) acc[d] += pj * presentV[vr + d];
        }
        for (let d = 0; d < hdv; d++) y[yBase + d] = saturate(roundShift(acc[d], outShift), out);
      }
    }
  }
  return { y, yShape: [B, T, H * hdv], presentK, presentV, L };
}

export { EXP_INPUT_FRAC };
