/**
 * The planner's lanes, initiation intervals and on-chip weights, realized in
 * the emitted kernels: configs carry uk/un/II, the vendor pragmas come out in
 * their documented forms (checked on the preprocessed top.cpp, with empty
 * stand-ins for the vendor headers), and csim stays bit-exact (w8a16) and
 * within 1e-3 of ONNX Runtime (fp32) with on-chip and with external weights.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel, deviceInfo, quantizedGraph } from '../../backend-hls/compile.js';
import { defaultPlan, plannerPlan } from '../../backend-hls/plan.js';
import { deviceByName } from '../../compiler/devices/index.js';
import { precisionByName } from '../../compiler/numerics/precision.js';
import { readTensorDir, readTensorFile } from '../../frontend/tensor-files.js';
import { simulate } from '../../runtime/csim.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { relativeError } from '../helpers/compare.js';
import { runOrt } from '../helpers/ort.js';

const F = path.join(ROOT, 'test', 'fixtures', 'exported');
const MODEL = `${F}/gpt2_mini.onnx`;
const DATA = `${F}/gpt2_mini_data`;
let work: string;
beforeAll(() => { work = tempDir('llm2hls-lanes-'); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

/** The kernel configs of top.cpp: struct name -> integer members, with the kernel of its comment. */
function configs(top: string): Map<string, { kernel: string; task: string; ints: Record<string, number> }> {
  const out = new Map<string, { kernel: string; task: string; ints: Record<string, number> }>();
  const re = /^\/\/ (\w+) (\w+): \[[^\]]*\]\nstruct (\w+) \{\n([\s\S]*?)\n\};/gm;
  for (const m of top.matchAll(re)) {
    const ints: Record<string, number> = {};
    for (const i of m[4].matchAll(/static const int (\w+) = (-?\d+);/g)) ints[i[1]] = Number(i[2]);
    out.set(m[3], { kernel: m[1], task: m[2], ints });
  }
  return out;
}

/** top.cpp through the preprocessor with the vendor types of `target` (vendor headers stubbed). */
async function preprocess(dir: string, target: 'vitis' | 'bambu'): Promise<string> {
  const stubs = path.join(dir, 'vendor-stubs');
  fs.mkdirSync(stubs, { recursive: true });
  for (const h of ['ap_int.h', 'ap_fixed.h', 'hls_stream.h', 'hls_math.h', 'hls_vector.h', 'ac_int.h', 'ac_fixed.h', 'ac_channel.h']) fs.writeFileSync(path.join(stubs, h), '');
  const macro = target === 'vitis' ? 'LLM2HLS_TARGET_VITIS' : 'LLM2HLS_TARGET_BAMBU';
  const r = await execa('g++', ['-E', '-P', `-D${macro}`, `-I${stubs}`, `-I${dir}/src`, `-I${dir}/kernels`, `${dir}/src/top.cpp`]);
  return r.stdout;
}

