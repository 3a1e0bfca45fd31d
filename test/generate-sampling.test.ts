/**
 * generate beyond greedy: seeded sampling (compiler/sampling.ts), a quantized
 * precision calibrated once per generation, and the option errors, through
 * the API and the real CLI.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../compiler/index.js';
import { UserError } from '../compiler/errors.js';
import { argmax, filterTopKTopP, seededRandom, softmax, tokenPicker } from '../compiler/sampling.js';
import { quantizeModel, runModelQuantized } from '../compiler/numerics/run-quantized.js';
import { specToJSON } from '../compiler/numerics/spec.js';
import { Tensor } from '../compiler/tensor.js';
import { ROOT, expectCleanFailure, llm2hls } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const PAST = path.join(fixtures, 'gpt2_mini_past.onnx'); // vocab 128, 32 positions
const TINY = path.join(ROOT, 'examples', 'tiny_gpt.onnx'); // vocab 64, 16 positions, no KV cache
const ref = JSON.parse(readFileSync(path.join(fixtures, 'gpt2_mini_past_generate.json'), 'utf8')) as { prompt: number[]; generated: number[] };

function userError(fn: () => unknown): UserError {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(UserError); return e as UserError; }
  throw new Error('expected a UserError');
}

describe('sampling primitives', () => {
  it('the generator is a pure function of the seed, in [0, 1)', () => {
    const draw = (seed: number) => { const r = seededRandom(seed); return Array.from({ length: 8 }, r); };
    expect(draw(42)).toEqual(draw(42));
    const streams = [0, 1, 2, 2 ** 32, Number.MAX_SAFE_INTEGER].map((s) => draw(s).join());
    expect(new Set(streams).size).toBe(streams.length);
    for (const x of draw(7)) expect(x >= 0 && x < 1).toBe(true);
    // Roughly uniform: the mean of many draws is near 1/2.
    const r = seededRandom(3);
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += r();
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });

  it('softmax at a temperature', () => {
    const p = softmax([1, 2, 3], 1);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0] + e[1] + e[2];
    expect(Array.from(p)).toEqual(e.map((x) => x / z).map((x) => expect.closeTo(x, 12)));
    expect(softmax([1, 2, 3], 0.1)[2]).toBeGreaterThan(p[2]); // colder is sharper
    expect(softmax([1, 2, 3], 10)[2]).toBeLessThan(p[2]);
    expect(Array.from(softmax([0, NaN, -Infinity], 1))).toEqual([1, 0, 0]);
  });

  it('top-k, then top-p over the renormalized rest, lower ids first among equals', () => {
    const p = Float64Array.from([0.1, 0.4, 0.2, 0.3]);
    expect(filterTopKTopP(p, null, null).ids).toEqual([1, 3, 2, 0]);
    const k2 = filterTopKTopP(p, 2, null);
    expect(k2.ids).toEqual([1, 3]);
    expect(k2.probs).toEqual([expect.closeTo(4 / 7, 12), expect.closeTo(3 / 7, 12)]);
    expect(filterTopKTopP(p, null, 0.5).ids).toEqual([1, 3]); // 0.4 < 0.5 <= 0.7
    expect(filterTopKTopP(p, null, 0.4).ids).toEqual([1]);
    expect(filterTopKTopP(p, null, 0.01).ids).toEqual([1]); // at least one
    // The order matters: top-p after top-k sees 4/7 for token 1, enough for p = 0.55 alone.
    expect(filterTopKTopP(p, 2, 0.55).ids).toEqual([1]);
    expect(filterTopKTopP(p, null, 0.55).ids).toEqual([1, 3]);
    expect(filterTopKTopP(p, 99, 1).ids).toEqual([1, 3, 2, 0]);
    expect(filterTopKTopP(Float64Array.from([0.25, 0.25, 0.25, 0.25]), 2, null).ids).toEqual([0, 1]);
  });

  it('draws in proportion to the kept probabilities', () => {
    const logits = [Math.log(0.1), Math.log(0.6), Math.log(0.3)];
    const pick = tokenPicker({ strategy: 'sample', temperature: 1, topK: null, topP: null, seed: 5 });
    const n = [0, 0, 0];
    for (let i = 0; i < 30000; i++) n[pick(logits)]++;
    expect(n.map((c) => c / 30000)).toEqual([expect.closeTo(0.1, 1), expect.closeTo(0.6, 1), expect.closeTo(0.3, 1)]);
    const top1 = tokenPicker({ strategy: 'sample', temperature: 1, topK: 2, topP: 0.5, seed: 5 });
    for (let i = 0; i < 100; i++) expect(top1(logits)).toBe(1);
    expect(argmax([3, 7, 7, 1])).toBe(1);
  });
});

describe('generate with sampling', () => {
  const run = (o: object) => generate(PAST, { promptIds: ref.prompt, maxNewTokens: 10, ...o });

  it('is greedy by default and at temperature 0, and reports the settings', () => {
    for (const o of [{}, { temperature: 0 }]) {
      const r = run(o);
      expect(r.generated).toEqual(ref.generated);
      expect(r.sampling).toEqual({ strategy: 'greedy', temperature: 0, topK: null, topP: null, seed: null });
    }
  });

  it('gives the same tokens for a seed, other tokens for other seeds', () => {
    const a = run({ temperature: 1.5, seed: 11 });
    expect(a.sampling).toEqual({ strategy: 'sample', temperature: 1.5, topK: null, topP: null, seed: 11 });
    expect(run({ temperature: 1.5, seed: 11 }).generated).toEqual(a.generated);
    const others = [12, 13, 14].map((seed) => run({ temperature: 1.5, seed }).generated.join());
    expect(new Set([a.generated.join(), ...others]).size).toBeGreaterThan(1);
    expect(a.generated).not.toEqual(ref.generated);
    // No seed given: seed 0, reproducible.
    const d = run({ temperature: 1.5 });
    expect(d.sampling.seed).toBe(0);
    expect(run({ temperature: 1.5, seed: 0 }).generated).toEqual(d.generated);
  });

  it('top-k 1 (or a tiny top-p) is greedy whatever the temperature and seed', () => {
    expect(run({ temperature: 2, topK: 1, seed: 9 }).generated).toEqual(ref.generated);
    expect(run({ temperature: 2, topP: 1e-9, seed: 9 }).generated).toEqual(ref.generated);
  });

  it('samples a quantized model and a model without a KV cache', () => {
    const q = run({ precision: 'w8a16', temperature: 1.5, seed: 11 });
    expect(run({ precision: 'w8a16', temperature: 1.5, seed: 11 }).generated).toEqual(q.generated);
    const t = (seed: number) => generate(TINY, { promptIds: [1, 2, 3], maxNewTokens: 5, temperature: 1, topK: 10, seed }).generated;
    expect(t(4)).toEqual(t(4));
    expect(t(4).every((x) => x >= 0 && x < 64)).toBe(true);
  });

  it('through the CLI: the same seed prints the same tokens, and the JSON has the settings', async () => {
    const args = ['generate', PAST, '--prompt-ids', ref.prompt.join(','), '--max-new-tokens', '6', '--temperature', '1.5', '--top-k', '20', '--top-p', '0.95', '--seed', '7'];
    const [text, json] = [await llm2hls(...args), await llm2hls(...args, '--json')];
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^(\d+ ){5}\d+\n.*sampled at temperature 1\.5, top-k 20, top-p 0\.95, seed 7\)/);
    const r = JSON.parse(json.stdout);
    expect(r.sampling).toEqual({ strategy: 'sample', temperature: 1.5, topK: 20, topP: 0.95, seed: 7 });
    expect(r.generated.join(' ')).toBe(text.stdout.split('\n')[0]);
    expect(r.generated).toEqual(run({ maxNewTokens: 6, temperature: 1.5, topK: 20, topP: 0.95, seed: 7 }).generated);
  });
});

describe('a quantized generation calibrates once', () => {
  /** How many calibrations ran: each reports 'calibrating' up to done === total once. */
  const counter = () => {
    let n = 0;
    return { onProgress: (step: string, done: number, total: number) => { if (step === 'calibrating' && done === total) n++; }, count: () => n };
  };

  it('for 10 tokens through the KV cache, with the exporter\'s greedy tokens', () => {
    const c = counter();
    runModelQuantized(PAST, [Tensor.from('int64', [1, 5], ref.prompt), Tensor.zeros('float32', [1, 2, 0, 16]), Tensor.zeros('float32', [1, 2, 0, 16])], 'w8a16', { onProgress: c.onProgress });
    expect(c.count()).toBe(1); // the counter sees a calibration
    const g = counter();
    const r = generate(PAST, { promptIds: ref.prompt, maxNewTokens: 10, precision: 'w8a16', onProgress: g.onProgress });
    expect(r.generated).toEqual(ref.generated);
    expect(g.count()).toBe(1);
  });

  it('for a model without a KV cache, with the tokens of calibrating at every step', () => {
    const g = counter();
    const r = generate(TINY, { promptIds: [1, 2, 3], maxNewTokens: 4, precision: 'w8a16', onProgress: g.onProgress });
    expect(g.count()).toBe(1);
    // tiny_gpt calibrates on its own test inputs, whatever the step: the same tokens as a fresh calibration per step.
    const feed = [1, 2, 3];
    for (let i = 0; i < 4; i++) {
      const [logits] = runModelQuantized(TINY, [Tensor.from('int64', [1, feed.length], feed)], 'w8a16').outputs;
      const V = logits.tensor.shape[2];
      feed.push(argmax(logits.tensor.data.subarray((feed.length - 1) * V, feed.length * V) as Float32Array));
    }
    expect(r.generated).toEqual(feed.slice(3));
  });

  it('reuse: a decode step\'s spec equals a fresh one, sharing the shape-free kernels and calibrating nothing', () => {
    const prefill = quantizeModel(PAST, [Tensor.from('int64', [1, 5], ref.prompt), Tensor.zeros('float32', [1, 2, 0, 16]), Tensor.zeros('float32', [1, 2, 0, 16])], 'w8a16');
    const decode = [Tensor.from('int64', [1, 1], [31]), Tensor.zeros('float32', [1, 2, 5, 16]), Tensor.zeros('float32', [1, 2, 5, 16])];
    const c = counter();
    const reused = quantizeModel(PAST, decode, 'w8a16', { reuse: prefill, onProgress: c.onProgress });
    expect(c.count()).toBe(0);
    expect(specToJSON(reused.spec)).toBe(specToJSON(quantizeModel(PAST, decode, 'w8a16').spec));
    const linears = Object.keys(prefill.spec.kernels).filter((k) => prefill.spec.kernels[k].op === 'llm.Linear');
    expect(linears.length).toBeGreaterThan(0);
    for (const k of linears) expect(reused.spec.kernels[k]).toBe(prefill.spec.kernels[k]);
    // The position slice differs between the two shapes, and is rebuilt.
    expect(Object.keys(reused.spec.constants).some((n) => reused.spec.constants[n].join() !== prefill.spec.constants[n]?.join())).toBe(true);
    expect(() => quantizeModel(PAST, decode, 'w8a8', { reuse: prefill })).toThrow(/quantized for w8a16, not w8a8/);
  });
});

