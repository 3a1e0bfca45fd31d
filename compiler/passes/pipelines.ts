/**
 * The fusion pipeline: exporter op soup -> transformer kernels
 * (compiler/kernels/README.md). Each pass is independent; the order only
 * matters where one pattern contains another.
 */
import { Graph } from '../graph.js';
import { GraphPass, PassTiming, PipelineOptions, runPipeline } from './pass.js';
import { removeNoops } from './remove-noops.js';
import { fuseLayerNorm } from './fuse-layernorm.js';
import { fuseRMSNorm } from './fuse-rmsnorm.js';
import { fuseGelu } from './fuse-gelu.js';
import { fuseSiLU } from './fuse-silu.js';
import { fuseLinear } from './fuse-linear.js';
import { fuseEmbedding } from './fuse-embedding.js';
import { fuseRope } from './fuse-rope.js';
import { fuseAttention } from './fuse-attention.js';

export const FUSION_PIPELINE: GraphPass[] = [
  // Identity and same-type Cast hide patterns (HF's RMSNorm casts to float32).
  removeNoops,
  // LayerNorm before RMSNorm: a LayerNorm's variance is the RMS of x − mean(x).
  fuseLayerNorm,
  fuseRMSNorm,
  fuseGelu,
  fuseSiLU,
  // Linear (incl. splitting GPT-2's fused QKV) after the elementwise patterns,
  // so attention and RoPE passes below see q, k, v as Linear outputs.
  fuseLinear,
  fuseEmbedding,
  // Attention-side passes go here, one line each (they run on Linear outputs).
  fuseRope, // before attention: rewrites RoPE into a token-major kernel + plain head split
  fuseAttention,
];

/** Runs FUSION_PIPELINE on a prepared (static, folded) graph, in place. */
export function fuseGraph(graph: Graph, options?: PipelineOptions): PassTiming[] {
  return runPipeline(graph, FUSION_PIPELINE, options);
}
