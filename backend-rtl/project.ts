/**
 * The files of a `--target rtl` project: the generated top (rtl/<top>.v), the
 * kernel library it instantiates (rtl/lib/), ROM images and lookup tables
 * (rtl/mem/), the Verilator harness (sim/harness.cpp), the cocotb testbench
 * (sim/cocotb_*.py), the Yosys resource report's script and counter (yosys/),
 * Makefile and README.
 * The planned design is the one the HLS backend renders as C++
 * (EmitResult.design); only the Verilog is made here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../compiler/errors.js';
import { Precision } from '../compiler/numerics/precision.js';
import type { EmitResult } from '../backend-hls/emit.js';
import { Instance, MEM_DIR, kernelInstance } from './kernels.js';
import { tableImages } from './tables.js';
import { RtlTop, TopPort, renderTop } from './top.js';
import { CELL_RULES, yosysFamily, yosysScript } from './yosys.js';
import type { Device, DeviceResources } from '../compiler/devices/index.js';

/** templates/project-rtl's Python files copied into sim/: make cocotb and sim --mode cocotb run cocotb_design.py. */
export const COCOTB_FILES = ['cocotb_design.py', 'cocotb_run.py', 'cocotb_tb.py'];

/** Token ids travel as 32-bit lanes (the raw files' int32). */
export const ID_BITS = 32;

export interface RtlProject {
  top: RtlTop;
  instances: Instance[];
  /** Files by project-relative path. */
  files: Record<string, string>;
  /** The cycle bound every simulation of this project gets (from the estimate). */
  maxCycles: number;
  idleLimit: number;
  /** `llm2hls estimate`'s latency.cycles of the design (0 when the planner could not plan it). */
  estimateCycles: number;
}

/** Every simulation ends: four times the estimated pass plus a margin for fill, then exit 5. */
export function cycleBound(estimateCycles: number): { maxCycles: number; idleLimit: number } {
  const est = Math.max(1, Math.ceil(estimateCycles));
  return { maxCycles: 4 * est + 10_000, idleLimit: 2 * est + 5_000 };
}

function dataCode(p: TopPort, dir: 'set' | 'get'): string {
  const width = p.lanes * p.bits, d = `d->${p.name}_data`;
  const words = Math.ceil(width / 32);
  if (dir === 'set') {
    if (width <= 32) return `${d} = b[0];`;
    if (width <= 64) return `${d} = (uint64_t(b[1]) << 32) | b[0];`;
    return `for (int k = 0; k < ${words}; k++) ${d}[k] = b[k];`;
  }
  if (width <= 32) return `r[0] = ${d};`;
  if (width <= 64) return `r[0] = uint32_t(${d}); r[1] = uint32_t(uint64_t(${d}) >> 32);`;
  return `for (int k = 0; k < ${words}; k++) r[k] = ${d}[k];`;
}

