/**
 * The kernel an XRT host calls, its v++ link connectivity, and the host
 * program (Vitis projects only).
 *
 * The top function streams token ids in and logits out (AXI-Stream ports),
 * which a host cannot reach: XRT moves data through memory buffers. The
 * project therefore gets a wrapper kernel `<top>_xrt` (src/xrt_kernel.cpp)
 * with the top's arguments, except that each streamed input and output is a
 * memory-mapped pointer (m_axi, address in s_axilite): inside one DATAFLOW
 * region an mm2s process reads each input buffer into a stream, the top
 * runs unchanged, and an s2mm process writes each output stream to its
 * buffer. Weights and KV caches pass straight through to the top. The top's
 * signature, the testbench and csim are untouched; docs/backend-hls.md
 * ("XRT") says why this form and not separate data-mover kernels.
 *
 * Memory ports: `sp=<cu>.m_axi_<bundle>:<tag>` (UG1393 "Mapping Kernel Ports
 * to Memory"), where the tag is the platform's own name for a memory
 * resource. Alveo platforms name banks `DDR[n]`, `HBM[n]`, `PLRAM[n]` (the
 * placement as llm2hls writes it); embedded platforms name AXI ports, listed
 * in the device file's `vitisSpTags` (with its source), over which the
 * bundles are spread round-robin.
 */
import { Device } from '../compiler/devices/index.js';
import { Precision } from '../compiler/numerics/precision.js';
import { Dialect, PortPragmaInput } from './dialect.js';
import { EmitResult, TopArg } from './emit.js';
import { NameTable } from './sanitize.js';

/** The m_axi bundle of the token-id and logit buffers. */
export const IO_BUNDLE = 'iomem';

/** The platform's memory tag for the index-th m_axi bundle placed at `placement` (e.g. "HBM[3]"). */
export function spTag(placement: string, index: number, device: Pick<Device, 'vitisSpTags'>): string {
  const tags = device.vitisSpTags;
  return tags && tags.length ? tags[index % tags.length] : placement;
}

/** The host-side C type of one KV cache element: ap_int<A> takes A bits rounded up to whole power-of-two bytes. */
export function cacheMemType(precision: Precision): string {
  if (precision.float) return 'float';
  const bytes = Math.max(1, 2 ** Math.ceil(Math.log2(Math.ceil(precision.activationBits / 8))));
  return `int${bytes * 8}_t`;
}

/** One kernel argument as the host program sets it up. */
interface HostArg {
  index: number; bo: string; isInput: boolean; isOutput: boolean; isWeight: boolean; isCache: boolean;
  /** The pointer type the board-less build casts its buffer to. */
  simCast: string;
  raw?: string; count?: number; file?: string; bytes?: number; bundle?: string; offset?: number;
}

/** A past_k/past_v input and a present_k/present_v output as emit.ts describes them for the testbench. */
interface PastInput { file: string; count: number; heads: number; past: number; width: number; cacheLen: number; cache: string; raw: string }
interface PresentOutput { file: string; size: number; cache: string; raw: string }

const rawC = (raw: 'int32' | 'float32') => (raw === 'int32' ? 'int32_t' : 'float');

export interface XrtOptions {
  dialect: Dialect;
  device: Device;
  precision: Precision;
  /** The emitter's memory banks: bundle -> placement ("HBM[2]"). */
  banks: { bundle: string; bank: string }[];
  /** Where the token-id and logit buffers live (the first weight bank, or DDR[0]/HBM[0]). */
  ioPlacement: string;
}

