/**
 * llm2hls_rope against rope_q of templates/kernels/llm2hls_fixed.h, bit for
 * bit: cos/sin tables of real rotary frequencies in the contract's 16-bit
 * Q.14, seeded random activations over the whole range, one lane and
 * several, several heads and tokens (the token counter wraps after TOKENS,
 * as each C++ call starts at token 0), under random gaps and backpressure;
 * and the cycles per token against the planner's cost model.
 */
import { describe, expect, it } from 'vitest';
import { fmt, toFixed } from '../../compiler/numerics/fixed.js';
import { CostContext, tokenCycles } from '../../compiler/dataflow/cost-model.js';
import { Task } from '../../compiler/dataflow/ir.js';
import { beatsToRows, hexImage, rowsToBeats } from '../../backend-rtl/rom.js';
import { icarus, lint, runTwin, simulate, yosysSynth } from '../helpers/rtl-harness.js';
import { rng } from '../numerics/rng.js';

interface Case { tokens: number; heads: number; hd: number; lanes: number; xBits: number; fx: number; fy: number }
const CASES: [string, Case][] = [
  ['lanes 1, 3 heads of 8, 5 tokens, int16', { tokens: 5, heads: 3, hd: 8, lanes: 1, xBits: 16, fx: 12, fy: 12 }],
  ['lanes 4, 2 heads of 16, 4 tokens, int16 into a coarser format', { tokens: 4, heads: 2, hd: 16, lanes: 4, xBits: 16, fx: 13, fy: 11 }],
  ['lanes 2, 4 heads of 4, 3 tokens, int8', { tokens: 3, heads: 4, hd: 4, lanes: 2, xBits: 8, fx: 5, fy: 5 }],
];

/** cos and sin [T][hd] of RoPE (base 10000), rotate-half layout, 16-bit Q.14. */
function tables(c: Case) {
  const q = fmt(16, 14);
  const cos: number[] = [], sin: number[] = [];
  for (let t = 0; t < c.tokens; t++) {
    for (let i = 0; i < c.hd; i++) {
      const theta = t * 10000 ** (-(2 * (i % (c.hd / 2))) / c.hd);
      cos.push(toFixed(Math.cos(theta), q));
      sin.push(toFixed(Math.sin(theta), q));
    }
  }
  return { cos, sin };
}

const paramsOf = (c: Case) => ({
  TOKENS: c.tokens, HEADS: c.heads, HEAD_DIM: c.hd, LANES: c.lanes, X_BITS: c.xBits, Y_BITS: c.xBits, SHIFT: c.fx + 14 - c.fy,
});
const romOf = (v: number[], lanes: number) => hexImage(rowsToBeats(v, v.length, lanes, 16), lanes * 16);

describe('llm2hls_rope = rope_q, bit for bit', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const g = rng(c.hd * 7 + c.lanes);
      const lim = 2 ** (c.xBits - 1);
      const size = c.tokens * c.heads * c.hd;
      const x = Array.from({ length: size }, () => (g.uniform() < 0.05 ? -lim : g.int(-lim, lim - 1)));
      const { cos, sin } = tables(c);
      const p = paramsOf(c);
      const want = await runTwin('rope_q', { LANES: c.lanes, TOKENS: c.tokens, HEADS: c.heads, HEAD_DIM: c.hd, SHIFT: p.SHIFT, Y_BITS: c.xBits, X_BITS: c.xBits },
        [...cos, ...sin, ...x]);
      const mod = { top: 'llm2hls_rope', params: p, inputs: [{ name: 'in', width: c.lanes * c.xBits }], outputs: [{ name: 'out', width: c.lanes * c.xBits }] };
      const files = { 'cos.hex': romOf(cos, c.lanes), 'sin.hex': romOf(sin, c.lanes) };
      // Twice over: the second pass checks that the token counter wrapped to 0.
      const beats = rowsToBeats([...x, ...x], c.hd, c.lanes, c.xBits);
      for (const simulator of ['verilator', 'icarus'] as const) {
        const r = await simulate(mod, [beats], [beats.length], { seed: 11, inGap: 25, outStall: 25, files, simulator });
        expect(beatsToRows(r.beats[0], c.hd, c.lanes, c.xBits)).toEqual([...want, ...want]);
      }
      expect(new Set(want).size).toBeGreaterThan(Math.min(size, 2 ** c.xBits) / 8);
      // Nothing waits: a token every ceil(C / un) cycles, C = heads x head_dim, as planned.
      const free = await simulate(mod, [beats], [beats.length], { seed: 12, files });
      expect(beatsToRows(free.beats[0], c.hd, c.lanes, c.xBits)).toEqual([...want, ...want]);
      const perToken = c.heads * c.hd / c.lanes;
      const ends = free.cycles[0].filter((_, i) => i % perToken === perToken - 1);
      const task = { kind: 'rope', dims: { T: c.tokens, C: c.heads * c.hd } } as unknown as Task;
      const planned = tokenCycles(task, { uk: 1, un: c.lanes, tt: 1 }, 0, { precision: { float: false } } as unknown as CostContext);
      expect(ends.slice(1).map((e, i) => e - ends[i])).toEqual(ends.slice(1).map(() => planned));
    }, 60_000);
  }
  it('is clean under verilator -Wall, Icarus Verilog and Yosys', async () => {
    for (const [, c] of CASES) {
      expect(await lint('llm2hls_rope', paramsOf(c))).toBe('');
      expect(await icarus('llm2hls_rope', paramsOf(c))).toBe('');
    }
    const c = CASES[2][1];
    const { cos, sin } = tables(c);
    expect(await yosysSynth('llm2hls_rope', paramsOf(c), { 'cos.hex': romOf(cos, c.lanes), 'sin.hex': romOf(sin, c.lanes) }))
      .toMatch(/Number of cells:\s+[1-9]/);
  }, 60_000);
});
