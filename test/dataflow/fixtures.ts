/** Hand-written fused graphs (graph IR text) for the dataflow tests. */
import { parseGraph } from '../../compiler/graph-text.js';
import { Graph } from '../../compiler/graph.js';

/** One pre-norm GPT block at d 32, T 8, with a residual around attention and the MLP. */
export const BLOCK = `
graph block opset 17
input %ids: int64[1, 8]
const %wte: float32[64, 32] = ...
const %g1: float32[32] = ...
const %wq: float32[32, 32] = ...
const %wk: float32[32, 32] = ...
const %wv: float32[32, 32] = ...
const %wo: float32[32, 32] = ...
const %w1: float32[32, 128] = ...
const %w2: float32[128, 32] = ...
%x = llm.Embedding(%wte, %ids) @emb
%h = llm.LayerNorm(%x, %g1) {epsilon: 0.00001} @ln
%q = llm.Linear(%h, %wq) @q
%k = llm.Linear(%h, %wk) @k
%v = llm.Linear(%h, %wv) @v
%a = llm.Attention(%q, %k, %v) {causal: CAUSAL, heads: 2, kv_heads: 2, scale: 0.25} @attn
%o = llm.Linear(%a, %wo) @o
%r = Add(%x, %o) @res
%f = llm.Linear(%r, %w1) @fc
%gl = llm.Gelu(%f) {approximate: "tanh"} @gelu
%y = llm.Linear(%gl, %w2) @out
output %y: float32[1, 8, 32]
`;

export function block(causal = 1): Graph {
  return parseGraph(BLOCK.replace('CAUSAL', String(causal)));
}
