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
  for (const h of ['ap_int.h', 'ap_fixed.h', 'hls_stream.h', 'hls_math.h', 'ac_int.h', 'ac_fixed.h', 'ac_channel.h']) fs.writeFileSync(path.join(stubs, h), '');
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
