/**
 * The kernel an XRT host calls (src/xrt_kernel.cpp), its v++ connectivity and the
 * host program (src/host.cpp): `make host` compiles and links against XRT's native
 * API (Debian's libxrt-dev); `make host-sim` runs the same host program without a
 * board, over host memory with the kernel linked in, and must reproduce csim's
 * outputs byte for byte (the buffers, sub-buffer offsets, KV cache layout and the
 * mm2s/s2mm movers around the unchanged top).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../backend-hls/compile.js';
import { cacheMemType, spTag } from '../../backend-hls/xrt-host.js';
import { precisionByName } from '../../compiler/numerics/precision.js';
import { simulate } from '../../runtime/csim.js';
import { Tensor } from '../../compiler/tensor.js';
import { writeTensorPb } from '../../frontend/tensor-files.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { FORBIDDEN_FRAGMENTS, buildWeirdModel } from './weird-model.js';

const F = path.join(ROOT, 'test', 'fixtures', 'exported');
let work: string;
beforeAll(() => { work = tempDir('llm2hls-xrt-'); });
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
const make = (dir: string, ...args: string[]) => execa('make', ['--no-print-directory', ...args], { cwd: dir, reject: false, all: true });
/** The connectivity lines that are not comments. */
const cfgLines = (dir: string) => read(dir, 'connectivity.cfg').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
/** The m_axi bundles the kernel's INTERFACE pragmas declare. */
const kernelBundles = (dir: string) => [...new Set([...read(dir, 'src/xrt_kernel.cpp').matchAll(/mode=m_axi port=\w+ offset=slave bundle=(\w+)/g)].map((m) => m[1]))];

/** Compiles, runs csim (writing csim/sim-inputs and csim/out), then the board-less host program on the same inputs; returns the project. */
async function hostSim(name: string, model: string, inputs: string, options: Parameters<typeof compileModel>[2]) {
  const dir = path.join(work, name);
  await compileModel(model, dir, options);
  await simulate(dir, { inputs, out: path.join(work, `${name}-out`), extraCxxFlags: '-Werror' });
  const r = await make(dir, 'host-sim', 'CSIM_IN=csim/sim-inputs', 'EXTRA_CXXFLAGS=-Werror');
  expect(r.exitCode, r.all).toBe(0);
  expect(r.all).not.toMatch(/warning/i);
  const outputs = fs.readdirSync(path.join(dir, 'csim', 'out')).filter((f) => /^output_\d+\.bin$/.test(f)).sort();
  expect(outputs.length).toBeGreaterThan(0);
  for (const f of outputs) {
    expect(r.all).toContain(`host: ${f}: `);
    expect(fs.readFileSync(path.join(dir, 'xrt', 'out', f)).equals(fs.readFileSync(path.join(dir, 'csim', 'out', f))), f).toBe(true);
  }
  return { dir, log: String(r.all) };
}

