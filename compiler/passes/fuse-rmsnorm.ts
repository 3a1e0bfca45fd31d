/**
 * RMSNorm fusion. Matches what torch writes for an RMSNorm module
 * (Llama's `x * rsqrt(mean(x²) + eps) * w`):
 *
 *   ms = ReduceMean(Pow(x, 2), axes=[-1]); s = Sqrt(Add(ms, eps))
 *   y = Mul(Mul(x, Div(1, s)), gamma)            (or Reciprocal(s), or Div(x, s))
 *
 * with operands of Add/Mul in either order and gamma optional; becomes
 * llm.RMSNorm. Run after fuse-layernorm (a LayerNorm's variance is an RMS
 * of x − mean(x)).
 */
import { Node } from '../graph.js';
import { GraphPass } from './pass.js';
import { cleanup } from './graph-edit.js';
import { Fuser, Rewrite, matchNormTail, onesVector } from './fusion-match.js';

function matchRms(f: Fuser, meanSq: Node): Rewrite | undefined {
  const tail = matchNormTail(f, meanSq);
  if (!tail) return undefined;
  const x = tail.v, root = tail.last;
  const D = f.lastDim(x) as number;
  if (!f.sameShape(root.outputs[0], x)) return undefined;
  const dtype = f.type(x)?.dtype ?? 'float32';
  return {
    root, nodes: tail.nodes,
    build: () => [{
      name: root.name, opType: 'llm.RMSNorm',
      inputs: [x, tail.gamma ? tail.gamma() : onesVector(f.graph, `${root.name || root.outputs[0]}.gamma`, dtype, D)],
      outputs: [...root.outputs], attrs: { epsilon: tail.epsilon },
    }],
  };
}

export const fuseRMSNorm: GraphPass = {
  name: 'fuse-rmsnorm',
  run(graph) {
    const f = new Fuser(graph);
    for (const node of [...graph.nodes]) if (node.opType === 'ReduceMean') f.apply(matchRms(f, node));
    cleanup(graph);
  },
};
