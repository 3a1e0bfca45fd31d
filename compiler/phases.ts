/**
 * `estimate --max-context N` on a decoder with a KV cache (past_* inputs,
 * present_* outputs): the two workloads of autoregressive generation, each
 * planned from the same model with its own bindings.
 *  - prefill: the prompt (P tokens, empty past) in one pass;
 *    tokensPerSecond = P / latency.
 *  - decode: one new token at the full context (past N-1), the slowest step;
 *    tokensPerSecond = 1 / latency (steps do not overlap: each needs the last
 *    one's token).
 * Each phase's memory roofline counts the bytes a step moves across external
 * memory, against the device's data-sheet bandwidth: every weight byte the
 * plan keeps off chip (a batch-1 step reads all of them) plus the KV cache at
 * that context where it is off chip; what stays on chip does not bound it
 * (null, as in the top-level roofline). weightBytes and kvBytes give the
 * totals wherever they live. Compute is the plan's own MAC roofline.
 */
import { UserError, optionName } from './errors.js';
import { Dim, Graph } from './graph.js';
import { EstimateOptions, EstimateReport, PlanResult, estimateGraph } from './estimate.js';
import { precisionByName, DEFAULT_PRECISION } from './numerics/precision.js';

export interface PhaseRoofline {
  tokensPerSecond: number;
  bound: 'compute' | 'memory';
  compute: { tokensPerSecond: number; macsPerToken: number; peakMacsPerSecond: number };
  memory: { tokensPerSecond: number | null; bytesPerToken: number; weightBytes: number; kvBytes: number; bandwidthBytesPerSecond: number };
}

export interface PhaseEstimate {
  /** Tokens the step takes in (P for prefill, 1 for decode). */
  tokens: number;
  /** Positions the step attends over (past + tokens). */
  context: number;
  tokensPerSecond: number;
  latency: { cycles: number; seconds: number };
  fits: boolean;
  roofline: PhaseRoofline;
  /** tokensPerSecond as a fraction of the roofline. */
  efficiency: number;
}

export interface PhasedReport extends EstimateReport { prefill: PhaseEstimate; decode: PhaseEstimate }

/** The symbolic axes of a KV-cache decoder: new tokens, and the past length. */
export interface DecoderAxes { sequence: string; past: string; pastInputs: { name: string; shape: Dim[] }[] }

export function decoderAxes(graph: Graph, label: string): DecoderAxes {
  const ids = graph.inputs.find((v) => (v.dtype === 'int64' || v.dtype === 'int32') && v.shape.length === 2);
  const pastInputs = graph.inputs.filter((v) => v !== ids && v.shape.some((d) => typeof d === 'string'));
  const what = `${optionName('maxContext', '--max-context')} plans prefill and decode of a decoder with a KV cache`;
  if (!ids || typeof ids.shape[1] !== 'string') {
    throw new UserError(`${label}: ${what}, which needs a token-id input [batch, sequence] with a symbolic sequence axis`);
  }
  const past = pastInputs[0]?.shape.find((d): d is string => typeof d === 'string' && d !== ids.shape[1]);
  if (!past) throw new UserError(`${label}: ${what} (past_* inputs with a symbolic past axis); this model has none`);
  return { sequence: ids.shape[1], past, pastInputs: pastInputs.map((v) => ({ name: v.name, shape: v.shape })) };
}

/** Bytes of the KV cache at `context` positions: every past tensor with its past axis at `context`, at the activation width. */
function kvBytes(axes: DecoderAxes, context: number, bits: number): number {
  let elements = 0;
  for (const p of axes.pastInputs) elements += p.shape.reduce<number>((n, d) => n * (d === axes.past ? context : typeof d === 'number' ? d : 1), 1);
  return (elements * bits) / 8;
}

function phase(r: EstimateReport, tokens: number, context: number, kv: number): PhaseEstimate {
  const weightBytes = r.memory.onChipWeightBytes + r.memory.externalWeightBytes;
  const buffers = r.memory.kvCache;
  const kvExternal = buffers.length ? (kv * buffers.filter((b) => b.location === 'external').length) / buffers.length : 0;
  const bandwidth = r.roofline.memory.bandwidthBytesPerSecond;
  // A prefill pass reads the external weights once for all its tokens and writes its KV; a decode step reads both.
  const bytesPerToken = (r.memory.externalWeightBytes + kvExternal) / tokens;
  const memoryRate = bytesPerToken > 0 ? bandwidth / bytesPerToken : null;
  const compute = r.roofline.compute;
  const bound = memoryRate === null || compute.tokensPerSecond <= memoryRate ? 'compute' : 'memory';
  const limit = Math.min(compute.tokensPerSecond, memoryRate ?? Infinity);
  const tokensPerSecond = tokens / r.latency.seconds;
  return {
    tokens, context, tokensPerSecond, latency: r.latency, fits: r.fits,
    roofline: { tokensPerSecond: limit, bound, compute, memory: { tokensPerSecond: memoryRate, bytesPerToken, weightBytes, kvBytes: kv, bandwidthBytesPerSecond: bandwidth } },
    efficiency: tokensPerSecond / limit,
  };
}

export interface PhaseOptions extends EstimateOptions {
  maxContext: number;
  /** Prompt length of the prefill phase (default: 64, at most the context). */
  prefillTokens?: number;
}

/**
 * Plans prefill and decode of `load()`'s graph (loaded once per phase: binding
 * specializes a graph). The returned plan is the decode one, which the
 * top-level figures describe.
 */
export function estimatePhases(load: () => Graph, label: string, o: PhaseOptions): PlanResult & { report: PhasedReport } {
  const N = o.maxContext;
  const probe = load();
  const axes = decoderAxes(probe, label);
  for (const name of [axes.sequence, axes.past]) {
    if (o.bindings?.[name] !== undefined) {
      throw new UserError(`${optionName('bindings', '--bind')} ${name}=${o.bindings[name]}: ${optionName('maxContext', '--max-context')} sets '${name}' for each phase; drop the binding`);
    }
  }
  const P = o.prefillTokens ?? Math.min(64, N);
  if (P > N) throw new UserError(`${optionName('prefillTokens', '--prefill-tokens')} ${P} exceeds ${optionName('maxContext', '--max-context')} ${N}`);
  const bits = precisionByName(o.precision ?? DEFAULT_PRECISION).activationBits;
  const plan = (graph: Graph, sequence: number, past: number) =>
    estimateGraph(graph, { ...o, bindings: { ...o.bindings, [axes.sequence]: sequence, [axes.past]: past } }, label);
  const prefill = plan(probe, P, 0);
  const decode = plan(load(), 1, N - 1);
  const report: PhasedReport = {
    ...decode.report,
    prefill: phase(prefill.report, P, P, kvBytes(axes, P, bits)),
    decode: phase(decode.report, 1, N, kvBytes(axes, N, bits)),
  };
  return { ...decode, report };
}
