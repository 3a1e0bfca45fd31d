/**
 * Per-kernel latency and resource model: cycles per token, pipeline depth,
 * initiation interval, DSP, BRAM18K, URAM, LUT, FF, and external-memory
 * traffic of one task under a plan (lanes uk x un, token tile tt).
 *
 * The model, in brief (cycles at the design clock; every loop pipelined):
 *  - linear: uk x un multiply-accumulate lanes; a token takes ceil(K/uk)*ceil(N/un)*II
 *    cycles; fp32: DSPs = lanes / (MACs per DSP); integer presets: one DSP a MAC plus
 *    each output lane's requantization (dsp-count.ts, as Yosys maps the RTL);
 *  - attention: QK, softmax and PV engines of uk x un lanes (uk <= D over the head dim,
 *    un over keys), each on its own head (llm2hls_attention); query t sees n_t keys
 *    (causal: P+S-T+t+1), so a token takes H*max(ceil(D/uk)*NB, NB+1) cycles,
 *    NB = ceil(n_t/un) (softmax's NB+1 sets the pace when uk = D);
 *  - norms, activations, RoPE, Add, Embedding, reorder: un lanes over channels,
 *    ceil(C/un) cycles per token;
 *  - on-chip memories are banked for bandwidth: a memory read `w` bits per cycle
 *    needs max(ceil(bits/18Kb), ceil(w/72)) BRAM18K (two 36-bit ports) or
 *    max(ceil(bits/288Kb), ceil(w/144)) URAM, whichever is the smaller share of
 *    the device; memories up to 16 Kbit go to LUTRAM;
 *  - an external memory sweep of a weight or KV cache happens once per token
 *    tile: bytes/pass = size * ceil(T/tt); its time is bounded by the bandwidth of
 *    the channels it is bound to, shared with everything else on them.
 * Cycle figures are those of the RTL kernels (templates/rtl/, docs/backend-rtl.md); a
 * pass's latency is the beat-level schedule of timing.ts, checked against the Verilator
 * simulation by scripts/rtl-vs-estimate.mjs. Resource constants are first-order figures
 * for UltraScale+/Versal at 250-300 MHz.
 */
import { Device } from '../devices/index.js';
import { Precision } from '../numerics/precision.js';
import { integerKernelDsp } from './dsp-count.js';
import { Memory, Plan, Task, bytesOf } from './ir.js';

export interface Resources { dsp: number; bram18k: number; uram: number; lut: number; ff: number }
export const ZERO: Resources = { dsp: 0, bram18k: 0, uram: 0, lut: 0, ff: 0 };
export function addRes(a: Resources, b: Resources): Resources {
  return { dsp: a.dsp + b.dsp, bram18k: a.bram18k + b.bram18k, uram: a.uram + b.uram, lut: a.lut + b.lut, ff: a.ff + b.ff };
}

export interface CostContext {
  device: Device;
  precision: Precision;
  clockMHz: number;
  mems: Map<string, Memory>;
  /** Bytes per cycle available to a task's external memories (its channels' share); Infinity if none. */
  bandwidthOf?: (task: Task) => number;
}

const BRAM_BITS = 18432;
const URAM_BITS = 294912;
const LUTRAM_LIMIT = 16384;
/** Cycles from issuing an external read to its data (HBM/DDR through AXI). */
const EXT_LATENCY = 100;
/** A read port onto external memory: AXI master, burst buffers. */
const PORT_COST: Resources = { dsp: 0, bram18k: 4, uram: 0, lut: 1800, ff: 2600 };

/** LUT6 of one lane's gate table read as ROM: 2049 entries x 34 bits, 64 bits a LUT6. */
const GATE_TABLE_LUTS = Math.ceil((2049 * 34) / 64);

const cdiv = (a: number, b: number) => Math.ceil(a / b);

export function macsPerDsp(ctx: CostContext): number {
  return ctx.device.dspMacsPerCycle[ctx.precision.name as keyof Device['dspMacsPerCycle']] ?? 1;
}

/** Keys visible to query t (0-based) of a pass. */
export function keysFor(task: Task, t: number): number {
  const { T, S, P } = task.dims;
  const total = P + S;
  if (!Number(task.attrs.causal)) return total;
  return Math.max(1, Math.min(total, t + 1 + (total - T)));
}

