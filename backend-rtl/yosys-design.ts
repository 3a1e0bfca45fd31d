/**
 * Yosys resources of a whole generated design, kernel by kernel: a flattened
 * synth_xilinx of a full design does not finish in 20 minutes here, so each
 * distinct kernel shape (library module + its numeric parameters) is
 * synthesized once, out of context, and its cells are multiplied by the
 * number of instances of that shape. Instances that differ only in their ROM
 * files share one run (the first instance's ROMs): DSP and block-RAM
 * inference depend on the shape, not on the weights; LUTs of a LUT-mapped ROM
 * do depend on its contents, so LUTs are those of the representative ROMs.
 * The top module's own glue (handshake wires, simulation counters) is not
 * synthesized. docs/yosys.md, "Whole designs".
 */
import fs from 'node:fs';
import path from 'node:path';
import { Device, DeviceResources } from '../compiler/devices/index.js';
import { DEFAULT_DEVICE } from '../compiler/devices/index.js';
import { YosysFlow, YosysParams, countResources, runYosys, yosysFamily } from './yosys.js';

export interface KernelInstance {
  module: string;
  name: string;
  params: YosysParams;
}

// `  llm2hls_linear #(.IN_DIM(16), ..., .W_FILE("mem/w.hex")) u_name (` — the
// one form backend-rtl emits for a library instance.
const INSTANCE = /^\s*(llm2hls_\w+)\s*#\((.*?)\)\s+(\w+)\s*\(/gm;
const PARAM = /\.(\w+)\(\s*("[^"]*"|64'd\d+|-?\d+)\s*\)/g;

/** The library instances of a generated top module's Verilog. */
export function kernelInstances(verilog: string): KernelInstance[] {
  return [...verilog.matchAll(INSTANCE)].map(([, module, plist, name]) => {
    const params: YosysParams = {};
    for (const [, k, v] of plist.matchAll(PARAM)) {
      params[k] = v.startsWith('"') ? v.slice(1, -1) : v.startsWith("64'd") ? BigInt(v.slice(4)) : Number(v);
    }
    return { module, name, params };
  });
}

export interface KernelShape extends KernelInstance {
  /** Instances of this shape. */
  count: number;
  /** The instance names. */
  instances: string[];
}

/** A shape's identity: module and non-string parameters (string ones are ROM file names). */
export function shapeKey(inst: KernelInstance): string {
  const numeric = Object.keys(inst.params).sort().filter((k) => typeof inst.params[k] !== 'string')
    .map((k) => `${k}=${String(inst.params[k])}`);
  return `${inst.module}#${numeric.join(',')}`;
}

/** Instances grouped by module and non-string parameters (string ones are ROM file names). */
export function kernelShapes(instances: KernelInstance[]): KernelShape[] {
  const shapes = new Map<string, KernelShape>();
  for (const inst of instances) {
    const key = shapeKey(inst);
    const s = shapes.get(key);
    if (s) { s.count++; s.instances.push(inst.name); } else shapes.set(key, { ...inst, count: 1, instances: [inst.name] });
  }
  return [...shapes.values()];
}

export interface KernelReport extends DeviceResources {
  module: string;
  params: YosysParams;
  count: number;
  /** Per instance. */
  cells: Record<string, number>;
  seconds: number;
  /** Taken from RunYosysDesignOptions.cache (another design had this shape). */
  cached?: boolean;
  /** Set when this shape's run failed or ran out of time: then it is left out of the totals. */
  error?: string;
}

export interface DesignReport extends DeviceResources {
  lutAsMemory: number;
  cells: Record<string, number>;
  kernels: KernelReport[];
  /** Shapes whose run failed (their error in `kernels`): the totals are a lower bound. */
  incomplete: number;
  /** Sum of the runs' wall times (runs overlap with concurrency > 1). */
  seconds: number;
}

export interface RunYosysDesignOptions {
  /** A `--target rtl` project folder (rtl/<top>.v, rtl/lib/*.v, ROMs under rtl/). */
  project: string;
  device?: string | Device;
  /** Parallel Yosys runs, default 2. */
  concurrency?: number;
  /** Per kernel run, default 600 s. */
  timeoutSeconds?: number;
  yosys?: string;
  /** 'dsp-bram' stops before LUT mapping (yosys.ts): much faster, no LUT/FF counts. */
  flow?: YosysFlow;
  /**
   * Results kept across designs (several projects share kernel shapes), keyed by
   * shape, family and flow. DSP and block-RAM inference depend on the shape only;
   * LUTs of a ROM depend on its contents, so share a cache only for 'dsp-bram'.
   */
  cache?: Map<string, KernelReport>;
  /** Called as each kernel shape finishes. */
  onKernel?: (k: KernelReport) => void;
}

/** Design resources as the sum over kernel shapes of (one synthesis × instances). */
export async function runYosysDesign(o: RunYosysDesignOptions): Promise<DesignReport> {
  const rtl = path.join(o.project, 'rtl');
  const tops = fs.readdirSync(rtl).filter((f) => f.endsWith('.v'));
  if (tops.length !== 1) throw new Error(`yosys design: expected one top module in ${rtl}, found ${tops.length}`);
  const lib = fs.readdirSync(path.join(rtl, 'lib')).filter((f) => f.endsWith('.v')).sort().map((f) => path.join(rtl, 'lib', f));
  const shapes = kernelShapes(kernelInstances(fs.readFileSync(path.join(rtl, tops[0]), 'utf8')));
  const kernels: KernelReport[] = new Array(shapes.length);
  let next = 0;
  const worker = async () => {
    while (next < shapes.length) {
      const i = next++;
      const s = shapes[i];
      const t0 = performance.now();
      const key = `${shapeKey(s)}@${yosysFamily(o.device ?? DEFAULT_DEVICE).family}/${o.flow ?? 'full'}`;
      const known = o.cache?.get(key);
      if (known && !known.error) {
        kernels[i] = { ...known, count: s.count, seconds: 0, cached: true };
        o.onKernel?.(kernels[i]);
        continue;
      }
      try {
        const r = await runYosys({ files: lib, top: s.module, params: s.params, romDir: rtl, device: o.device,
          timeoutSeconds: o.timeoutSeconds, yosys: o.yosys, flow: o.flow });
        kernels[i] = { module: s.module, params: s.params, count: s.count, dsp: r.dsp, bram18k: r.bram18k, uram: r.uram,
          lut: r.lut, ff: r.ff, cells: r.cells, seconds: r.seconds };
      } catch (e) {
        // One slow shape (the attention kernel) should not lose the others' counts.
        kernels[i] = { module: s.module, params: s.params, count: s.count, dsp: 0, bram18k: 0, uram: 0, lut: 0, ff: 0, cells: {},
          seconds: Math.round((performance.now() - t0) / 10) / 100, error: (e as Error).message };
      }
      o.cache?.set(key, kernels[i]);
      o.onKernel?.(kernels[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 2) }, worker));
  const cells: Record<string, number> = {};
  for (const k of kernels) for (const [t, n] of Object.entries(k.cells)) cells[t] = (cells[t] ?? 0) + n * k.count;
  const sorted = Object.fromEntries(Object.keys(cells).sort().map((t) => [t, cells[t]]));
  const counts = countResources(sorted);
  if (o.flow === 'dsp-bram') Object.assign(counts, { lut: NaN, ff: NaN, lutAsMemory: NaN });
  return { ...counts, cells: sorted, kernels, incomplete: kernels.filter((k) => k.error).length, seconds: kernels.reduce((a, k) => a + k.seconds, 0) };
}