/** The template context of src/xrt_kernel.cpp, src/host.cpp, connectivity.cfg and the Makefile's XRT block. */
export function xrtContext(emit: EmitResult, options: XrtOptions): Record<string, unknown> {
  const kernel = `${emit.top}_xrt`;
  const names = new NameTable();
  for (const a of emit.topArgs) names.claim(a.name);
  const memName = new Map<string, string>();
  for (const a of emit.topArgs) if (a.kind === 'stream_in' || a.kind === 'stream_out') memName.set(a.name, names.get(`${a.name}_mem`));

  // ---- the wrapper kernel -------------------------------------------------------
  const params: string[] = [];
  const ports: PortPragmaInput[] = [];
  const movers: { code: string }[] = [];
  const sinks: { code: string }[] = [];
  const streams: { name: string; elem: string; pragmas: string[] }[] = [];
  for (const a of emit.topArgs) {
    const mem = memName.get(a.name);
    if (a.kind === 'stream_in') {
      params.push(`const ${rawC(a.raw)} *${mem}`);
      ports.push({ port: mem!, kind: 'm_axi', bundle: IO_BUNDLE, depth: a.count });
      streams.push({ name: a.name, elem: a.elem, pragmas: options.dialect.streamDepth(a.name, 2) });
      movers.push({ code: `llm2hls_xrt::mm2s<${rawC(a.raw)}, ${a.elem}, ${a.count}>(${mem}, ${a.name});` });
    } else if (a.kind === 'stream_out') {
      params.push(`${rawC(a.raw)} *${mem}`);
      ports.push({ port: mem!, kind: 'm_axi', bundle: IO_BUNDLE, depth: a.count });
      streams.push({ name: a.name, elem: a.elem, pragmas: options.dialect.streamDepth(a.name, 2) });
      sinks.push({ code: `llm2hls_xrt::s2mm<${a.elem}, ${rawC(a.raw)}, ${a.count}>(${a.name}, ${mem});` });
    } else if (a.kind === 'weight') {
      params.push(`const ${a.elem} *${a.name}`);
      ports.push({ port: a.name, kind: 'm_axi', bundle: a.bundle, depth: a.count });
    } else {
      params.push(`${a.elem} *${a.name}`);
      ports.push({ port: a.name, kind: 'm_axi', bundle: a.bundle, depth: a.count });
    }
  }

  // ---- connectivity: one compute unit, each m_axi bundle on a platform memory ----------
  const placements = [...options.banks];
  if (!placements.some((b) => b.bundle === IO_BUNDLE)) placements.push({ bundle: IO_BUNDLE, bank: options.ioPlacement });
  const sp = placements.map((b, i) => ({ bundle: b.bundle, tag: spTag(b.bank, i, options.device) }));

  // ---- the host program --------------------------------------------------------------
  const cacheType = cacheMemType(options.precision);
  const bo = (name: string) => `bo_${name}`;
  const firstArg = new Map<string, number>();
  emit.topArgs.forEach((a, i) => { if (a.kind === 'weight' && !firstArg.has(a.bundle)) firstArg.set(a.bundle, i); });
  const bundles = emit.bundles.map((b) => ({ name: `bundle_${b.name}`, file: b.file, bytes: b.bytes, group: firstArg.get(b.name) ?? 0 }));
  const args = emit.topArgs.map((a: TopArg, index): HostArg => {
    const common = { index, bo: bo(a.name), isInput: false, isOutput: false, isWeight: false, isCache: false };
    if (a.kind === 'stream_in' || a.kind === 'stream_out') {
      return { ...common, isInput: a.kind === 'stream_in', isOutput: a.kind === 'stream_out', raw: rawC(a.raw), count: a.count, file: a.file, bytes: a.count * 4, simCast: `${a.kind === 'stream_in' ? 'const ' : ''}${rawC(a.raw)} *` };
    }
    if (a.kind === 'weight') return { ...common, isWeight: true, bundle: `bundle_${a.bundle}`, offset: a.offset, bytes: a.bytes, simCast: `const ${a.elem} *` };
    return { ...common, isCache: true, count: a.count, simCast: `${a.elem} *` };
  });
  // The testbench's view of the KV caches (emit.ts): past rows in, whole caches out.
  const { pastInputs, presentOutputs } = emit.context as { pastInputs: PastInput[]; presentOutputs: PresentOutput[] };
  const outputs = [
    ...args.filter((a) => a.isOutput).map((a) => ({ file: a.file!, count: a.count!, raw: a.raw!, bo: a.bo, cache: false })),
    ...presentOutputs.map((p) => ({ file: p.file, count: p.size, raw: p.raw, bo: bo(p.cache), cache: true })),
  ];

  return {
    xrtKernel: kernel,
    xrtSignature: params.join(', '),
    xrtPragmas: options.dialect.insideTop(ports).map((l) => `  ${l}`),
    xrtStreams: streams.map((s) => ({ ...s, pragmas: s.pragmas.map((p) => `  ${p}`) })),
    xrtMovers: movers,
    xrtSinks: sinks,
    xrtTopCall: `${emit.top}(${emit.topArgs.map((a) => a.name).join(', ')});`,
    xrtSp: sp,
    xrtHost: {
      cacheType,
      bundles,
      args,
      pastInputs: pastInputs.map((p) => ({ ...p, bo: bo(p.cache) })),
      outputs,
      simCall: `${kernel}(${args.map((a) => `static_cast<${a.simCast}>(args[${a.index}])`).join(', ')});`,
      argCount: args.length,
    },
  };
}