export function rtlProject(emit: EmitResult, o: {
  precision: Precision; estimateCycles: number; version: string; libDir: string;
  render: (template: string, ctx: object) => string; context: Record<string, unknown>;
  /** The device (for the Yosys family) and the planner's resource estimate (for the README). */
  device: Device; estimate?: { resources: DeviceResources; available: DeviceResources };
}): RtlProject {
  if (o.precision.float) throw new UserError(`--target rtl: the Verilog kernels are fixed point; use --precision w8a16, w8a8 or w4a16 (fp32 has no RTL kernels)`, 4);
  const ctx = { precision: o.precision, A: o.precision.activationBits, idBits: ID_BITS };
  const instances = emit.design.tasks.map((t) => kernelInstance(t, ctx));
  // One design, two renderers: the Verilog ports take the lanes the C++ kernels' beats carry.
  emit.design.tasks.forEach((t, i) => {
    const inst = instances[i], ins = inst.inputs.map((p) => p.lanes), out = inst.output?.lanes ?? t.lanes.output;
    if (ins.join() !== t.lanes.inputs.join() || out !== t.lanes.output) {
      throw new Error(`task ${t.id}: the RTL module takes lanes ${ins.join('/')} -> ${out}, the design's stream lanes are ${t.lanes.inputs.join('/')} -> ${t.lanes.output}`);
    }
  });
  const top = renderTop(emit, instances, { A: ctx.A, idBits: ID_BITS });
  const { maxCycles, idleLimit } = cycleBound(o.estimateCycles);
  const files: Record<string, string> = {};
  files[`rtl/${top.module}.v`] = top.verilog;
  for (const f of fs.readdirSync(o.libDir).filter((f) => f.endsWith('.v')).sort()) files[`rtl/lib/${f}`] = fs.readFileSync(path.join(o.libDir, f), 'utf8');
  for (const inst of instances) for (const [name, text] of Object.entries(inst.roms)) files[`rtl/${MEM_DIR}/${name}`] = text;
  for (const [name, text] of Object.entries(tableImages())) files[`rtl/${MEM_DIR}/${name}`] = text;
  // make yosys runs in rtl/ (ROM names are relative to it): sources as the Makefile's SOURCES, stats into build/yosys.
  const yt = yosysFamily(o.device);
  const libFiles = Object.keys(files).filter((f) => f.startsWith('rtl/lib/')).map((f) => f.slice(4));
  for (const flow of ['full', 'dsp-bram'] as const) {
    files[flow === 'full' ? 'yosys/synth.ys' : 'yosys/dsp-bram.ys'] = yosysScript({
      files: [`${top.module}.v`, ...libFiles], top: top.module, family: yt.family, uram: yt.uram, familyNote: yt.familyNote,
      statFile: '../build/yosys/stat.json', flow,
    });
  }
  const resourceRows = o.estimate ? (['dsp', 'bram18k', 'uram', 'lut', 'ff'] as const).map((k) => ({
    name: { dsp: 'DSP', bram18k: 'BRAM18K', uram: 'URAM', lut: 'LUT', ff: 'FF' }[k], key: k,
    estimate: o.estimate!.resources[k], available: o.estimate!.available[k],
  })) : [];
  const hctx = {
    ...o.context,
    yosysFamily: yt.family, yosysFamilyNote: yt.familyNote ?? '', resourceRows,
    module: top.module, version: o.version, idleLimit, maxCycles, estimateCycles: o.estimateCycles,
    inputs: top.inputs.map((p) => ({ ...p, setData: dataCode(p, 'set') })),
    outputs: top.outputs.map((p) => ({ ...p, getData: dataCode(p, 'get') })),
    fifos: top.fifos, kernelsRtl: top.kernels, gearboxes: top.gearboxes,
    roms: Object.keys(files).filter((f) => f.startsWith(`rtl/${MEM_DIR}/`)).map((f) => f.slice('rtl/'.length)),
  };
  files['sim/harness.cpp'] = o.render('project-rtl/harness.cpp.hbs', hctx);
  // The cocotb testbench, as is (it reads manifest.json at run time): make cocotb needs nothing of llm2hls.
  const projectTemplates = path.join(o.libDir, '..', 'project-rtl');
  for (const f of COCOTB_FILES) files[`sim/${f}`] = fs.readFileSync(path.join(projectTemplates, f), 'utf8');
  // The Verilator build's precompiled-header rule (the Makefile's $(SIM)).
  files['sim/verilator_pch.mk'] = fs.readFileSync(path.join(o.libDir, '..', 'project-rtl', 'verilator_pch.mk'), 'utf8');
  files.Makefile = o.render('project-rtl/Makefile.hbs', hctx);
  files['README.md'] = o.render('project-rtl/README.md.hbs', hctx);
  files['yosys/count.py'] = o.render('project-rtl/yosys_count.py.hbs', {
    ...hctx, rules: JSON.stringify(CELL_RULES), family: JSON.stringify(yt.family), familyNote: JSON.stringify(yt.familyNote ?? null),
    estimate: JSON.stringify(o.estimate?.resources ?? null),
  });
  return { top, instances, files, maxCycles, idleLimit, estimateCycles: o.estimateCycles };
}
