/**
 * llm2hls_attention against attention_q of templates/kernels/llm2hls_fixed.h,
 * bit for bit: causal MHA and GQA, bidirectional (an encoder's), a causal
 * query set longer than its keys (rows with no visible key), lanes 1 and
 * lanes / UK / UN that divide nothing, int16 and int8, score multipliers made
 * the calibrator's way (compiler/numerics/calibrate.ts), two passes back to
 * back in every run (the KV cache and the counters start again per pass),
 * under random input gaps and output backpressure; the cycles per token
 * against the formula of the module's header; and the tools.
 */
import { describe, expect, it } from 'vitest';
import { toMultiplier } from '../../compiler/numerics/fixed.js';
import { EXP2, EXP_INPUT_FRAC, RECIP } from '../../compiler/numerics/tables.js';
import { keysFor } from '../../compiler/dataflow/cost-model.js';
import { Task } from '../../compiler/dataflow/ir.js';
import { beatsToRows, rowsToBeats } from '../../backend-rtl/rom.js';
import { tableFile, tableImage } from '../../backend-rtl/tables.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case {
  T: number; S: number; H: number; Hk: number; hd: number; hdv: number; causal: boolean;
  lanes: number; uk: number; un: number; xBits: number; fx: number; fy: number;
}
const PASSES = 2;

const CASES: [string, Case][] = [
  ['causal MHA, 2 heads of 8, 5 tokens, lanes 1, int16',
    { T: 5, S: 5, H: 2, Hk: 2, hd: 8, hdv: 8, causal: true, lanes: 1, uk: 1, un: 1, xBits: 16, fx: 12, fy: 12 }],
  ['bidirectional, lanes 3, UK 4, UN 3 (dividing nothing), heads of 10, v heads of 5, int16',
    { T: 4, S: 4, H: 2, Hk: 2, hd: 10, hdv: 5, causal: false, lanes: 3, uk: 4, un: 3, xBits: 16, fx: 11, fy: 12 }],
  // (With UK 4 its 6-beat q rows would come slower than its tokens compute.)
  ['causal MHA, lanes 3 (not dividing the head dim 8), UK 2, UN 3 (not dividing the keys), int8',
    { T: 5, S: 5, H: 2, Hk: 2, hd: 8, hdv: 8, causal: true, lanes: 3, uk: 2, un: 3, xBits: 8, fx: 4, fy: 3 }],
  ['causal GQA, 4 heads on 2 kv heads, 6 queries on 5 keys (the first sees none), lanes 2, UK 3, UN 2, int8',
    { T: 6, S: 5, H: 4, Hk: 2, hd: 4, hdv: 4, causal: true, lanes: 2, uk: 3, un: 2, xBits: 8, fx: 4, fy: 4 }],
];

/** The score multiplier as calibrate.ts makes it: scale · log2(e) · 2^(16 − fq − fk). */
const scoreOf = (c: Case) => toMultiplier((1 / Math.sqrt(c.hd)) * Math.LOG2E * 2 ** (EXP_INPUT_FRAC - 2 * c.fx));

const paramsOf = (c: Case) => {
  const m = scoreOf(c);
  return {
    TOKENS: c.T, NEW_KEYS: c.S, PAST: 0, CACHE_LEN: c.S, HEADS: c.H, KV_HEADS: c.Hk, HEAD_DIM: c.hd, V_HEAD_DIM: c.hdv,
    CAUSAL: c.causal ? 1 : 0, SCORE_M: m.m, SCORE_SHIFT: m.shift, OUT_SHIFT: 15 + c.fx - c.fy, Y_BITS: c.xBits,
    X_BITS: c.xBits, LANES: c.lanes, UK: c.uk, UN: c.un,
  };
};

/** Values of about unit size in Q.fx (softmax neither flat nor one-hot), a few at the range's ends. */
function values(g: ReturnType<typeof rng>, n: number, c: Case): number[] {
  const lim = 2 ** (c.xBits - 1);
  return Array.from({ length: n }, () => {
    const u = g.uniform();
    if (u < 0.03) return -lim;
    if (u < 0.06) return lim - 1;
    return Math.max(-lim, Math.min(lim - 1, Math.round(g.normal() * 2 ** c.fx)));
  });
}

/**
 * The module's cycles for token t (its header): head k = t·H + h of a pass is
 * in QK during slot k, SOFT in slot k + 1, PV in slot k + 2; a slot takes
 * max(KB·NB(k), NB(k−1) + 1, KBV·NB(k−2)) cycles (the terms of stages with a
 * head), and token t's row is done when PV ends its last head, KBV·NB(t)
 * cycles into slot t·H + H + 1. Cycles of token t = end(t) − end(t − 1).
 */