describe('generate errors', () => {
  const base = { promptIds: [1, 2], maxNewTokens: 2 };

  it('names each bad sampling option (API)', () => {
    const cases: [object, RegExp][] = [
      [{ temperature: -1 }, /^temperature \(--temperature\): got -1; expected a non-negative number \(0: greedy\)$/],
      [{ temperature: NaN }, /^temperature \(--temperature\): got NaN; expected a non-negative number/],
      [{ temperature: Infinity }, /^temperature \(--temperature\): got Infinity/],
      [{ temperature: 1, topK: 0 }, /^topK \(--top-k\): got 0; expected a positive integer$/],
      [{ temperature: 1, topK: 2.5 }, /^topK \(--top-k\): got 2\.5; expected a positive integer$/],
      [{ temperature: 1, topP: 0 }, /^topP \(--top-p\): got 0; expected a number in \(0, 1\]$/],
      [{ temperature: 1, topP: 1.01 }, /^topP \(--top-p\): got 1\.01; expected a number in \(0, 1\]$/],
      [{ temperature: 1, seed: -1 }, /^seed \(--seed\): got -1; expected a non-negative integer$/],
      [{ temperature: 1, seed: 0.5 }, /^seed \(--seed\): got 0\.5; expected a non-negative integer$/],
      [{ topK: 5 }, /^topK \(--top-k\): only with temperature \(--temperature\) above 0 \(without it generation is greedy\)$/],
      [{ topP: 0.9 }, /^topP \(--top-p\): only with temperature \(--temperature\) above 0/],
      [{ temperature: 0, seed: 1 }, /^seed \(--seed\): only with temperature \(--temperature\) above 0 \(at temperature 0 generation is greedy\)$/],
      [{ maxContext: 0 }, /^maxContext \(--max-context\): got 0; expected a positive integer$/],
    ];
    for (const [o, message] of cases) expect(userError(() => generate(PAST, { ...base, ...o })).message, JSON.stringify(o)).toMatch(message);
  });

  it('refuses prompts beyond the vocabulary or the context (API)', () => {
    expect(userError(() => generate(TINY, { promptIds: [1, 64], maxNewTokens: 1 })).message)
      .toBe('promptIds (--prompt-ids): token 64 is outside the vocabulary 0..63 (vocab size 64; prompt position 1)');
    expect(userError(() => generate(PAST, { ...base, maxNewTokens: 9, maxContext: 10 })).message)
      .toBe('prompt (2) + max-new-tokens (9) = 11 exceeds the context, maxContext (--max-context) 10');
    expect(userError(() => generate(PAST, { promptIds: [1, 2, 3], maxNewTokens: 1, maxContext: 2 })).message)
      .toBe('the prompt (3 tokens) is longer than the context, maxContext (--max-context) 2');
    expect(userError(() => generate(PAST, { ...base, maxContext: 33 })).message)
      .toBe("maxContext (--max-context): 33 exceeds the model's 32 positions (position embedding '/wpe/Gather' has 32 rows)");
    expect(userError(() => generate(TINY, { promptIds: Array(17).fill(1), maxNewTokens: 1 })).message)
      .toBe("the prompt (17 tokens) is longer than the model's 16 positions (position embedding 'Gather_11' has 16 rows)");
    expect(userError(() => generate(TINY, { promptIds: [1, 2], maxNewTokens: 15 })).message)
      .toBe("prompt (2) + max-new-tokens (15) = 17 exceeds the model's 16 positions (position embedding 'Gather_11' has 16 rows)");
    // Exactly full is fine.
    expect(generate(PAST, { ...base, maxNewTokens: 3, maxContext: 5 }).generated).toHaveLength(3);
  });

  it('one line, exit 1, through the CLI', async () => {
    const g = (...extra: string[]) => llm2hls('generate', PAST, '--prompt-ids', '1,2', '--max-new-tokens', '2', ...extra);
    const cases: [string[], RegExp][] = [
      [['--temperature', '-0.5'], /temperature \(--temperature\): got -0\.5; expected a non-negative number/],
      [['--temperature', 'NaN'], /temperature \(--temperature\): got 'NaN'; expected a non-negative number/],
      [['--temperature', '1', '--top-k', '0'], /topK \(--top-k\): got 0; expected a positive integer/],
      [['--temperature', '1', '--top-p', '2'], /topP \(--top-p\): got 2; expected a number in \(0, 1\]/],
      [['--temperature', '1', '--seed', 'abc'], /seed \(--seed\): got 'abc'; expected a non-negative integer/],
      [['--seed', '3'], /seed \(--seed\): only with temperature \(--temperature\) above 0/],
      [['--max-context', '3'], /prompt \(2\) \+ max-new-tokens \(2\) = 4 exceeds the context, maxContext \(--max-context\) 3/],
    ];
    for (const [extra, message] of cases) {
      const r = await g(...extra);
      expect(r.exitCode, extra.join(' ')).toBe(1);
      expectCleanFailure(r, message, expect);
    }
    const r = await llm2hls('generate', PAST, '--prompt-ids', '1,2', '--max-new-tokens', '31');
    expect(r.exitCode).toBe(1);
    expectCleanFailure(r, /= 33 exceeds the model's 32 positions/, expect);
  });
});
