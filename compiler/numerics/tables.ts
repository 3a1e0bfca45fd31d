/**
 * The nonlinear functions of the numeric contract, defined once as
 * piecewise-linear lookup tables on integers (docs/numerics.md, "Tables").
 *
 * Every table is a plain array of unsigned integers with TABLE_FRAC = 16
 * fraction bits (values in [0, 2^16], 17-bit unsigned in hardware), on a
 * uniform grid of 2^b intervals per unit of its input, with one entry more
 * than intervals so the last interval has a right end. Every lookup is
 *
 *   lerp(T, i, r, R) = T[i] + roundShift((T[i+1] − T[i]) · r, R)
 *
 * with index i and an R-bit remainder r taken from the input by shifts and
 * masks (floor). The C++ and Verilog emitters print TABLES as they are.
 */
import { erf } from '../ops/elementwise.js';
import { bitLength, floorShift, roundHalfEven, roundShift } from './fixed.js';

export const TABLE_FRAC = 16;
const ONE = 2 ** TABLE_FRAC;

export interface LookupTable {
  name: string;
  /** What entry i holds, for the docs and emitted comments. */
  formula: string;
  /** Unsigned integers with TABLE_FRAC fraction bits. */
  values: readonly number[];
}

function build(name: string, formula: string, n: number, f: (i: number) => number): LookupTable {
  const values = Array.from({ length: n }, (_, i) => roundHalfEven(f(i) * ONE));
  return { name, formula, values };
}

/** The one interpolation primitive. */
export function lerp(t: readonly number[], i: number, r: number, rBits: number): number {
  return t[i] + roundShift((t[i + 1] - t[i]) * r, rBits);
}

// ---------------------------------------------------------------------------
// exp2 of a negative fraction: EXP2[i] = 2^(-i/256), i = 0..256.

export const EXP2_INDEX_BITS = 8;
/** Fraction bits of softmax scores in the log2 domain (the exp input). */
export const EXP_INPUT_FRAC = 16;
export const EXP2 = build('exp2', '2^16 · 2^(−i/256), i = 0..256', 257, (i) => 2 ** (-i / 256));

/**
 * 2^(−a · 2^−16) in Q.16 for an integer a ≥ 0 (a = max − score, scores in
 * the log2 domain with EXP_INPUT_FRAC fraction bits):
 *   n = a >> 16, f = a & 0xffff, i = f >> 8, r = f & 0xff,
 *   E = lerp(EXP2, i, r, 8), result = n ≥ 32 ? 0 : roundShift(E, n).
 * Result in [0, 2^16]; exactly 2^16 for a = 0.
 */
export function exp2Neg(a: number): number {
  const n = Math.floor(a / ONE);
  const f = a - n * ONE;
  const i = f >> 8, r = f & 0xff;
  const e = lerp(EXP2.values, i, r, 8);
  return n >= 32 ? 0 : roundShift(e, n);
}

// ---------------------------------------------------------------------------
// reciprocal of a mantissa in [1, 2]: RECIP[i] = 1 / (1 + i/256), i = 0..256.

export const RECIP = build('recip', '2^16 / (1 + i/256), i = 0..256', 257, (i) => 1 / (1 + i / 256));

/**
 * 1/z for an integer z ≥ 1, as r · 2^−(16 + k):
 *   k = bitLength(z) − 1, zn = floorShift(z, k − 16)  (∈ [2^16, 2^17)),
 *   i = (zn >> 8) − 256, r8 = zn & 0xff, r = lerp(RECIP, i, r8, 8).
 */
export function recip(z: number): { r: number; k: number } {
  const k = bitLength(z) - 1;
  const zn = floorShift(z, k - 16);
  const i = Math.floor(zn / 256) - 256, rr = zn % 256;
  return { r: lerp(RECIP.values, i, rr, 8), k };
}

// ---------------------------------------------------------------------------
// rsqrt of a mantissa in [1, 4]: RSQRT[i] = 1 / sqrt(1 + i/128), i = 0..384.

export const RSQRT = build('rsqrt', '2^16 / sqrt(1 + i/128), i = 0..384', 385, (i) => 1 / Math.sqrt(1 + i / 128));

/**
 * 1/sqrt(u) for an integer u ≥ 1, as r · 2^−16 · 2^−(e/2) with e even:
 *   k = bitLength(u) − 1, e = k − (k & 1), un = floorShift(u, e − 16)  (∈ [2^16, 2^18)),
 *   i = (un >> 9) − 128, r9 = un & 0x1ff, r = lerp(RSQRT, i, r9, 9).
 */
export function rsqrt(u: number): { r: number; e: number } {
  const k = bitLength(u) - 1;
  const e = k - (k & 1);
  const un = floorShift(u, e - 16);
  const i = Math.floor(un / 512) - 128, rr = un % 512;
  return { r: lerp(RSQRT.values, i, rr, 9), e };
}

// ---------------------------------------------------------------------------
// Gates g(x) in [0, 1] with f(x) = x · g(x): sigmoid (SiLU), Φ (erf GELU),
// the tanh-GELU gate. Grid x = −16 + i/64, i = 0..2048.

export const GATE_LO = -16;
export const GATE_INDEX_BITS = 6; // 64 intervals per unit
export const GATE_ENTRIES = 2049;
const gateX = (i: number) => GATE_LO + i / 64;

function sigmoidF(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const SIGMOID = build('sigmoid', '2^16 · sigmoid(−16 + i/64), i = 0..2048', GATE_ENTRIES, (i) => sigmoidF(gateX(i)));
export const GELU_ERF_GATE = build('gelu_erf_gate', '2^16 · 0.5·(1 + erf((−16 + i/64)/√2)), i = 0..2048', GATE_ENTRIES,
  (i) => 0.5 * (1 + erf(gateX(i) / Math.SQRT2)));
export const GELU_TANH_GATE = build('gelu_tanh_gate', '2^16 · 0.5·(1 + tanh(√(2/π)(x + 0.044715x³))), x = −16 + i/64, i = 0..2048', GATE_ENTRIES,
  (i) => { const x = gateX(i); return 0.5 * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))); });

/**
 * The gate of a fixed-point x with `frac` fraction bits, in Q.16:
 *   xs = clamp(floorShift(x, frac − 16), −2^20, 2^20)   (x in Q.16, saturated to ±16)
 *   u = xs + 2^20, i = u >> 10, r = u & 0x3ff,
 *   g = i = 2048 ? T[2048] : lerp(T, i, r, 10).
 */
export function gate(t: LookupTable, x: number, frac: number): number {
  let xs = floorShift(x, frac - 16);
  if (xs < -(2 ** 20)) xs = -(2 ** 20);
  if (xs > 2 ** 20) xs = 2 ** 20;
  const u = xs + 2 ** 20;
  const i = Math.floor(u / 1024), r = u % 1024;
  return i === GATE_ENTRIES - 1 ? t.values[i] : lerp(t.values, i, r, 10);
}

/** Every table, for the emitters. */
export const TABLES: readonly LookupTable[] = [EXP2, RECIP, RSQRT, SIGMOID, GELU_ERF_GATE, GELU_TANH_GATE];