function cyclesOf(c: Case, t: number): number {
  const task = { kind: 'attention', dims: { T: c.T, S: c.S, P: 0 }, attrs: { causal: c.causal ? 1 : 0 } } as unknown as Task;
  const KB = Math.ceil(c.hd / c.uk), KBV = Math.ceil(c.hdv / c.uk), TH = c.T * c.H;
  const nb = (k: number) => Math.ceil(keysFor(task, Math.floor(k / c.H)) / c.un);
  const slot = (k: number) => Math.max(k < TH ? KB * nb(k) : 0, k >= 1 && k - 1 < TH ? nb(k - 1) + 1 : 0, k >= 2 ? KBV * nb(k - 2) : 0);
  const end = (i: number) => {
    let start = 0;
    for (let k = 0; k < i * c.H + c.H + 1; k++) start += slot(k);
    return start + KBV * nb(i * c.H + c.H - 1);
  };
  return end(t) - end(t - 1);
}

const files = { [tableFile(EXP2)]: tableImage(EXP2), [tableFile(RECIP)]: tableImage(RECIP) };

function setup(c: Case, seed: number) {
  const g = rng(seed);
  const QW = c.H * c.hd, KW = c.Hk * c.hd, VW = c.Hk * c.hdv, OW = c.H * c.hdv;
  const passes = Array.from({ length: PASSES }, () => ({
    q: values(g, c.T * QW, c), k: values(g, c.S * KW, c), v: values(g, c.S * VW, c),
  }));
  const mod = {
    top: 'llm2hls_attention', params: paramsOf(c),
    inputs: ['q', 'k', 'v'].map((name) => ({ name, width: c.lanes * c.xBits })),
    outputs: [{ name: 'out', width: c.lanes * c.xBits }],
  };
  const beats = [
    rowsToBeats(passes.flatMap((p) => p.q), QW, c.lanes, c.xBits),
    rowsToBeats(passes.flatMap((p) => p.k), KW, c.lanes, c.xBits),
    rowsToBeats(passes.flatMap((p) => p.v), VW, c.lanes, c.xBits),
  ];
  const OB = Math.ceil(OW / c.lanes);
  return { passes, mod, beats, OW, OB, want: PASSES * c.T * OB };
}

async function twin(c: Case, passes: ReturnType<typeof setup>['passes']) {
  const p = paramsOf(c);
  return runTwin('attention_q', {
    PASSES, LANES: c.lanes, TOKENS: c.T, NEW_KEYS: c.S, HEADS: c.H, KV_HEADS: c.Hk, HEAD_DIM: c.hd, V_HEAD_DIM: c.hdv,
    CAUSAL: p.CAUSAL, SCORE_M: p.SCORE_M, SCORE_SHIFT: p.SCORE_SHIFT, OUT_SHIFT: p.OUT_SHIFT, Y_BITS: c.xBits, X_BITS: c.xBits,
  }, passes.flatMap((x) => [...x.q, ...x.k, ...x.v]));
}

describe('llm2hls_attention = attention_q, bit for bit', () => {
  CASES.forEach(([name, c], ci) => {
    it(name, async () => {
      const { passes, mod, beats, OW, OB, want } = setup(c, 100 + ci);
      const y = await twin(c, passes);
      expect(y.length).toBe(PASSES * c.T * OW);
      // The data exercise the softmax: many distinct outputs, not all saturated.
      expect(new Set(y).size).toBeGreaterThan(Math.min(y.length / 4, 2 ** c.xBits / 16));
      const stalled = await simulate(mod, beats, [want], { seed: 7 + ci, inGap: 30, outStall: 30, files });
      expect(beatsToRows(stalled.beats[0], OW, c.lanes, c.xBits)).toEqual(y);
      const slow = await simulate(mod, beats, [want], { seed: 17 + ci, inGap: 60, outStall: 80, files });
      expect(beatsToRows(slow.beats[0], OW, c.lanes, c.xBits)).toEqual(y);
      // Nothing waits: from its second token on, a token takes the header's cycles.
      const free = await simulate(mod, beats, [want], { seed: 27 + ci, files });
      expect(beatsToRows(free.beats[0], OW, c.lanes, c.xBits)).toEqual(y);
      const ends = free.cycles[0].filter((_, i) => i % OB === OB - 1);
      const got: number[] = [], planned: number[] = [];
      for (let p = 0; p < PASSES; p++) {
        for (let t = 1; t < c.T; t++) {
          got.push(ends[p * c.T + t] - ends[p * c.T + t - 1]);
          planned.push(cyclesOf(c, t));
        }
      }
      expect(got).toEqual(planned);
      if (ci === CASES.length - 1) {
        const ic = await simulate(mod, beats, [want], { seed: 5, inGap: 30, outStall: 40, files, simulator: 'icarus' });
        expect(beatsToRows(ic.beats[0], OW, c.lanes, c.xBits)).toEqual(y);
      }
    }, 60_000);
  });
  it('is clean under verilator -Wall, Icarus Verilog and Yosys; PAST > 0 does not elaborate', async () => {
    for (const [, c] of CASES) {
      expect(await lint('llm2hls_attention', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_attention', paramsOf(c))).toBe('');
    }
    expect(await lint('llm2hls_attention', { ...paramsOf(CASES[0][1]), PAST: 2, CACHE_LEN: 7 })).toMatch(/past_gt_0_is_not_built/);
    expect(await yosysSynth('llm2hls_attention', paramsOf(CASES[0][1]), files, { coarse: true })).toMatch(/Number of cells:\s+[1-9]/);
  }, 120_000);
});
