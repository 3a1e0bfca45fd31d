/**
 * Choosing the next token from a row of logits: greedy (argmax) or seeded
 * sampling. The order of a sampling step, as in Hugging Face's generate:
 *
 *   1. softmax(logits / temperature), in float64, after subtracting the
 *      largest logit (a NaN logit has probability 0);
 *   2. top-k: keep the k most probable tokens (k >= vocab keeps them all);
 *   3. top-p (nucleus): of those, renormalized, keep the smallest set of the
 *      most probable whose probabilities sum to at least p (at least one);
 *   4. draw one token from what is kept, in proportion to its probability,
 *      with one number from the seeded generator.
 *
 * Ties between equal probabilities go to the lower token id, in the
 * ordering and so in the filters. One draw per step and no other source of
 * randomness: the same seed, model and prompt give the same tokens.
 *
 * The generator is xoshiro128** (Blackman and Vigna), its 128-bit state
 * filled by splitmix32 from the seed's low and high 32-bit words, so every
 * seed from 0 to Number.MAX_SAFE_INTEGER is its own stream.
 */

/** What generate does to pick each token (the JSON's `sampling`). */
export interface SamplingSettings {
  strategy: 'greedy' | 'sample';
  /** 0 for greedy. */
  temperature: number;
  /** null: no top-k filter. */
  topK: number | null;
  /** null: no top-p filter. */
  topP: number | null;
  /** The generator's seed (null for greedy). */
  seed: number | null;
}

export const GREEDY: SamplingSettings = { strategy: 'greedy', temperature: 0, topK: null, topP: null, seed: null };

/** The default seed: a sampled run is reproducible unless the user asks for another stream. */
export const DEFAULT_SEED = 0;

/** splitmix32 step: the next state and its mixed output. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) >>> 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [s, (z ^ (z >>> 16)) >>> 0];
}

/**
 * A seeded generator of uniform numbers in [0, 1) (32 bits each):
 * xoshiro128** seeded by splitmix32. `seed` is a non-negative safe integer.
 */
export function seededRandom(seed: number): () => number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  // Words 0-1 from the low word's splitmix32 stream, 2-3 from the high word's: each
  // first output is a bijection of its word, so different seeds start in different states.
  const s = new Uint32Array(4);
  let a = lo, b = (hi ^ 0x5bd1e995) >>> 0;
  [a, s[0]] = splitmix32(a); [a, s[1]] = splitmix32(a);
  [b, s[2]] = splitmix32(b); [b, s[3]] = splitmix32(b);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // xoshiro's one forbidden state
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 11);
    return result / 4294967296;
  };
}

/** The index of the largest value (the lowest index among equals); NaN never wins. */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best] || Number.isNaN(row[best])) best = i;
  return best;
}

/** softmax(row / temperature) in float64 (temperature > 0). */
export function softmax(row: ArrayLike<number>, temperature: number): Float64Array {
  const p = new Float64Array(row.length);
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === -Infinity || Number.isNaN(max)) { p[argmax(row)] = 1; return p; } // nothing to weigh: all -inf or NaN
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = Number.isNaN(row[i]) ? 0 : Math.exp((row[i] - max) / temperature);
    p[i] = e; sum += e;
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/**
 * Top-k then top-p over probabilities: the kept token ids, most probable
 * first (lower id first among equals), with their renormalized probabilities.
 */
export function filterTopKTopP(probs: Float64Array, topK: number | null, topP: number | null): { ids: number[]; probs: number[] } {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let ids = topK === null ? order : order.slice(0, Math.min(topK, order.length));
  let total = ids.reduce((s, i) => s + probs[i], 0);
  if (topP !== null && topP < 1) {
    let cum = 0;
    let n = 0;
    while (n < ids.length) {
      cum += probs[ids[n++]] / total;
      if (cum >= topP) break;
    }
    ids = ids.slice(0, Math.max(1, n));
    total = ids.reduce((s, i) => s + probs[i], 0);
  }
  return { ids, probs: ids.map((i) => probs[i] / total) };
}

/** A token picker for the settings: greedy, or a seeded sampler (one generator draw per call). */
export function tokenPicker(settings: SamplingSettings): (logits: ArrayLike<number>) => number {
  if (settings.strategy === 'greedy') return argmax;
  const random = seededRandom(settings.seed ?? DEFAULT_SEED);
  return (logits) => {
    const kept = filterTopKTopP(softmax(logits, settings.temperature), settings.topK, settings.topP);
    const u = random();
    let cum = 0;
    for (let i = 0; i < kept.ids.length; i++) {
      cum += kept.probs[i];
      if (u < cum) return kept.ids[i];
    }
    return kept.ids[kept.ids.length - 1]; // u within rounding of 1
  };
}