/** Multiply-accumulates of one pass (the roofline's work). */
export function macsOf(task: Task): number {
  const d = task.dims;
  if (task.kind === 'linear') return d.T * d.K * d.N;
  if (task.kind === 'attention') {
    let keys = 0;
    for (let t = 0; t < d.T; t++) keys += keysFor(task, t);
    return 2 * d.H * d.D * keys;
  }
  return 0;
}

/** On-chip cost of a memory of `bits` read `width` bits per cycle. */
export function memoryCost(bits: number, width: number, device: Device): Resources {
  if (bits <= 0) return { ...ZERO };
  if (bits <= LUTRAM_LIMIT) return { ...ZERO, lut: cdiv(bits, 64), ff: Math.min(width, 2048) };
  const bram = Math.max(cdiv(bits, BRAM_BITS), cdiv(width, 72));
  const uram = Math.max(cdiv(bits, URAM_BITS), cdiv(width, 144));
  const useUram = device.resources.uram > 0 && uram / device.resources.uram < bram / device.resources.bram18k;
  return useUram ? { ...ZERO, uram } : { ...ZERO, bram18k: bram };
}

function lanesOf(plan: Plan): number { return plan.uk * plan.un; }

/** Elements per token the task produces (its output stream width in elements). */
export function channelsOf(task: Task): number {
  const d = task.dims;
  switch (task.kind) {
    case 'linear': return d.N;
    case 'attention': return d.H * d.D;
    default: return d.C;
  }
}

/** Lane-count candidates over the reduction axis (uk) for a kind. */
export function ukCandidates(task: Task): number[] {
  const d = task.dims;
  // Attention: at most the head dim (llm2hls_attention has no whole heads a step).
  const limit = task.kind === 'linear' ? d.K : task.kind === 'attention' ? d.D : 1;
  const out = new Set<number>([limit]);
  for (let u = 1; u < limit; u *= 2) out.add(u);
  return [...out].sort((a, b) => a - b);
}

/** The largest useful un (output-axis lanes). */
export function unLimit(task: Task, ctx?: CostContext): number {
  const d = task.dims;
  if (task.kind === 'attention') return d.P + d.S;
  const lanes = legalLanes(task, ctx);
  if (lanes) return lanes[lanes.length - 1];
  return channelsOf(task);
}

/**
 * The lane counts a kernel can be built with, when not every count is (ascending), else
 * undefined: llm2hls_rope's lanes divide head_dim / 2 (a beat holds part of one half-head);
 * llm2hls_add_const's divide the row and the constant's period (backend-rtl/kernels.ts).
 */
export function legalLanes(task: Task, ctx?: CostContext): number[] | undefined {
  const d = task.dims;
  let n = 0;
  if (task.kind === 'rope') n = Math.max(1, d.D / 2);
  else if (task.kind === 'add' && ctx) {
    const m = task.mems.map((x) => ctx.mems.get(x)).find((x) => x);
    if (!m) return undefined;
    const size = m.shape.reduce((a, b) => a * b, 1);
    const period = m.shape[m.shape.length - 1] === d.C || size === 1 ? size : d.T * d.C;
    n = gcd(d.C, period);
  } else return undefined;
  const out: number[] = [];
  for (let u = 1; u <= n; u++) if (n % u === 0) out.push(u);
  return out;
}

/** The least buildable lanes at or above `un` (the most there are when none is). */
export function legalUn(task: Task, un: number, ctx?: CostContext): number {
  const lanes = legalLanes(task, ctx);
  if (!lanes) return un;
  return lanes.find((u) => u >= un) ?? lanes[lanes.length - 1];
}

function gcd(a: number, b: number): number { return b === 0 ? a : gcd(b, a % b); }

/** Initiation interval of the inner loop (fp32 accumulation needs independent accumulators). */
export function iiOf(task: Task, plan: Plan, ctx: CostContext): number {
  if (!ctx.precision.float || task.kind !== 'linear') return 1;
  const kSteps = cdiv(task.dims.K, plan.uk);
  const nSteps = cdiv(task.dims.N, plan.un);
  return kSteps > 1 && nSteps < 4 ? cdiv(4, nSteps) : 1;
}

/** Compute cycles of token t (no memory stall). */
export function tokenCycles(task: Task, plan: Plan, t: number, ctx: CostContext): number {
  const d = task.dims;
  switch (task.kind) {
    case 'linear': return cdiv(d.K, plan.uk) * cdiv(d.N, plan.un) * iiOf(task, plan, ctx);
    case 'attention': {
      // llm2hls_attention: QK, SOFT and PV each on its own head; a head's slot is the
      // slowest of QK (KB * NB), SOFT (NB + 1) and PV (KB * NB), KB = ceil(D / uk).
      const kb = cdiv(d.D, Math.min(plan.uk, d.D));
      const nb = Math.max(1, cdiv(keysFor(task, t), plan.un));
      return d.H * Math.max(kb * nb, nb + 1);
    }
    default: return cdiv(d.C, plan.un);
  }
}

