/**
 * Words for the Verilog kernel library (templates/rtl/): stream beats and
 * $readmemh ROM images. A word holds lanes of equal width, lane 0 in the
 * least significant bits, each lane a two's-complement integer; a row of C
 * elements on a stream of L lanes is ceil(C / L) beats, the last beat's
 * unused lanes zero. The layouts here are the ones the modules' headers
 * document; the modules and these functions change together.
 */

/** Packs integers into one word of `bits`-wide lanes (lane 0 lowest). */
export function packLanes(values: ArrayLike<number | bigint>, bits: number): bigint {
  const mask = (1n << BigInt(bits)) - 1n;
  let word = 0n;
  for (let i = values.length - 1; i >= 0; i--) word = (word << BigInt(bits)) | (BigInt(values[i]) & mask);
  return word;
}

/** The `lanes` signed `bits`-wide lanes of a word. */
export function unpackLanes(word: bigint, lanes: number, bits: number): number[] {
  const mask = (1n << BigInt(bits)) - 1n, sign = 1n << BigInt(bits - 1);
  const out: number[] = [];
  for (let i = 0; i < lanes; i++) {
    const v = (word >> BigInt(i * bits)) & mask;
    out.push(Number(v & sign ? v - (1n << BigInt(bits)) : v));
  }
  return out;
}

/** Rows of `rowLen` elements as beats of `lanes` lanes. */
export function rowsToBeats(values: ArrayLike<number>, rowLen: number, lanes: number, bits: number): bigint[] {
  const beats: bigint[] = [];
  for (let r = 0; r < values.length; r += rowLen) {
    for (let c = 0; c < rowLen; c += lanes) {
      const lane: number[] = [];
      for (let u = 0; u < lanes; u++) lane.push(c + u < rowLen ? values[r + c + u] : 0);
      beats.push(packLanes(lane, bits));
    }
  }
  return beats;
}

/** Beats back to rows of `rowLen` elements (the padding lanes dropped). */
export function beatsToRows(beats: readonly bigint[], rowLen: number, lanes: number, bits: number): number[] {
  const perRow = Math.ceil(rowLen / lanes);
  const out: number[] = [];
  beats.forEach((b, i) => {
    const c = (i % perRow) * lanes;
    out.push(...unpackLanes(b, Math.min(lanes, rowLen - c), bits));
  });
  return out;
}

/** A $readmemh image: one word per line, ceil(bits / 4) hex digits. */
export function hexImage(words: readonly bigint[], bits: number): string {
  const digits = Math.ceil(bits / 4);
  return words.map((w) => (w & ((1n << BigInt(bits)) - 1n)).toString(16).padStart(digits, '0')).join('\n') + '\n';
}

export interface LinearRomShape {
  K: number;
  N: number;
  /** UN: outputs per beat. */
  par: number;
  /** UK: products per output per step (input elements per beat). */
  kpar: number;
  wBits: number;
  accBits: number;
}

/** Width of a requantization lane: {shift (8-bit signed), m (16 bits)}. */
export const REQUANT_LANE_BITS = 24;

/** One requantization lane: {shift (8-bit signed), m (16 bits)}, checked. */
export function requantLane(m: number, shift: number, what: string): bigint {
  if (m < 0 || m >= 2 ** 16) throw new Error(`${what}: multiplier ${m} is not 16-bit unsigned`);
  if (shift < -128 || shift > 127) throw new Error(`${what}: shift ${shift} is not 8-bit signed`);
  return ((BigInt(shift) & 0xffn) << 16n) | BigInt(m);
}

/**
 * The ROM images of llm2hls_linear: W ([N][K], as the C++ kernels store it),
 * bias (accumulator units, optional), and the per-channel multipliers.
 */
export function linearRoms(s: LinearRomShape, w: ArrayLike<number>, m: ArrayLike<number>, shift: ArrayLike<number>,
  bias?: ArrayLike<number | bigint>): { w: string; b?: string; q: string } {
  const KB = Math.ceil(s.K / s.kpar), NB = Math.ceil(s.N / s.par);
  const at = (n: number, k: number) => (n < s.N && k < s.K ? w[n * s.K + k] : 0);
  const wWords: bigint[] = [];
  for (let nb = 0; nb < NB; nb++) {
    for (let kb = 0; kb < KB; kb++) {
      const lanes: number[] = [];
      for (let u = 0; u < s.par; u++) for (let j = 0; j < s.kpar; j++) lanes.push(at(nb * s.par + u, kb * s.kpar + j));
      wWords.push(packLanes(lanes, s.wBits));
    }
  }
  const perBlock = <T>(f: (n: number) => T, zero: T) => Array.from({ length: NB }, (_, nb) =>
    Array.from({ length: s.par }, (_, u) => (nb * s.par + u < s.N ? f(nb * s.par + u) : zero)));
  const qWords = perBlock((n) => requantLane(m[n], shift[n], `linear ROM, channel ${n}`), 0n).map((l) => packLanes(l, REQUANT_LANE_BITS));
  const out: { w: string; b?: string; q: string } = {
    w: hexImage(wWords, s.par * s.kpar * s.wBits),
    q: hexImage(qWords, s.par * REQUANT_LANE_BITS),
  };
  if (bias) out.b = hexImage(perBlock((n) => BigInt(bias[n]), 0n).map((l) => packLanes(l, s.accBits)), s.par * s.accBits);
  return out;
}

/**
 * The ROM images of llm2hls_embedding: the table [V][D] in beats of `lanes`
 * (word row · ceil(D/lanes) + b), and one requantization word per row.
 */
export function embeddingRoms(s: { D: number; lanes: number; wBits: number }, table: ArrayLike<number>, m: ArrayLike<number>,
  shift: ArrayLike<number>): { table: string; q: string } {
  return {
    table: hexImage(rowsToBeats(table, s.D, s.lanes, s.wBits), s.lanes * s.wBits),
    q: hexImage(Array.from(m, (mv, row) => requantLane(mv, shift[row], `embedding ROM, row ${row}`)), REQUANT_LANE_BITS),
  };
}
