/**
 * The emitted pragmas, types and tool flows follow each tool's documented
 * forms (Vitis HLS UG1399 "HLS Pragmas"; Bambu's bambu101 examples and
 * command-line options): every pragma line of a generated project must match
 * one of them, and each target gets only the pragmas its tool has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../backend-hls/compile.js';
import { DIALECTS } from '../../backend-hls/dialect.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const MODEL = path.join(ROOT, 'test', 'fixtures', 'exported', 'gpt2_mini_past.onnx');
let work: string;
const read = (target: string, rel: string) => fs.readFileSync(path.join(work, target, rel), 'utf8');
const pragmas = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('#pragma'));

beforeAll(async () => {
  work = tempDir('llm2hls-dialect-');
  for (const target of ['vitis', 'bambu'] as const) {
    await compileModel(MODEL, path.join(work, target), { target, precision: 'fp32', device: 'u280', bindings: { sequence: 4, past_sequence: 3 } });
  }
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const VITIS_FORMS = [
  /^#pragma HLS INTERFACE mode=axis port=[A-Za-z]\w*$/,
  /^#pragma HLS INTERFACE mode=m_axi port=[A-Za-z]\w* offset=slave bundle=\w+ depth=\d+$/,
  /^#pragma HLS INTERFACE mode=s_axilite port=[A-Za-z]\w*$/,
  /^#pragma HLS DATAFLOW$/,
  /^#pragma HLS STREAM variable=[A-Za-z]\w* depth=\d+$/,
];
const BAMBU_FORMS = [
  /^#pragma HLS interface port=[A-Za-z]\w* mode=axis$/,
  /^#pragma HLS interface port=[A-Za-z]\w* mode=m_axi offset=direct bundle=\w+$/,
  /^#pragma HLS dataflow$/,
];

describe('vitis', () => {
  it('top.cpp uses only documented Vitis HLS pragma forms', () => {
    const top = read('vitis', 'src/top.cpp');
    const lines = pragmas(top);
    for (const l of lines) expect(VITIS_FORMS.some((f) => f.test(l)), l).toBe(true);
    expect(lines.filter((l) => l === '#pragma HLS DATAFLOW')).toHaveLength(1);
    expect(lines).toContain('#pragma HLS INTERFACE mode=s_axilite port=return');
    // AXI-Stream for token ids and logits, m_axi (+ its s_axilite address register) for weights and the KV cache.
    expect(lines).toContain('#pragma HLS INTERFACE mode=axis port=in_input_ids');
    expect(lines).toContain('#pragma HLS INTERFACE mode=axis port=out_logits');
    const maxi = lines.filter((l) => l.includes('mode=m_axi')).map((l) => /port=(\w+)/.exec(l)![1]);
    expect(maxi.some((p) => p.startsWith('kcache_'))).toBe(true);
    for (const p of maxi) expect(lines).toContain(`#pragma HLS INTERFACE mode=s_axilite port=${p}`);
    // Every declared stream has a depth.
    const streams = [...top.matchAll(/llm2hls::stream<llm2hls::vec<\w+, \d+> > (s_\w+);/g)].map((m) => m[1]);
    expect(streams.length).toBeGreaterThan(5);
    for (const s of streams) expect(top).toMatch(new RegExp(`#pragma HLS STREAM variable=${s} depth=\\d+\\n`));
  });

  it('types map to ap_fixed / hls::stream and kernel pragmas to loop pipelining', () => {
    const types = read('vitis', 'src/llm2hls_types.h');
    for (const inc of ['<ap_int.h>', '<ap_fixed.h>', '<hls_stream.h>']) expect(types).toContain(`#include ${inc}`);
    expect(types).toContain('using stream = hls::stream<T>');
    expect(types).toContain('ap_fixed<W, I, AP_RND_CONV, AP_SAT>');
    expect(types).toContain('#define LLM2HLS_PIPELINE_LOOP(ii) _Pragma(LLM2HLS_STR(HLS PIPELINE II=ii))');
    expect(types).toMatch(/#define LLM2HLS_PARTITION\(v, n\) _Pragma\(LLM2HLS_STR\(HLS ARRAY_PARTITION variable=v type=cyclic factor=n dim=1\)\)/);
    expect(types).toMatch(/#define LLM2HLS_PIPELINE_FUNCTION\(\) $/m);
    expect(types).toContain('#if defined(LLM2HLS_HOST_TYPES)');
  });

  it('the dialect object spells the documented pragmas', () => {
    const v = DIALECTS.vitis;
    expect(v.loopPipeline(2)).toEqual(['#pragma HLS PIPELINE II=2']);
    expect(v.arrayPartition('x', 4)).toEqual(['#pragma HLS ARRAY_PARTITION variable=x type=cyclic factor=4 dim=1']);
    expect(v.streamDepth('s', 8)).toEqual(['#pragma HLS STREAM variable=s depth=8']);
  });

  it('Makefile, TCL and connectivity drive vitis_hls and v++', () => {
    const mk = read('vitis', 'Makefile');
    for (const t of ['csim', 'hls', 'cosim', 'bambu', 'xo', 'xclbin', 'clean']) expect(mk).toMatch(new RegExp(`^${t}:`, 'm'));
    expect(mk).toContain('-std=c++17 -O2 -Wall -Wextra');
    expect(mk).toContain('$(VITIS_HLS) -f script.tcl -tclargs csim csynth');
    expect(mk).toContain('$(VPP) -c -t hw --platform $(PLATFORM) -k $(TOP)');
    expect(mk).toContain('$(VPP) -l -t hw --platform $(PLATFORM) --config connectivity.cfg');
    expect(mk).toMatch(/^bambu:\n\t@echo "this project was generated for vitis/m);
    const tcl = read('vitis', 'script.tcl');
    for (const cmd of ['open_project', 'set_top torch_jit', 'add_files src/top.cpp', 'add_files -tb src/testbench.cpp', 'open_solution', 'set_part {xcu280-fsvh2892-2L-e}', 'create_clock -period', 'csim_design', 'csynth_design', 'cosim_design', 'export_design']) {
      expect(tcl).toContain(cmd);
    }
    const cfg = read('vitis', 'connectivity.cfg');
    expect(cfg).toMatch(/^\[connectivity\]$/m);
    // The compute unit is the XRT wrapper of the top (test/backend/xrt-host.test.ts).
    expect(cfg).toMatch(/^nk=torch_jit_xrt:1:torch_jit_xrt_1$/m);
    expect(cfg).toMatch(/^sp=torch_jit_xrt_1\.m_axi_gmem0:HBM\[0\]$/m);
    expect(cfg).toMatch(/^sp=torch_jit_xrt_1\.m_axi_kvmem0:HBM\[\d+\]$/m);
  });
});

describe('bambu', () => {
  it('top.cpp uses only Bambu pragma forms: interfaces before the function, no depth or partition pragmas', () => {
    const top = read('bambu', 'src/top.cpp');
    const lines = pragmas(top);
    for (const l of lines) expect(BAMBU_FORMS.some((f) => f.test(l)), l).toBe(true);
    expect(top).not.toMatch(/ARRAY_PARTITION|HLS STREAM|s_axilite|PIPELINE/);
    const fn = top.indexOf('void torch_jit(');
    for (const l of lines.filter((x) => x.includes('interface'))) expect(top.indexOf(l)).toBeLessThan(fn);
    expect(lines).toContain('#pragma HLS interface port=in_input_ids mode=axis');
    expect(lines.some((l) => /port=kcache_\w+ mode=m_axi offset=direct bundle=kvmem0/.test(l))).toBe(true);
  });

  it('types map to ac_fixed / ac_channel; only whole functions are pipelined', () => {
    const types = read('bambu', 'src/llm2hls_types.h');
    for (const inc of ['<ac_int.h>', '<ac_fixed.h>', '<ac_channel.h>']) expect(types).toContain(`#include ${inc}`);
    expect(types).toContain('using stream = ac_channel<T>');
    expect(types).toContain('ac_fixed<W, I, true, AC_RND_CONV, AC_SAT>');
    expect(types).toMatch(/#define LLM2HLS_PIPELINE_LOOP\(ii\) $/m);
    expect(types).toMatch(/#define LLM2HLS_PARTITION\(v, n\) $/m);
    expect(types).toContain('#define LLM2HLS_PIPELINE_FUNCTION() _Pragma("HLS pipeline")');
    const b = DIALECTS.bambu;
    expect(b.arrayPartition('x', 4)).toEqual([]);
    expect(b.streamDepth('s', 8)).toEqual([]);
    expect(b.loopPipeline(1)).toEqual([]);
  });

  it('make bambu runs bambu with the documented flags', () => {
    const mk = read('bambu', 'Makefile');
    const line = mk.split('\n').find((l) => l.includes('$(BAMBU) '))!;
    for (const flag of ['--top-fname=$(TOP)', '--compiler=$(BAMBU_COMPILER)', '--clock-period=$(CLOCK_NS)', '--device-name=$(BAMBU_DEVICE)', '--generate-tb=', '--simulate', '--simulator=VERILATOR']) {
      expect(line).toContain(flag);
    }
    expect(mk).toMatch(/^hls:\n\t@echo "this project was generated for bambu/m);
  });
});

it('both targets share one kernel library', () => {
  const files = fs.readdirSync(path.join(work, 'vitis', 'kernels')).sort();
  expect(files).toEqual(fs.readdirSync(path.join(work, 'bambu', 'kernels')).sort());
  for (const f of files) expect(read('vitis', `kernels/${f}`)).toBe(read('bambu', `kernels/${f}`));
  // Weights are binary files, never C array literals.
  expect(read('vitis', 'src/top.cpp')).not.toMatch(/\{\s*-?\d+\.\d+f?\s*,/);
  expect(fs.statSync(path.join(work, 'vitis', 'weights', 'gmem0.bin')).size).toBeGreaterThan(80_000);
});
