/**
 * compiler/dataflow/dsp-count.ts against Yosys: the planner's DSP count of
 * each integer kernel equals what synth_xilinx makes of the library module
 * with the same lanes ('dsp-bram' flow: DSP cells are final before LUT
 * mapping), and productDsp tiles products as mul2dsp does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integerKernelDsp, productDsp } from '../../compiler/dataflow/dsp-count.js';
import { Plan, Task } from '../../compiler/dataflow/ir.js';
import { YosysParams, runYosys } from '../../backend-rtl/yosys.js';
import { tableImages } from '../../backend-rtl/tables.js';
import { RTL_DIR } from '../helpers/rtl-harness.js';
import { limited } from '../helpers/two-at-a-time.js';
import { rng } from '../numerics/rng.js';

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'llm2hls-dsp-count-'));
afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));
const LIB = fs.readdirSync(RTL_DIR).filter((f) => f.endsWith('.v')).map((f) => path.join(RTL_DIR, f));

// Random ROM contents (a constant-zero ROM would let Yosys remove the multipliers it feeds).
const next = rng(7).uniform;
const ROM = path.join(WORK, 'rom.hex');
fs.writeFileSync(ROM, Array.from({ length: 512 }, () => Array.from({ length: 64 }, () => Math.floor(next() * 16).toString(16)).join('')).join('\n') + '\n');
for (const [file, image] of Object.entries(tableImages())) fs.writeFileSync(path.join(WORK, file), image);
const table = (name: string) => path.join(WORK, `llm2hls_table_${name}.hex`);

const yosysDsp = (top: string, params: YosysParams) => limited(async () =>
  (await runYosys({ files: LIB, top, params, romDir: WORK, device: 'kv260', flow: 'dsp-bram', timeoutSeconds: 300 })).dsp);

const task = (kind: Task['kind']) => ({ kind } as Task);
const plan = (uk: number, un: number) => ({ uk, un, tt: 1 } as Plan);

describe('productDsp: mul2dsp tiling onto DSP48E2 (27 x 18)', () => {
  it('one DSP up to 27 x 18, slices of 17 bits beyond', () => {
    expect(productDsp(16, 8)).toBe(1);
    expect(productDsp(27, 18)).toBe(1);
    expect(productDsp(28, 18)).toBe(2);
    expect(productDsp(48, 17)).toBe(3); // a Linear's requantization at 48-bit accumulators
    expect(productDsp(32, 17)).toBe(2);
  });
  it('drops tiles above the result width (a 64-bit product of 65-bit operands: 10 of 16)', () => {
    expect(productDsp(65, 65)).toBe(16);
    expect(productDsp(65, 65, 64)).toBe(10);
  });
});

describe.concurrent('integerKernelDsp = Yosys on the library module', () => {
  const cases: [string, Task['kind'], Plan, number, string, YosysParams][] = [
    ['linear 2 x 4 lanes, w4a16, 48-bit accumulators', 'linear', plan(4, 2), 16, 'llm2hls_linear',
      { IN_DIM: 8, OUT_DIM: 8, PAR: 2, KPAR: 4, II: 1, X_BITS: 16, W_BITS: 4, Y_BITS: 16, ACC_BITS: 48, BIAS: 1, W_FILE: ROM, B_FILE: ROM, Q_FILE: ROM }],
    ['linear 3 x 2 lanes, w8a8, 32-bit accumulators', 'linear', plan(2, 3), 8, 'llm2hls_linear',
      { IN_DIM: 8, OUT_DIM: 6, PAR: 3, KPAR: 2, II: 1, X_BITS: 8, W_BITS: 8, Y_BITS: 8, ACC_BITS: 32, BIAS: 0, W_FILE: ROM, B_FILE: ROM, Q_FILE: ROM }],
    ['rmsnorm, 2 lanes', 'rmsnorm', plan(1, 2), 16, 'llm2hls_norm',
      { DIM: 16, LANES: 2, X_BITS: 16, Y_BITS: 16, CENTER: 0, INV_D_M: 16384, INV_D_SHIFT: 18, EPS_U: 137439n, GAMMA_FRAC: 12, Y_FRAC: 12, BETA: 0, G_FILE: ROM, B_FILE: ROM, RSQRT_FILE: table('rsqrt') }],
    ['layernorm, 1 lane', 'layernorm', plan(1, 1), 16, 'llm2hls_norm',
      { DIM: 16, LANES: 1, X_BITS: 16, Y_BITS: 16, CENTER: 1, INV_D_M: 16384, INV_D_SHIFT: 18, EPS_U: 687195n, GAMMA_FRAC: 13, Y_FRAC: 13, BETA: 1, G_FILE: ROM, B_FILE: ROM, RSQRT_FILE: table('rsqrt') }],
    ['gelu, 2 lanes', 'gelu', plan(1, 2), 16, 'llm2hls_activation',
      { LANES: 2, X_BITS: 16, X_FRAC: 13, Y_BITS: 16, SHIFT: 15, TABLE_FILE: table('gelu_tanh_gate') }],
    ['swiglu, 1 lane', 'swiglu', plan(1, 1), 16, 'llm2hls_swiglu',
      { LANES: 1, X_BITS: 16, G_FRAC: 13, Y_BITS: 16, SHIFT: 28, TABLE_FILE: table('sigmoid') }],
    ['rope, 2 lanes', 'rope', plan(1, 2), 16, 'llm2hls_rope',
      { TOKENS: 4, HEADS: 2, HEAD_DIM: 8, LANES: 2, X_BITS: 16, Y_BITS: 16, SHIFT: 14, C_FILE: ROM, S_FILE: ROM }],
    ['embedding, 2 lanes', 'embedding', plan(1, 2), 16, 'llm2hls_embedding',
      { VOCAB: 16, DIM: 8, LANES: 2, ID_BITS: 32, W_BITS: 8, Y_BITS: 16, T_FILE: ROM, Q_FILE: ROM }],
    ['attention, 2 x 1 lanes', 'attention', plan(2, 1), 16, 'llm2hls_attention',
      { TOKENS: 4, NEW_KEYS: 4, PAST: 0, CACHE_LEN: 4, HEADS: 2, KV_HEADS: 1, HEAD_DIM: 8, V_HEAD_DIM: 8, CAUSAL: 1, SCORE_M: 16714, SCORE_SHIFT: 27, OUT_SHIFT: 14, X_BITS: 16, Y_BITS: 16, LANES: 2, UK: 2, UN: 1, EXP_FILE: table('exp2'), RECIP_FILE: table('recip') }],
  ];
  for (const [name, kind, p, act, top, params] of cases) {
    it(name, async () => {
      const acc = typeof params.ACC_BITS === 'number' ? params.ACC_BITS : 48;
      expect(await yosysDsp(top, params)).toBe(integerKernelDsp(task(kind), p, act, acc));
    }, 300_000);
  }
});