export function computeCycles(task: Task, plan: Plan, ctx: CostContext): number {
  const T = task.dims.T;
  if (task.kind !== 'attention') return T * tokenCycles(task, plan, 0, ctx);
  let s = 0;
  for (let t = 0; t < T; t++) s += tokenCycles(task, plan, t, ctx);
  return s;
}

/**
 * Cycles from a task's deciding input beat to its first output beat, as the RTL modules of
 * templates/rtl/ document them (docs/backend-rtl.md): a Linear's beat leaves 5 cycles after
 * its pass's last step issues; a norm's row 5 after its last input beat (the three-stage
 * hand-over and the output register); RoPE's head 2 after its last beat; an Embedding row 2
 * after its id; element-wise modules register their output (1). Attention's output row
 * leaves 2 cycles after PV's last step. External memory adds its read latency.
 */
export function depthOf(task: Task, plan: Plan, ctx: CostContext): number {
  void plan;
  const ext = task.mems.some((m) => ctx.mems.get(m)?.location.kind === 'external') ? EXT_LATENCY : 0;
  switch (task.kind) {
    case 'linear': return 5 + ext;
    case 'attention': return 2 + ext;
    case 'layernorm': case 'rmsnorm': return 5 + ext;
    case 'gelu': case 'silu': case 'swiglu': return 1;
    case 'rope': return 2 + ext;
    case 'embedding': return 2 + ext;
    case 'add': return 1 + ext;
    case 'reorder': return 0;
  }
}

/** Bytes external memory serves this task in one pass, and the least any plan could do. */
export function extBytes(task: Task, plan: Plan, ctx: CostContext): { bytes: number; min: number } {
  const d = task.dims;
  const tiles = cdiv(d.T, Math.max(1, plan.tt));
  let bytes = 0;
  let min = 0;
  for (const name of task.mems) {
    const m = ctx.mems.get(name);
    if (!m || m.location.kind !== 'external') continue;
    const size = bytesOf(m);
    if (m.role === 'state') {
      // Read the cache once per query tile, append S new entries.
      const entry = size / (d.P + d.S);
      bytes += tiles * size + d.S * entry;
      min += size + d.S * entry;
    } else if (task.kind === 'embedding' && name === task.mems[0]) {
      const rows = Math.min(d.T, d.V) * Math.ceil((d.C * m.bits) / 8);
      bytes += rows;
      min += Math.min(rows, size);
    } else if (task.kind === 'linear' || task.kind === 'attention') {
      bytes += tiles * size;
      min += size;
    } else {
      // Norm scales, RoPE tables, a position table: read once per pass, each row by its token.
      bytes += size;
      min += size;
    }
  }
  return { bytes, min };
}

export function busyCycles(task: Task, plan: Plan, ctx: CostContext): number {
  const compute = computeCycles(task, plan, ctx);
  const { bytes } = extBytes(task, plan, ctx);
  if (bytes === 0) return compute;
  const bw = ctx.bandwidthOf ? ctx.bandwidthOf(task) : Infinity;
  return Math.max(compute, Math.ceil(bytes / bw));
}

