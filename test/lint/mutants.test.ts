/**
 * One clean file in the styles of vendor examples (fixtures/kernels.cpp: m_axi
 * kernels, a dataflow top, bursts through a local buffer, a partitioned matmul,
 * ap_uint bit ranges, an FIR) lints clean; each mutation below injects one bug
 * of one class, and the lint must find that class at the mutated line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../lint/index.js';

const BASE = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kernels.cpp'), 'utf8');

const MUTANTS: { cls: string; from: string; to: string }[] = [
  { cls: 'OOB', from: 'for (int k = 0; k < NUM; k++) result', to: 'for (int k = 0; k <= NUM; k++) result' },
  { cls: 'OOB', from: 'shift_reg[i] = shift_reg[i - 1];', to: 'shift_reg[i] = shift_reg[i + 1];' },
  { cls: 'OOB', from: 'for (int i = 10; i >= 0; i--) {', to: 'for (int i = 11; i >= 0; i--) {' },
  { cls: 'INIT', from: 'int acc = 0;\n  for (int i = 10', to: 'int acc;\n  for (int i = 10' },
  { cls: 'INIT', from: 'int result = 0;', to: 'int result;' },
  { cls: 'INIT', from: '  for (int i = 0; i < 16; i++) local[i] = 0;\n', to: '' },
  { cls: 'SHFT', from: 'crc = (crc << 1) ^ 0x07;', to: 'crc = (crc << 8) ^ 0x07;' },
  { cls: 'SHFT', from: 'r.range(32 * k + 31, 32 * k) = v.range(32 * k + 31, 32 * k) + inc;', to: 'r.range(32 * k + 31, 32 * k) = (v >> 512) + inc;' },
  { cls: 'INF', from: 'for (int i = 10; i >= 0; i--) {', to: 'for (int i = 10; i >= 0; i++) {' },
  { cls: 'INF', from: 'for (int b = 0; b < 8; b++) {', to: 'for (ap_uint<3> b = 0; b < 8; b++) {' },
  { cls: 'INF', from: 'for (int i = 0; i < 1024; i++) {', to: 'for (unsigned i = 1023; i >= 0; i--) {' },
  { cls: 'APT', from: '#pragma HLS ARRAY_PARTITION variable=Abuf block factor=16 dim=2', to: '#pragma HLS ARRAY_PARTITION variable=Abuf block dim=2' },
  { cls: 'APT', from: '#pragma HLS ARRAY_PARTITION variable=Bbuf block factor=16 dim=1', to: '#pragma HLS ARRAY_PARTITION variable=Bbuf complete factor=16 dim=1' },
  { cls: 'FND', from: 'variable=Abuf block factor=16 dim=2', to: 'variable=Abuf block factor=12 dim=2' },
  { cls: 'DID', from: 'variable=Bbuf block factor=16 dim=1', to: 'variable=Bbuf block factor=16 dim=3' },
  { cls: 'DFP', from: 'mem_rd:\n  for', to: '#pragma HLS dataflow\nmem_rd:\n  for' },
  { cls: 'DFP', from: '  static hls::stream<wide_t> s0, s1;', to: '  static hls::stream<wide_t> s0, s1;\n  if (n > 0) {\n#pragma HLS dataflow\n  }' },
  { cls: 'IDAP', from: '#pragma HLS INTERFACE m_axi port = a offset = slave bundle = gmem depth = 2048', to: '#pragma HLS INTERFACE ap_fifo port = a' },
  { cls: 'RAMB', from: 'burstbuffer[j] = a[i + j];', to: 'burstbuffer[j] = a[i + 2 * j];' },
  { cls: 'RAMB', from: '    out[i] = s.read();', to: '    out[n - 1 - i] = s.read();' },
  { cls: 'SMA', from: '#pragma HLS INTERFACE s_axilite port = inc\n', to: '#pragma HLS INTERFACE m_axi port = inc\n' },
  { cls: 'AMS', from: 'int fir(int x) {', to: 'void scale(int v[8]) {\n#pragma HLS INTERFACE ap_none port=v\n  for (int i = 0; i < 8; i++) v[i] *= 2;\n}\nint fir(int x) {' },
  { cls: 'MLP', from: '#pragma HLS UNROLL\n      r.range', to: '#pragma HLS PIPELINE\n      r.range' },
  { cls: 'MLP', from: '      int result = 0;\n      for (int k = 0; k < NUM; k++) result', to: '      int result = 0;\n      for (int k = 0; k < NUM; k++) {\n#pragma HLS PIPELINE\n        result += Abuf[i][k];\n      }\n      for (int k = 0; k < NUM; k++) result' },
  { cls: 'ILNU', from: '  for (int i = 0; i < 32; i++) {\n    crc ^= data[i];', to: '  for (int i = 0; i < 32; i++) {\n#pragma HLS UNROLL factor=4\n    crc ^= data[i];\n    for (int t = 0; t < 2; t++) crc += t;' },
];

describe('lint: a clean vendor-style file and its one-bug mutants', () => {
  it('the clean file has no finding', async () => {
    expect(await lintSource('kernels.cpp', BASE)).toEqual([]);
  });
  for (const m of MUTANTS) {
    it(`${m.cls}: ${m.to.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 60) || `without '${m.from.trim().split('\n')[0].slice(0, 50)}'`}`, async () => {
      expect(BASE.includes(m.from), m.from).toBe(true);
      const findings = await lintSource('kernels.cpp', BASE.replace(m.from, m.to));
      expect(findings.map((f) => f.class), JSON.stringify(findings, null, 1)).toContain(m.cls);
    });
  }
});
