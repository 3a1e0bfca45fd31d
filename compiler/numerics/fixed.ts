/**
 * Fixed-point primitives of the numeric contract (docs/numerics.md).
 *
 * A fixed-point number is an integer q with a format {bits, frac, signed}:
 * its value is q · 2^-frac. Every integer here is a JS Number holding an
 * exact integer; each function documents the magnitudes it may see, and the
 * kernels keep every intermediate below 2^53 (Number.MAX_SAFE_INTEGER + 1),
 * so no result is ever rounded by the float64 that carries it.
 *
 * One rounding mode everywhere a value loses fraction bits: round half to
 * even (convergent rounding; ap_fixed AP_RND_CONV). One overflow mode
 * everywhere a value is narrowed to a format: saturation (AP_SAT). Table
 * index computations alone use floor (an arithmetic shift right) and say so.
 */

import { UnsupportedError } from '../errors.js';

export interface FixedFormat {
  /** Total width in bits, sign included. */
  bits: number;
  /** Fraction bits: value = q · 2^-frac (may be negative or exceed bits). */
  frac: number;
  signed: boolean;
}

export function fmt(bits: number, frac: number, signed = true): FixedFormat {
  return { bits, frac, signed };
}

export function minInt(f: FixedFormat): number {
  return f.signed ? -(2 ** (f.bits - 1)) : 0;
}

export function maxInt(f: FixedFormat): number {
  return f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1;
}

/** Clamps an integer into [min, max] of the format (saturation). */
export function saturate(q: number, f: FixedFormat): number {
  const lo = minInt(f), hi = maxInt(f);
  return q < lo ? lo : q > hi ? hi : q;
}

/** Clamps an integer into a signed `bits`-wide range. */
export function saturateBits(q: number, bits: number): number {
  const hi = 2 ** (bits - 1) - 1, lo = -(2 ** (bits - 1));
  return q < lo ? lo : q > hi ? hi : q;
}

/** Rounds a real number to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +inf
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * x · 2^-s rounded half to even (s > 0), or x · 2^-s exactly (s ≤ 0, a left
 * shift). x must be an integer with |x| < 2^53; for s ≤ 0 the caller keeps
 * |x · 2^-s| < 2^53. Hardware: `(x + 2^(s-1) - 1 + x[s]) >>> s`.
 */
export function roundShift(x: number, s: number): number {
  if (s <= 0) return x * 2 ** -s;
  const p = 2 ** s;
  const q = Math.floor(x / p); // exact: division by a power of two
  const r = x - q * p; // 0 <= r < p, exact
  const half = p / 2;
  if (r > half || (r === half && q % 2 !== 0)) return q + 1;
  return q;
}

/** floor(x · 2^-s) for s ≥ 0 (arithmetic shift right), x · 2^-s for s < 0. */
export function floorShift(x: number, s: number): number {
  return s <= 0 ? x * 2 ** -s : Math.floor(x / 2 ** s);
}

/** Number of bits of a positive integer x (x ≥ 1): floor(log2 x) + 1. */
export function bitLength(x: number): number {
  if (x < 1) throw new Error(`bitLength of ${x}`);
  let n = Math.floor(Math.log2(x)) + 1;
  // Math.log2 may be off by one near powers of two: fix with exact comparisons.
  while (2 ** (n - 1) > x) n--;
  while (2 ** n <= x) n++;
  return n;
}

/** Float to fixed: round half to even at the format's resolution, then saturate. NaN maps to 0. */
export function toFixed(x: number, f: FixedFormat): number {
  if (Number.isNaN(x)) return 0;
  if (!Number.isFinite(x)) return x > 0 ? maxInt(f) : minInt(f);
  return saturate(roundHalfEven(x * 2 ** f.frac), f);
}

export function fromFixed(q: number, f: FixedFormat): number {
  return q * 2 ** -f.frac;
}

/** Changes the fraction bits of an integer (round half to even when dropping bits), then saturates into `to`. */
export function requantize(q: number, fromFrac: number, to: FixedFormat): number {
  return saturate(roundShift(q, fromFrac - to.frac), to);
}

/**
 * A positive real multiplier r represented as r ≈ m · 2^-shift with
 * 2^14 ≤ m < 2^15 (a 15-bit unsigned integer; relative error ≤ 2^-15) and
 * an integer shift (normally ≥ 0; a negative shift, for r ≥ 1, is a left
 * shift whose result always saturates its format in practice). Applied as
 * roundShift(x · m, shift): with |x| < 2^38 the product stays below 2^53.
 * r = 0, or r below 2^-126, is {m: 0, shift: 0}.
 */
export interface Multiplier { m: number; shift: number }

export const MULT_BITS = 15;
/** Largest |x| a Multiplier may be applied to (so |x · m| < 2^53). */
export const MULT_INPUT_LIMIT = 2 ** 38;

export function toMultiplier(r: number): Multiplier {
  if (!(r >= 0) || !Number.isFinite(r)) throw new Error(`multiplier must be a finite non-negative number, got ${r}`);
  if (r === 0) return { m: 0, shift: 0 };
  // r = mant · 2^e with mant in [0.5, 1).
  let e = Math.floor(Math.log2(r)) + 1;
  while (r / 2 ** e >= 1) e++;
  while (r / 2 ** e < 0.5) e--;
  let m = roundHalfEven((r / 2 ** e) * 2 ** MULT_BITS);
  let shift = MULT_BITS - e;
  if (m === 2 ** MULT_BITS) { m = 2 ** (MULT_BITS - 1); shift -= 1; }
  if (shift < -32) {
    throw new UnsupportedError(`a requantization factor of ${r.toExponential(2)} is beyond the fixed-point formats (a weight or activation is extreme): this model needs --precision fp32`);
  }
  if (shift > 126) return { m: 0, shift: 0 }; // below any representable result
  return { m, shift };
}

export function multiplierValue(mult: Multiplier): number {
  return mult.m * 2 ** -mult.shift;
}

/** roundShift(x · m, shift): the one way a real multiplier is applied to an integer. */
export function applyMultiplier(x: number, mult: Multiplier): number {
  return roundShift(x * mult.m, mult.shift);
}

/**
 * The activation format for a tensor whose calibrated max |value| is
 * `maxAbs`: `bits` wide, signed, with the most fraction bits that keep
 * maxAbs · headroom representable: frac = bits − 1 − ceil(log2(maxAbs · headroom)),
 * clamped to [-32, 48]. A zero tensor gets frac = bits − 1.
 */
export function formatForRange(maxAbs: number, bits: number, headroom = 1.25): FixedFormat {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return fmt(bits, bits - 1);
  const intBits = Math.ceil(Math.log2(maxAbs * headroom));
  const frac = Math.max(-32, Math.min(48, bits - 1 - intBits));
  return fmt(bits, frac);
}

export function formatToString(f: FixedFormat): string {
  return `${f.signed ? 's' : 'u'}${f.bits}.${f.frac}`;
}