describe('XRT host program', () => {
  it('gpt2_mini w8a16 on the U55C: one wrapper kernel, HBM connectivity, make host links against XRT', async () => {
    const { dir, log } = await hostSim('u55c', path.join(F, 'gpt2_mini.onnx'), path.join(F, 'gpt2_mini_data'), { target: 'vitis', precision: 'w8a16', device: 'u55c' });
    expect(log).toMatch(/host: output_0\.bin: 1024 values match csim\/out\/output_0\.bin \(max \|diff\| 0\)/);

    // The kernel: token ids in and logits out through m_axi (s_axilite addresses), the top called unchanged.
    const kernel = read(dir, 'src/xrt_kernel.cpp');
    expect(kernel).toMatch(/^extern "C" void torch_jit_xrt\(const int32_t \*in_input_ids_mem, int32_t \*out_logits_mem, /m);
    expect(kernel).toContain('#pragma HLS INTERFACE mode=m_axi port=in_input_ids_mem offset=slave bundle=iomem depth=8');
    expect(kernel).toContain('#pragma HLS INTERFACE mode=s_axilite port=in_input_ids_mem');
    expect(kernel).toContain('#pragma HLS INTERFACE mode=m_axi port=out_logits_mem offset=slave bundle=iomem depth=1024');
    expect(kernel).toMatch(/#pragma HLS DATAFLOW\n/);
    expect(kernel).toContain('llm2hls_xrt::mm2s<int32_t, tok_type, 8>(in_input_ids_mem, in_input_ids);');
    expect(kernel).toMatch(/\n  torch_jit\(in_input_ids, out_logits, w_/);
    expect(kernel).toContain('llm2hls_xrt::s2mm<act_type, int32_t, 1024>(out_logits, out_logits_mem);');
    expect(read(dir, 'src/top.h')).toMatch(/void torch_jit\(llm2hls::stream<tok_type> &in_input_ids, llm2hls::stream<act_type> &out_logits, /);

    // Connectivity: one compute unit of the wrapper, every m_axi bundle on an HBM pseudo channel, no streams to connect.
    const lines = cfgLines(dir);
    expect(lines[0]).toBe('[connectivity]');
    expect(lines[1]).toBe('nk=torch_jit_xrt:1:torch_jit_xrt_1');
    const sp = lines.slice(2);
    expect(sp.every((l) => /^sp=torch_jit_xrt_1\.m_axi_\w+:HBM\[\d+\]$/.test(l)), sp.join('\n')).toBe(true);
    expect(sp.map((l) => /m_axi_(\w+):/.exec(l)![1]).sort()).toEqual(kernelBundles(dir).sort());
    expect(sp).toContain('sp=torch_jit_xrt_1.m_axi_iomem:HBM[0]');
    expect(lines.some((l) => l.startsWith('stream_connect'))).toBe(false);

    // The xo is built from the wrapper, the host program loads that kernel by name.
    const mk = read(dir, 'Makefile');
    expect(mk).toContain('-k $(TOP)_xrt -DLLM2HLS_TARGET_VITIS $(INCLUDES) -o build/$(TOP).xo src/xrt_kernel.cpp src/top.cpp');
    expect(mk).toMatch(/^XRT_KERNEL := torch_jit_xrt$/m);
    expect(mk).toMatch(/^# ---- XRT: [^\n]*\n[\s\S]*^# ---- end of the XRT block/m);
    const host = read(dir, 'src/host.cpp');
    for (const api of ['#include <xrt/xrt_device.h>', '#include <xrt/xrt_kernel.h>', '#include <xrt/xrt_bo.h>', 'device.load_xclbin(xclbin)',
      'xrt::kernel kernel(device, uuid, "torch_jit_xrt");', 'kernel.group_id(0)', 'XCL_BO_SYNC_BO_TO_DEVICE', 'XCL_BO_SYNC_BO_FROM_DEVICE', 'run.start();', 'run.wait();']) {
      expect(host).toContain(api);
    }
    // Weights: one buffer per bundle file, each tensor a sub-buffer at its manifest offset.
    const manifest = JSON.parse(read(dir, 'manifest.json'));
    const gmem0 = manifest.weights.bundles[0];
    expect(host).toContain(`xrt::bo bundle_gmem0(device, ${gmem0.bytes}, kernel.group_id(2));`);
    const second = manifest.weights.tensors.find((t: { offset: number }) => t.offset > 0);
    expect(host).toMatch(new RegExp(`xrt::bo bo_w_\\w+\\(bundle_gmem0, ${second.bytes}, ${second.offset}\\);`));

    // Compiled and linked against XRT's native API (libxrt-dev): warnings are errors.
    const build = await make(dir, 'host', 'EXTRA_CXXFLAGS=-Werror');
    expect(build.exitCode, build.all).toBe(0);
    expect(build.all).toMatch(/-lxrt_coreutil/);
    expect(build.all).not.toMatch(/warning/i);
    const needed = await execa('ldd', [path.join(dir, 'build', 'host')], { reject: false });
    expect(needed.stdout).toMatch(/libxrt_coreutil\.so/);
    // Without a board XRT refuses to open a device: a one-line error and exit status 2, no crash.
    const run = await execa(path.join(dir, 'build', 'host'), ['build/none.xclbin'], { cwd: dir, reject: false, timeout: 30_000 });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^host: /m);
  }, 120_000);

  it('KV caches on the ZCU102: past rows in, present caches out, memory on the HP ports', async () => {
    const { dir } = await hostSim('zcu102', path.join(F, 'gpt2_mini_past.onnx'), path.join(F, 'gpt2_mini_past_data', 'decode'),
      { target: 'vitis', precision: 'w8a16', device: 'zcu102', bindings: { sequence: 1, past_sequence: 5 } });
    const host = read(dir, 'src/host.cpp');
    expect(host).toContain('typedef int16_t cache_t;');
    expect(host).toMatch(/cache\[\(g \* 6 \+ j\) \* 16 \+ d\] = static_cast<cache_t>\(past\[\(g \* 5 \+ j\) \* 16 \+ d\]\);/);
    // Embedded platform: Zynq UltraScale+ HP port tags, spread round-robin, never DDR[n]/HBM[n].
    const sp = cfgLines(dir).slice(2);
    expect(sp).toEqual(['sp=torch_jit_xrt_1.m_axi_gmem0:HP0', 'sp=torch_jit_xrt_1.m_axi_kvmem0:HP1', 'sp=torch_jit_xrt_1.m_axi_iomem:HP2']);
    const build = await make(dir, 'host', 'EXTRA_CXXFLAGS=-Werror');
    expect(build.exitCode, build.all).toBe(0);
  }, 120_000);

  it('fp32 with a hostile model: sanitized names, float buffers, same outputs as csim', async () => {
    const model = path.join(work, 'weird.onnx');
    buildWeirdModel().save(model);
    const data = path.join(work, 'weird-data');
    fs.mkdirSync(data);
    writeTensorPb(path.join(data, 'input_0.pb'), Tensor.from('int64', [1, 5], [3, 0, 23, 7, 7]), 'int');
    const { dir } = await hostSim('weird', model, data, { target: 'vitis', precision: 'fp32', device: 'u280' });
    for (const f of ['src/host.cpp', 'src/xrt_kernel.cpp', 'connectivity.cfg', 'Makefile']) {
      const text = read(dir, f);
      for (const bad of FORBIDDEN_FRAGMENTS) expect(text.includes(bad), `${f} contains ${JSON.stringify(bad)}`).toBe(false);
      expect(/[^\x09\x0a\x20-\x7e]/.test(text), `${f} has non-ASCII characters`).toBe(false);
    }
    expect(read(dir, 'src/host.cpp')).toContain('typedef float cache_t;');
    expect(read(dir, 'src/xrt_kernel.cpp')).toMatch(/s2mm<act_type, float, \d+>/);
  }, 120_000);

  it('Versal and Kria memory tags; Bambu projects get no host program', async () => {
    const model = path.join(F, 'gpt2_mini.onnx');
    const vck = path.join(work, 'vck190');
    await compileModel(model, vck, { target: 'vitis', device: 'vck190' });
    expect(cfgLines(vck).slice(2).every((l) => /^sp=torch_jit_xrt_1\.m_axi_\w+:DDR$/.test(l))).toBe(true);
    const kv = path.join(work, 'kv260');
    await compileModel(model, kv, { target: 'vitis', device: 'kv260' });
    expect(cfgLines(kv).slice(2).map((l) => l.split(':')[1])).toEqual(['HP0', 'HP1', 'HP2']);

    const bambu = path.join(work, 'bambu');
    await compileModel(model, bambu, { target: 'bambu' });
    expect(fs.existsSync(path.join(bambu, 'src', 'host.cpp'))).toBe(false);
    const r = await make(bambu, 'host');
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toMatch(/generated for bambu; the XRT host program comes with --target vitis/);
  }, 60_000);

  it('memory tags and KV element types follow the platform and the activation width', () => {
    expect(spTag('HBM[7]', 3, {})).toBe('HBM[7]');
    expect(spTag('DDR[1]', 0, { vitisSpTags: [] })).toBe('DDR[1]');
    expect([0, 1, 2, 3, 4].map((i) => spTag('DDR[0]', i, { vitisSpTags: ['HP0', 'HP1', 'HP2', 'HP3'] }))).toEqual(['HP0', 'HP1', 'HP2', 'HP3', 'HP0']);
    expect(cacheMemType(precisionByName('fp32'))).toBe('float');
    expect(cacheMemType(precisionByName('w8a16'))).toBe('int16_t');
    expect(cacheMemType(precisionByName('w8a8'))).toBe('int8_t');
  });
});