describe('lanes and on-chip weights (u55c)', () => {
  const precision = 'w8a16';
  let vitis: string;
  let bambu: string;
  beforeAll(async () => {
    vitis = path.join(work, 'vitis');
    bambu = path.join(work, 'bambu');
    await Promise.all([
      compileModel(MODEL, vitis, { target: 'vitis', device: 'u55c', precision }),
      compileModel(MODEL, bambu, { target: 'bambu', device: 'u55c', precision }),
    ]);
  }, 60_000);

  it('kernel configs carry the planner\'s lanes and II; planned on-chip weights are copied on chip', () => {
    const device = deviceByName('u55c');
    const { graph } = quantizedGraph(MODEL, {}, precision);
    const { plan } = plannerPlan(graph, precisionByName(precision), device, defaultPlan(deviceInfo(device)));
    const manifest = JSON.parse(fs.readFileSync(path.join(vitis, 'manifest.json'), 'utf8'));
    expect(manifest.plan).toBe('dataflow planner');
    const top = fs.readFileSync(path.join(vitis, 'src', 'top.cpp'), 'utf8');
    const cfgs = [...configs(top).values()];
    const linears = manifest.kernels.filter((k: { opType: string }) => k.opType === 'llm.Linear');
    expect(linears.length).toBe(7);
    let wide = 0;
    const impls = new Set<string>();
    for (const k of linears) {
      const node = graph.nodes.find((n) => n.name === k.node)!;
      const tp = plan.task(node);
      const storage = plan.weightStorage!(node, node.inputs[1]);
      expect({ par: k.par, kpar: k.kpar, ii: k.ii }).toEqual({ par: tp.parallelism, kpar: tp.kParallelism, ii: tp.ii });
      const cfg = cfgs.find((c) => c.task === k.task)!;
      expect(cfg.ints).toMatchObject({ par: tp.parallelism, kpar: tp.kParallelism, ii: tp.ii });
      if (tp.parallelism * tp.kParallelism! > 1) wide++;
      expect(storage.kind).toBe('onchip');
      if (storage.kind === 'onchip') {
        impls.add(storage.impl);
        expect(k.weights).toBe(`onchip-${storage.impl}`);
        expect(top).toMatch(new RegExp(`llm2hls::linear_q_onchip_${storage.impl}<\\w+, (true|false)>\\(`));
      }
    }
    expect(wide).toBe(linears.length);
    expect(impls.has('bram') || impls.has('uram')).toBe(true);
  });

  it('vitis: UNROLL factor, ARRAY_PARTITION cyclic factor dim, PIPELINE II and BIND_STORAGE in their documented forms', async () => {
    const pp = await preprocess(vitis, 'vitis');
    expect(pp).toMatch(/^#pragma HLS PIPELINE II=CFG::ii$/m);
    expect(pp).toMatch(/^#pragma HLS UNROLL factor=CFG::kpar$/m);
    expect(pp).toMatch(/^#pragma HLS UNROLL factor=CFG::par$/m);
    expect(pp).toMatch(/^#pragma HLS ARRAY_PARTITION variable=x type=cyclic factor=CFG::kpar dim=1$/m);
    expect(pp).toMatch(/^#pragma HLS ARRAY_PARTITION variable=acc type=cyclic factor=CFG::par dim=1$/m);
    expect(pp).toMatch(/^#pragma HLS ARRAY_PARTITION variable=wbuf type=cyclic factor=CFG::par dim=1$/m);
    expect(pp).toMatch(/^#pragma HLS ARRAY_PARTITION variable=wbuf type=cyclic factor=CFG::kpar dim=2$/m);
    for (const impl of ['lutram', 'bram', 'uram']) expect(pp).toContain(`#pragma HLS BIND_STORAGE variable=wbuf type=ram_2p impl=${impl}\n`);
    expect(pp).not.toMatch(/#pragma unroll/);
    // Every HLS pragma is one of the documented spellings.
    const forms = [
      /^#pragma HLS PIPELINE II=\S+$/, /^#pragma HLS UNROLL factor=\S+$/, /^#pragma HLS ARRAY_PARTITION variable=\w+ type=cyclic factor=\S+ dim=\d$/,
      /^#pragma HLS ARRAY_PARTITION variable=\w+ type=complete dim=1$/,
      /^#pragma HLS BIND_STORAGE variable=\w+ type=ram_2p impl=(lutram|bram|uram)$/, /^#pragma HLS STREAM variable=\w+ depth=\d+$/,
      /^#pragma HLS INTERFACE mode=(axis|s_axilite) port=\w+$/, /^#pragma HLS INTERFACE mode=m_axi port=\w+ offset=slave bundle=\w+ depth=\d+$/,
      /^#pragma HLS DATAFLOW$/,
    ];
    for (const line of pp.split('\n').filter((l) => l.startsWith('#pragma'))) expect(forms.some((f) => f.test(line)), line).toBe(true);
    const make = fs.readFileSync(path.join(vitis, 'Makefile'), 'utf8');
    expect(make).toMatch(/^PLATFORM \?= xilinx_u55c_gen3x16_xdma_3_202210_1$/m);
    expect(make).toMatch(/^BAMBU_DEVICE \?= xcu55c-2Lfsvh2892-VVD$/m);
  });

  it('bambu: unroll only (clang #pragma unroll before the loop), no partition or storage pragmas', async () => {
    const pp = await preprocess(bambu, 'bambu');
    expect(pp).toMatch(/^#pragma unroll \(CFG::kpar\)$/m);
    expect(pp).toMatch(/^#pragma unroll \(CFG::par\)$/m);
    expect(pp).not.toMatch(/ARRAY_PARTITION|BIND_STORAGE|HLS UNROLL|HLS PIPELINE II/);
    // clang requires a loop right after `#pragma unroll`.
    const lines = pp.split('\n');
    lines.forEach((l, i) => {
      if (l.startsWith('#pragma unroll')) expect(lines.slice(i + 1).find((n) => n.trim() !== '')!.trim(), `after line ${i}`).toMatch(/^for \(/);
    });
  });

  it('w8a16 csim is bit-exact with on-chip weights, and with the weights forced external (m_axi)', async () => {
    const ext = path.join(work, 'external');
    await compileModel(MODEL, ext, { target: 'vitis', device: 'u55c', precision, config: { model: {}, layerTypes: { 'llm.Linear': { weightPlacement: { memory: 'HBM', bank: 3 } } }, layers: {} } });
    const top = fs.readFileSync(path.join(ext, 'src', 'top.cpp'), 'utf8');
    expect(top).not.toMatch(/linear_q_onchip_/);
    expect(top).toMatch(/llm2hls::linear_q<\w+>\(/);
    for (const dir of [vitis, ext]) {
      const sim = await simulate(dir, { inputs: DATA, out: path.join(work, `out-${path.basename(dir)}`), extraCxxFlags: '-Werror' });
      expect(sim.bitExact).toBe(true);
      for (const o of sim.outputs) expect(o.mismatches).toBe(0);
    }
  }, 60_000);

  it('fp32 csim with lanes and on-chip weights stays within 1e-3 of ONNX Runtime', async () => {
    const dir = path.join(work, 'fp32');
    await compileModel(MODEL, dir, { target: 'vitis', device: 'u55c', precision: 'fp32' });
    expect(fs.readFileSync(path.join(dir, 'src', 'top.cpp'), 'utf8')).toMatch(/llm2hls::linear_onchip_(lutram|bram|uram)</);
    const sim = await simulate(dir, { inputs: DATA, out: path.join(work, 'out-fp32'), extraCxxFlags: '-Werror' });
    const ort = await runOrt(MODEL, readTensorDir(DATA).map((t) => t.tensor));
    sim.outputs.forEach((o, i) => expect(relativeError(readTensorFile(o.file).tensor.data, ort[i].data)).toBeLessThan(1e-3));
  }, 60_000);
});

/**
 * Vector beats (issue #8): every kernel moves its planned lanes a beat, the same numbers the RTL
 * module takes (backend-hls/kernels/lanes.ts), streams are llm2hls::vec<elem, lanes> FIFOs of the
 * RTL's depth in beats, a `regear` task sits wherever the RTL has a gearbox, and each element and
 * row kernel pipelines its beat loop at II=1 with the lane loop unrolled by its CFG::par.
 */
const LLAMA = `${F}/llama_mini.onnx`;
const LLAMA_DATA = `${F}/llama_mini_data`;
type Manifest = {
  kernels: { task: string; kernel: string; opType: string; par: number; lanes: { inputs: number[]; output: number } }[];
  streams: { name: string; depth: number; lanes: number; beats: number }[];
  rtl?: { fifos: { stream: string; depth: number; width: number }[]; gearboxes: { name: string; from: number; to: number }[]; kernels: { task: string; par: number; kpar: number }[] };
};
const manifestOf = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

/** The body of each kernel template `void NAME(` in preprocessed source, up to the next template. */
function bodies(pp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of pp.matchAll(/^void (\w+)\(([\s\S]*?)(?=^template <|^\}\s*\}|^namespace|$(?![\s\S]))/gm)) if (!out.has(m[1])) out.set(m[1], m[2]);
  return out;
}

describe('vector beats: the HLS kernels realize the RTL lanes', () => {
  const models = [{ name: 'gpt2_mini', model: MODEL, data: DATA }, { name: 'llama_mini', model: LLAMA, data: LLAMA_DATA }];
  const dirs: Record<string, { vitis: string; bambu: string; rtl: string; fp32: string }> = {};
  beforeAll(async () => {
    for (const m of models) {
      const d = { vitis: path.join(work, `${m.name}-vitis`), bambu: path.join(work, `${m.name}-bambu`), rtl: path.join(work, `${m.name}-rtl`), fp32: path.join(work, `${m.name}-fp32`) };
      dirs[m.name] = d;
      await compileModel(m.model, d.vitis, { target: 'vitis', device: 'u55c', precision: 'w8a16' });
      await compileModel(m.model, d.bambu, { target: 'bambu', device: 'u55c', precision: 'w8a16' });
      await compileModel(m.model, d.rtl, { target: 'rtl', device: 'u55c', precision: 'w8a16' });
      await compileModel(m.model, d.fp32, { target: 'vitis', device: 'u55c', precision: 'fp32' });
    }
  }, 180_000);

  it('every kernel\'s stream lanes are the RTL instance\'s, and wider than one element where the plan says so', () => {
    const kinds = new Set<string>();
    for (const m of models) {
      const hls = manifestOf(dirs[m.name].vitis), rtl = manifestOf(dirs[m.name].rtl);
      for (const k of hls.kernels) {
        const r = rtl.rtl!.kernels.find((x) => x.task === k.task)!;
        expect(r, k.task).toBeDefined();
        // The RTL instance's output lanes (attention: UK on every port; linear: UN out, UK in).
        const rtlOut = k.kernel === 'attention_q' ? r.kpar : r.par;
        expect(k.lanes.output, `${k.task} output lanes`).toBe(rtlOut);
        if (k.kernel === 'linear_q') expect(k.lanes.inputs).toEqual([r.kpar]);
        if (k.lanes.output > 1) kinds.add(k.kernel);
      }
    }
    for (const k of ['embedding_q', 'norm_q', 'norm_q_nobeta', 'gate_q', 'swiglu_q', 'add_q', 'add_q_const', 'rope_q', 'linear_q', 'attention_q']) expect(kinds, k).toContain(k);
  });

  it('streams carry vec<elem, lanes> beats, FIFOs as deep in beats as the RTL\'s, and a regear wherever the RTL has a gearbox', () => {
    for (const m of models) {
      const hls = manifestOf(dirs[m.name].vitis), rtl = manifestOf(dirs[m.name].rtl).rtl!;
      const top = fs.readFileSync(path.join(dirs[m.name].vitis, 'src', 'top.cpp'), 'utf8');
      for (const f of rtl.fifos) {
        const s = hls.streams.find((x) => x.name === f.stream)!;
        expect(s, f.stream).toBeDefined();
        expect({ beats: s.beats, width: s.lanes * 16 }).toEqual({ beats: f.depth, width: f.width });
        expect(s.beats).toBe(Math.max(2, Math.ceil(s.depth / s.lanes)));
        expect(top).toContain(`  llm2hls::stream<llm2hls::vec<act_type, ${s.lanes}> > ${s.name};`);
        expect(top).toContain(`#pragma HLS STREAM variable=${s.name} depth=${s.beats}\n`);
        expect(top).toContain(`  ${s.name}.configure("${s.name}", ${s.beats});`);
      }
      const regears = [...top.matchAll(/^  llm2hls::regear<\w+, \d+, \d+, (\d+), (\d+)>\(/gm)].map((x) => `${x[1]}>${x[2]}`).sort();
      expect(regears).toEqual(rtl.gearboxes.map((g) => `${g.from}>${g.to}`).sort());
      expect(regears.length).toBeGreaterThan(0);
    }
  });

  it('vitis: each element and row kernel pipelines its beat loop at II=1 and unrolls its lanes by CFG::par', async () => {
    const pp = await preprocess(dirs.llama_mini.vitis, 'vitis');
    const fn = bodies(pp);
    const unrolled = ['gate_q', 'swiglu_q', 'add_q', 'add_q_const', 'norm_q_impl', 'rope_q', 'embedding_q', 'gelu', 'silu', 'swiglu', 'add', 'add_const', 'layernorm_impl', 'rmsnorm', 'rope', 'embedding'];
    for (const k of unrolled) {
      const body = fn.get(k);
      expect(body, k).toBeDefined();
      expect(body!, k).toMatch(/^#pragma HLS PIPELINE II=1$/m);
      expect(body!, k).toMatch(/^#pragma HLS UNROLL factor=CFG::par$/m);
      // The lane loop sits inside the pipelined beat loop.
      expect(body!.indexOf('#pragma HLS UNROLL factor=CFG::par'), k).toBeGreaterThan(body!.indexOf('#pragma HLS PIPELINE II=1'));
    }
    for (const k of ['norm_q_impl', 'rope_q', 'layernorm_impl', 'rmsnorm', 'rope']) expect(fn.get(k)!, k).toMatch(/^#pragma HLS ARRAY_PARTITION variable=x type=cyclic factor=CFG::par dim=1$/m);
    expect(fn.get('norm_q_impl')!).toMatch(/^#pragma HLS ARRAY_PARTITION variable=c type=cyclic factor=CFG::par dim=1$/m);
    // Linear takes UK-lane beats in and writes one UN-lane beat per group of outputs.
    expect(fn.get('linear_q_core')!).toMatch(/^#pragma HLS UNROLL factor=CFG::kpar$/m);
    // Attention, the adapters and the row helpers move beats of their lanes.
    for (const k of ['read_row', 'write_row', 'append_row']) expect(fn.get(k)!, k).toMatch(/^#pragma HLS UNROLL factor=L$/m);
    expect(fn.get('regear')!).toMatch(/^#pragma HLS ARRAY_PARTITION variable=buf type=complete dim=1$/m);
    expect(fs.readFileSync(path.join(dirs.llama_mini.vitis, 'src', 'llm2hls_types.h'), 'utf8')).toContain('#include <hls_vector.h>');
    const forms = [
      /^#pragma HLS PIPELINE II=\S+$/, /^#pragma HLS UNROLL factor=\S+$/, /^#pragma HLS ARRAY_PARTITION variable=\w+ type=cyclic factor=\S+ dim=\d$/,
      /^#pragma HLS ARRAY_PARTITION variable=\w+ type=complete dim=1$/,
      /^#pragma HLS BIND_STORAGE variable=\w+ type=ram_2p impl=(lutram|bram|uram)$/, /^#pragma HLS STREAM variable=\w+ depth=\d+$/,
      /^#pragma HLS INTERFACE mode=(axis|s_axilite) port=\w+$/, /^#pragma HLS INTERFACE mode=m_axi port=\w+ offset=slave bundle=\w+ depth=\d+$/,
      /^#pragma HLS DATAFLOW$/,
    ];
    for (const line of pp.split('\n').filter((l) => l.startsWith('#pragma'))) expect(forms.some((f) => f.test(line)), line).toBe(true);
  });

  it('bambu: the same lane loops unrolled with clang\'s #pragma unroll (CFG::par), each right before its loop', async () => {
    const pp = await preprocess(dirs.llama_mini.bambu, 'bambu');
    const fn = bodies(pp);
    for (const k of ['gate_q', 'swiglu_q', 'add_q', 'add_q_const', 'norm_q_impl', 'rope_q', 'embedding_q', 'gelu', 'silu', 'swiglu', 'add', 'add_const', 'layernorm_impl', 'rmsnorm', 'rope', 'embedding']) {
      expect(fn.get(k)!, k).toMatch(/^#pragma unroll \(CFG::par\)$/m);
    }
    expect(pp).not.toMatch(/ARRAY_PARTITION|BIND_STORAGE|HLS UNROLL|HLS PIPELINE II/);
    const lines = pp.split('\n');
    lines.forEach((l, i) => {
      if (l.startsWith('#pragma unroll')) expect(lines.slice(i + 1).find((n) => n.trim() !== '')!.trim(), `after line ${i}`).toMatch(/^for \(/);
    });
    expect(pp).toMatch(/template <class T, int N> struct vec \{/);
  });

  it('llama_mini (RoPE, RMSNorm, SwiGLU, GQA): w8a16 csim bit-exact with the lanes, fp32 within 1e-3 of ONNX Runtime', async () => {
    const sim = await simulate(dirs.llama_mini.vitis, { inputs: LLAMA_DATA, out: path.join(work, 'out-llama'), extraCxxFlags: '-Werror' });
    expect(sim.bitExact).toBe(true);
    const f = await simulate(dirs.llama_mini.fp32, { inputs: LLAMA_DATA, out: path.join(work, 'out-llama-fp32'), extraCxxFlags: '-Werror' });
    const ort = await runOrt(LLAMA, readTensorDir(LLAMA_DATA).map((t) => t.tensor));
    f.outputs.forEach((o, i) => expect(relativeError(readTensorFile(o.file).tensor.data, ort[i].data)).toBeLessThan(1e-3));
  }, 120_000);
});
