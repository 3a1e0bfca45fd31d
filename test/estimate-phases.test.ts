/**
 * `estimate --max-context N` on a KV-cache decoder (compiler/phases.ts):
 * prefill (the prompt, empty past) and decode (one token at context N) are
 * each the plan of the model bound for that step, with tokens/s from latency
 * and a roofline of their own; and the ways the option is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { estimateModel } from '../compiler/estimate.js';
import { loadModel } from '../compiler/model.js';
import { ROOT, expectCleanFailure, llm2hls } from './helpers/cli.js';

const fixtures = path.join(ROOT, 'test', 'fixtures', 'exported');
const PAST = path.join(fixtures, 'gpt2_mini_past.onnx');
const SCHEMAS = path.join(ROOT, 'docs', 'schemas');

describe('estimate --max-context: prefill and decode of gpt2_mini_past', () => {
  it('each phase is the plan of its own binding, with tokens/s from latency and the KV cache at its context', () => {
    const r = estimateModel(PAST, { device: 'kv260', maxContext: 32, prefillTokens: 12 });
    const decode = estimateModel(PAST, { device: 'kv260', bindings: { sequence: 1, past_sequence: 31 } });
    const prefill = estimateModel(PAST, { device: 'kv260', bindings: { sequence: 12, past_sequence: 0 } });
    expect(r.decode!.latency).toEqual(decode.latency);
    expect(r.prefill!.latency).toEqual(prefill.latency);
    expect(r.latency).toEqual(decode.latency); // the top-level figures are decode's
    expect(r.prefill).toMatchObject({ tokens: 12, context: 12, fits: prefill.fits });
    expect(r.decode).toMatchObject({ tokens: 1, context: 32, fits: decode.fits });
    expect(r.prefill!.tokensPerSecond).toBeCloseTo(12 / prefill.latency.seconds, 6);
    expect(r.decode!.tokensPerSecond).toBeCloseTo(1 / decode.latency.seconds, 6);
    // KV bytes: every past input [1, heads, past, hd] at the context, int16 in w8a16.
    const past = loadModel(PAST).inputs.filter((v) => v.name.startsWith('past_key_values'));
    const perPosition = past.reduce((n, v) => n + v.shape.reduce<number>((m, d) => m * (typeof d === 'number' ? d : 1), 1), 0);
    expect(r.decode!.roofline.memory.kvBytes).toBe(perPosition * 32 * 2);
    expect(r.prefill!.roofline.memory.kvBytes).toBe(perPosition * 12 * 2);
    expect(r.decode!.roofline.memory.weightBytes).toBe(decode.memory.onChipWeightBytes + decode.memory.externalWeightBytes);
    // Everything of this small model is on chip: no memory bound, the compute roofline holds.
    expect(r.decode!.roofline.memory.tokensPerSecond).toBeNull();
    expect(r.decode!.roofline.tokensPerSecond).toBe(decode.roofline.compute.tokensPerSecond);
    for (const p of [r.prefill!, r.decode!]) expect(p.efficiency).toBeLessThanOrEqual(1);
  });

  it('the CLI prints both phases, and --json matches the schema', async () => {
    const t = await llm2hls('estimate', PAST, '--device', 'u55c', '--max-context', '32');
    expect(t.exitCode, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^prefill \(32 token\(s\) at context 32\): \d+ cycles -> .*tokens\/s, fits yes; roofline .* reaches \d+\.\d%$/m);
    expect(t.stdout).toMatch(/^decode \(1 token\(s\) at context 32\): \d+ cycles -> .*tokens\/s, fits yes; roofline .* reaches \d+\.\d%$/m);
    const j = await llm2hls('estimate', PAST, '--device', 'u55c', '--max-context', '20', '--json');
    expect(j.exitCode, j.stderr).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(report.prefill.tokens).toBe(20);
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const f of fs.readdirSync(SCHEMAS)) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8')));
    const validate = ajv.getSchema('https://llm2hls.dev/schemas/estimate.schema.json')!;
    expect(validate(report) ? [] : ajv.errorsText(validate.errors).split(', ')).toEqual([]);
  });

  it('refuses, one line each: no KV cache, a context past the positions, a contradicting --bind, bad numbers', async () => {
    expectCleanFailure(await llm2hls('estimate', path.join(fixtures, 'gpt2_mini.onnx'), '--max-context', '8'),
      /gpt2_mini\.onnx: maxContext \(--max-context\) plans prefill and decode of a decoder with a KV cache, which needs a token-id input/, expect);
    expectCleanFailure(await llm2hls('estimate', PAST, '--max-context', '33'), /the model has 32 positions/, expect);
    expectCleanFailure(await llm2hls('estimate', PAST, '--max-context', '16', '--bind', 'past_sequence=3'),
      /\(--bind\) past_sequence=3: maxContext \(--max-context\) sets 'past_sequence' for each phase; drop the binding/, expect);
    expectCleanFailure(await llm2hls('estimate', PAST, '--max-context', '0'), /\(--max-context\): got 0; expected a positive integer/, expect);
    expectCleanFailure(await llm2hls('estimate', PAST, '--max-context', '8', '--prefill-tokens', '9'), /\(--prefill-tokens\) 9 exceeds maxContext \(--max-context\) 8/, expect);
    expectCleanFailure(await llm2hls('estimate', PAST, '--prefill-tokens', '4'), /\(--prefill-tokens\): only with maxContext \(--max-context\)/, expect);
  });
});
