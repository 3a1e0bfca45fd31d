/**
 * SiLU and SwiGLU fusion: Mul(x, Sigmoid(x)) (either order) becomes
 * llm.SiLU(x); then Mul(SiLU(gate), up) (either order, gate and up of one
 * shape) becomes llm.SwiGLU(gate, up), the gated MLP of Llama-style models.
 */
import { Node } from '../graph.js';
import { GraphPass } from './pass.js';
import { cleanup } from './graph-edit.js';
import { Fuser, Rewrite } from './fusion-match.js';

function matchSiLU(f: Fuser, mul: Node): Rewrite | undefined {
  if (mul.inputs.length !== 2) return undefined;
  for (const [x, s] of [mul.inputs, [...mul.inputs].reverse()]) {
    const sig = f.producer(s, 'Sigmoid');
    if (!sig || sig.inputs[0] !== x || !f.singleUse(s) || !f.sameShape(mul.outputs[0], x)) continue;
    return {
      root: mul, nodes: [mul, sig],
      build: () => [{ name: mul.name, opType: 'llm.SiLU', inputs: [x], outputs: [...mul.outputs], attrs: {} }],
    };
  }
  return undefined;
}

function matchSwiGLU(f: Fuser, mul: Node): Rewrite | undefined {
  if (mul.inputs.length !== 2) return undefined;
  for (const [s, up] of [mul.inputs, [...mul.inputs].reverse()]) {
    const silu = f.producer(s, 'llm.SiLU');
    if (!silu || !f.singleUse(s)) continue;
    const gate = silu.inputs[0];
    if (!f.sameShape(gate, up) || !f.sameShape(mul.outputs[0], gate)) continue;
    return {
      root: mul, nodes: [mul, silu],
      build: () => [{ name: mul.name, opType: 'llm.SwiGLU', inputs: [gate, up], outputs: [...mul.outputs], attrs: {} }],
    };
  }
  return undefined;
}

export const fuseSiLU: GraphPass = {
  name: 'fuse-silu',
  run(graph) {
    const silu = new Fuser(graph);
    for (const node of [...graph.nodes]) if (node.opType === 'Mul') silu.apply(matchSiLU(silu, node));
    // A second sweep over the rewritten graph: the SiLU nodes are new.
    const glu = new Fuser(graph);
    for (const node of [...graph.nodes]) if (node.opType === 'Mul') glu.apply(matchSwiGLU(glu, node));
    cleanup(graph);
  },
};
