/**
 * A fused GPT-2-style graph (llm.* kernels + Add) of any size, built
 * directly in the graph IR with weights that refuse to materialize: the
 * planner must use shapes and sizes only. GPT-2 small at T tokens plans in
 * well under a second this way.
 */
import { Graph, Node } from '../../compiler/graph.js';
import { Tensor } from '../../compiler/tensor.js';

export interface FusedGptConfig { vocab: number; context: number; dim: number; heads: number; layers: number; tokens: number }

export const GPT2_SMALL = { vocab: 50257, context: 1024, dim: 768, heads: 12, layers: 12 };

export function fusedGpt(cfg: FusedGptConfig): Graph {
  const { vocab, dim: d, heads, layers, tokens: T } = cfg;
  const g: Graph = { name: 'fused_gpt', opset: 17, inputs: [], outputs: [], initializers: new Map(), nodes: [], types: new Map(), meta: {} };
  const weight = (name: string, shape: number[]) => {
    g.initializers.set(name, new Tensor('float32', shape, () => { throw new Error(`planner read the values of ${name}`); }));
    g.types.set(name, { dtype: 'float32', shape });
    return name;
  };
  let n = 0;
  const node = (opType: string, inputs: string[], shape: number[], attrs: Node['attrs'] = {}, outputs?: string[]) => {
    const outs = outputs ?? [`v${n}`];
    g.nodes.push({ name: `${opType.replace('llm.', '')}_${n++}`, opType, inputs, outputs: outs, attrs });
    g.types.set(outs[0], { dtype: 'float32', shape });
    return outs[0];
  };
  g.inputs.push({ name: 'input_ids', dtype: 'int64', shape: [1, T] });
  g.types.set('input_ids', { dtype: 'int64', shape: [1, T] });
  const act = [1, T, d];
  const wte = weight('wte', [vocab, d]);
  let x = node('Add', [node('llm.Embedding', [wte, 'input_ids'], act), weight('wpe_rows', [1, T, d])], act);
  const ln = (v: string, p: string) => node('llm.LayerNorm', [v, weight(`${p}.g`, [d]), weight(`${p}.b`, [d])], act, { epsilon: 1e-5 });
  const linear = (v: string, p: string, k: number, nOut: number) => node('llm.Linear', [v, weight(`${p}.w`, [k, nOut]), weight(`${p}.b`, [nOut])], [1, T, nOut]);
  for (let l = 0; l < layers; l++) {
    const p = `h${l}`;
    const h = ln(x, `${p}.ln1`);
    const q = linear(h, `${p}.q`, d, d);
    const k = linear(h, `${p}.k`, d, d);
    const v = linear(h, `${p}.v`, d, d);
    const a = node('llm.Attention', [q, k, v], act, { heads, kv_heads: heads, scale: 1 / Math.sqrt(d / heads), causal: 1 });
    x = node('Add', [x, linear(a, `${p}.proj`, d, d)], act);
    const f = node('llm.Gelu', [linear(ln(x, `${p}.ln2`), `${p}.fc`, d, 4 * d)], [1, T, 4 * d], { approximate: 'tanh' });
    x = node('Add', [x, linear(f, `${p}.out`, 4 * d, d)], act);
  }
  const wteT = node('Transpose', [wte], [d, vocab], { perm: [1, 0] });
  const logits = node('llm.Linear', [ln(x, 'lnf'), wteT], [1, T, vocab], {}, ['logits']);
  g.outputs.push({ name: logits, dtype: 'float32', shape: [1, T, vocab] });
  return g;
}
