/**
 * The latency model (compiler/dataflow/timing.ts) against the RTL: the
 * cycle formulas templates/rtl/ documents for single kernels, and a whole
 * design's Verilator simulation (`llm2hls sim --mode verilator`, cycles from
 * the first input beat to the last output beat, per-kernel last beats from
 * the llm2hls-stat lines), which scripts/rtl-vs-estimate.mjs reproduces.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDataflow } from '../../compiler/dataflow/text.js';
import { memMap } from '../../compiler/dataflow/ir.js';
import { designTiming } from '../../compiler/dataflow/timing.js';
import { tokenCycles } from '../../compiler/dataflow/cost-model.js';
import { deviceByName } from '../../compiler/devices/index.js';
import { PRECISIONS } from '../../compiler/numerics/precision.js';
import { estimateModel } from '../../compiler/estimate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kv260 = deviceByName('kv260');
const ctxOf = (g: ReturnType<typeof parseDataflow>) => ({ device: kv260, precision: PRECISIONS.w8a16, clockMHz: 250, mems: memMap(g) });

/** host -> one task -> host, the host side one element a beat as the RTL harness feeds it. */
function single(task: string, dims: string, plan: string, T: number, C: number, Cout = C, mems = '') {
  return parseDataflow([
    'dataflow one tokens ' + T + ' precision w8a16 device kv260 clock 250',
    'input %s0', 'output %s1', mems,
    `stream %s0: i16x1[${T}, ${C}] t.c depth 2 host.0 -> @k.0 value "x"`,
    `stream %s1: i16x1[${T}, ${Cout}] t.c depth 2 @k.0 -> host.0 value "y"`,
    `task @k = ${task}(%s0) -> (%s1) mems(${mems ? '%w' : ''}) dims ${dims} attrs {} node "k" plan ${plan}`,
  ].filter((l) => l).join('\n'));
}

describe('designTiming against the RTL kernels', () => {
  it('llm2hls_linear: a row takes KB * NB * II cycles; its last beat leaves 5 cycles after its last step', () => {
    const [T, K, N, uk, un] = [3, 8, 8, 1, 2];
    const g = single('linear', `{K: ${K}, N: ${N}, T: ${T}}`, `{tt: 1, uk: ${uk}, un: ${un}}`, T, K, N, `mem %w: weight i8[${K}, ${N}] onchip`);
    const KB = K / uk, NB = N / un;
    // The first input beat at cycle 0, rows back to back, the last step at T*KB*NB - 1.
    expect(designTiming(g, ctxOf(g)).latency).toBe(T * KB * NB + 5);
  });

  it('llm2hls_norm: DB cycles a row, the first output beat 5 cycles after the row\'s last input beat', () => {
    const [T, C] = [2, 8];
    const g = single('layernorm', `{C: ${C}, T: ${T}}`, '{tt: 1, uk: 1, un: 1}', T, C);
    // Row r's last beat in at (r+1)*DB - 1, its beats out from (r+1)*DB + 4 on, DB of them.
    expect(designTiming(g, ctxOf(g)).latency).toBe((T + 1) * C + 4);
  });

  it('element-wise kernels: a beat a cycle through an output register', () => {
    const [T, C] = [4, 6];
    const g = single('gelu', `{C: ${C}, T: ${T}}`, '{tt: 1, uk: 1, un: 1}', T, C);
    expect(designTiming(g, ctxOf(g)).latency).toBe(T * C + 1);
  });
});

describe('attention cycles (the llm2hls_attention slot formula)', () => {
  const task = (uk: number, un: number) => ({
    name: 'a', kind: 'attention' as const, inputs: [], outputs: [], mems: [], node: 'a',
    dims: { T: 8, S: 8, P: 0, H: 2, Hk: 2, D: 8 }, attrs: { causal: 1 }, plan: { tt: 1, uk, un },
  });
  const ctx = { device: kv260, precision: PRECISIONS.w8a16, clockMHz: 250, mems: new Map() };
  it('is HEADS * KB * NB when QK sets the slot (KB >= 2), HEADS * (NB + 1) when SOFT does (UK = HEAD_DIM)', () => {
    for (let t = 0; t < 8; t++) {
      const nb = (un: number) => Math.max(1, Math.ceil((t + 1) / un));
      expect(tokenCycles(task(4, 3), task(4, 3).plan, t, ctx)).toBe(2 * 2 * nb(3));
      expect(tokenCycles(task(8, 2), task(8, 2).plan, t, ctx)).toBe(2 * (nb(2) + 1));
    }
  });
});

describe('a whole design against its Verilator simulation', () => {
  it('tiny_gpt (T 8) w8a16 on kv260: 795 cycles, every kernel\'s last beat on the cycle', () => {
    const r = estimateModel(path.join(ROOT, 'examples', 'tiny_gpt.onnx'), { device: 'kv260', precision: 'w8a16', bindings: { sequence: 8 }, log: () => {} });
    // Measured: llm2hls sim --mode verilator (llm2hls-rtl cycles 795; llm2hls-stat kernel ... last N, here N + 1).
    expect(r.latency.cycles).toBe(795);
    const finish = new Map(r.kernels.map((k) => [k.name, k.finish]));
    expect(finish.get('Gather_9')).toBe(414);
    expect(finish.get('LayerNormalization_23')).toBe(509);
    expect(finish.get('Reshape_57_Attention')).toBe(565);
    expect(finish.get('Add_89')).toBe(628);
    expect(finish.get('Reshape_127_Attention')).toBe(700);
  });
});