/** DSP, BRAM18K, URAM, LUT, FF of a task, including its on-chip memories and external ports. */
export function resourcesOf(task: Task, plan: Plan, ctx: CostContext): Resources {
  const d = task.dims;
  const p = ctx.precision;
  const f = p.float;
  const act = p.activationBits;
  const m = macsPerDsp(ctx);
  const lanes = lanesOf(plan);
  const opDsp = f ? 3 : 1; // DSPs of one multiply (fp32: a 3-DSP fmul)
  // Integer kernels: the DSPs of the RTL library's datapaths (dsp-count.ts); fp32 keeps the per-op figures below.
  const intDsp = f ? undefined : integerKernelDsp(task, plan, act, p.accumulatorBits);
  const dspOr = (fp: number) => intDsp ?? fp;
  let r: Resources = { ...ZERO };
  const add = (x: Resources) => { r = addRes(r, x); };
  const logic = (dsp: number, lut: number, ff: number) => add({ ...ZERO, dsp, lut, ff });
  const memOf = (name: string) => ctx.mems.get(name);
  const onchip = (name: string | undefined, width: number) => {
    const mem = name ? memOf(name) : undefined;
    if (!mem) return;
    if (mem.location.kind === 'external') { add(PORT_COST); return; }
    add(memoryCost(mem.shape.reduce((a, b) => a * b, 1) * mem.bits, width, ctx.device));
  };
  switch (task.kind) {
    case 'linear': {
      logic(dspOr(Math.ceil(lanes / m)), lanes * (f ? 300 : 10) + 200, lanes * (f ? 500 : act + p.weightBits + 8) + 300);
      onchip(task.mems[0], lanes * p.weightBits);
      onchip(task.mems[1], plan.un * (memOf(task.mems[1] ?? '')?.bits ?? 32));
      if (plan.tt > 1) add(memoryCost(plan.tt * d.K * act, plan.uk * act, ctx.device)); // token-tile activation buffer
      break;
    }
    case 'embedding':
      logic(dspOr(0), plan.un * (f ? 8 : 16) + 150, plan.un * act + 200); // dequantize (x scale)
      onchip(task.mems[0], plan.un * p.weightBits);
      if (task.mems[1]) onchip(task.mems[1], 32);
      break;
    case 'layernorm': case 'rmsnorm': {
      const ops = task.kind === 'layernorm' ? 3 : 2;
      logic(dspOr(plan.un * ops * opDsp + 4 * opDsp), plan.un * (f ? 500 : 60) + 600, plan.un * (f ? 700 : 3 * act) + 800);
      add(memoryCost(2 * d.C * act, 2 * plan.un * act, ctx.device)); // double-buffered row
      for (const g of task.mems) onchip(g, plan.un * act);
      break;
    }
    case 'gelu': case 'silu': case 'swiglu': {
      const ops = task.kind === 'swiglu' ? 3 : 2;
      logic(dspOr(plan.un * ops * opDsp), plan.un * (f ? 900 : 80) + 100, plan.un * (f ? 1200 : 4 * act) + 100);
      // Each lane reads its own copy of the gate table (2049 x 34 bits) combinationally
      // (llm2hls_gate), so the table is LUT ROM, not block RAM.
      if (!f) add({ ...ZERO, lut: plan.un * GATE_TABLE_LUTS });
      break;
    }
    case 'rope':
      logic(dspOr(plan.un * 2 * opDsp), plan.un * (f ? 450 : 30) + 150, plan.un * (f ? 600 : 2 * act) + 150);
      for (const t of task.mems) onchip(t, plan.un * act);
      break;
    case 'add':
      logic(dspOr(plan.un * 2), plan.un * (f ? 250 : act + 2) + 60, plan.un * act + 60);
      for (const t of task.mems) onchip(t, plan.un * act);
      break;
    case 'attention': {
      logic(dspOr(2 * Math.ceil(lanes / m) + plan.un * 6 + 4 * opDsp), 2 * lanes * (f ? 300 : 12) + plan.un * (f ? 700 : 90) + 1500, 2 * lanes * (f ? 500 : 2 * act) + plan.un * 4 * act + 2000);
      const kv = task.mems.filter((n) => memOf(n)?.role === 'state');
      const entries = (d.P + d.S) * d.Hk * d.D;
      if (kv.length === 0) add(memoryCost(2 * entries * act, 2 * lanes * act, ctx.device)); // K and V of this pass
      else for (const n of kv) onchip(n, lanes * act);
      add(memoryCost(d.H * d.D * act * 2, plan.uk * act, ctx.device)); // query row, output row
      break;
    }
    case 'reorder':
      logic(0, plan.un * 4 + 100, plan.un * act + 100);
      add(memoryCost(d.T * d.C * act, plan.un * act, ctx.device));
      break;
  }
  return r;
}

/** A FIFO of `depth` beats of `width` bits: SRLs (LUTs) when small, BRAM when large. */
export function fifoCost(depth: number, width: number): Resources {
  if (depth * width <= 2 * LUTRAM_LIMIT || depth <= 64) return { ...ZERO, lut: cdiv(depth, 32) * width + 20, ff: width + 20 };
  return { ...ZERO, bram18k: Math.max(cdiv(depth * width, BRAM_BITS), cdiv(width, 36)), lut: 60, ff: 80 };
}

export function memBytes(m: Memory): number { return bytesOf(m); }
