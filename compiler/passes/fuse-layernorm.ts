/**
 * LayerNorm fusion. Matches the decomposition torch writes for
 * nn.LayerNorm before opset 17,
 *
 *   m = ReduceMean(x, axes=[-1]); d = Sub(x, m)
 *   var = ReduceMean(Pow(d, 2), axes=[-1]); s = Sqrt(Add(var, eps))
 *   y = Add(Mul(Div(d, s), gamma), beta)          (gamma, beta optional)
 *
 * (also d·Reciprocal(s), d·Div(1, s), Mul(d, d) for the square, operands
 * of Add/Mul in either order), and ONNX LayerNormalization over the last
 * axis with constant scale and bias; both become llm.LayerNorm.
 */
import { Node } from '../graph.js';
import { GraphPass } from './pass.js';
import { cleanup } from './graph-edit.js';
import { Fuser, Rewrite, isLastAxisMean, matchNormTail, onesVector, otherInput } from './fusion-match.js';

function matchDecomposed(f: Fuser, meanSq: Node): Rewrite | undefined {
  const tail = matchNormTail(f, meanSq);
  if (!tail) return undefined;
  // v must be x − mean(x).
  const sub = f.producer(tail.v, 'Sub');
  const mean = sub && f.producer(sub.inputs[1], 'ReduceMean');
  if (!sub || !mean || mean.inputs[0] !== sub.inputs[0] || !isLastAxisMean(f, mean)) return undefined;
  const x = sub.inputs[0];
  const D = f.lastDim(x) as number, rank = f.rank(x)!;
  const nodes = [mean, sub, ...tail.nodes];
  let root = tail.last;
  let beta: (() => string) | undefined;
  if (tail.gamma) {
    const add = f.soleConsumer(root.outputs[0], 'Add');
    beta = add && f.vectorParam(otherInput(add, root.outputs[0]) ?? '', D, rank);
    if (add && beta) { nodes.push(add); root = add; }
  }
  if (!f.sameShape(root.outputs[0], x)) return undefined;
  const dtype = f.type(x)?.dtype ?? 'float32';
  return {
    root, nodes,
    build: () => {
      const gamma = tail.gamma ? tail.gamma() : onesVector(f.graph, `${root.name || root.outputs[0]}.gamma`, dtype, D);
      return [{
        name: root.name, opType: 'llm.LayerNorm', inputs: beta ? [x, gamma, beta()] : [x, gamma],
        outputs: [...root.outputs], attrs: { epsilon: tail.epsilon },
      }];
    },
  };
}

/** ONNX LayerNormalization over the last axis whose Mean/InvStdDev outputs are unused. */
function matchOnnx(f: Fuser, node: Node): Rewrite | undefined {
  const [x, scale, bias] = node.inputs;
  const rank = f.rank(x), D = f.lastDim(x);
  if (rank === undefined || rank === 0) return undefined;
  const axis = typeof node.attrs.axis === 'number' ? node.attrs.axis : -1;
  if (axis !== -1 && axis !== rank - 1) return undefined;
  if (node.outputs.slice(1).some((o) => o && (f.index.consumers(o).length > 0 || f.graph.outputs.some((g) => g.name === o)))) return undefined;
  const gamma = f.vectorParam(scale, D, 1);
  const beta = bias ? f.vectorParam(bias, D, 1) : undefined;
  if (!gamma || (bias && !beta)) return undefined;
  const epsilon = typeof node.attrs.epsilon === 'number' ? node.attrs.epsilon : Math.fround(1e-5); // the float attribute's default
  return {
    root: node, nodes: [node],
    build: () => [{
      name: node.name, opType: 'llm.LayerNorm', inputs: beta ? [x, gamma(), beta()] : [x, gamma()],
      outputs: [node.outputs[0]], attrs: { epsilon },
    }],
  };
}

export const fuseLayerNorm: GraphPass = {
  name: 'fuse-layernorm',
  run(graph) {
    const f = new Fuser(graph);
    for (const node of [...graph.nodes]) {
      if (node.opType === 'ReduceMean') f.apply(matchDecomposed(f, node));
      else if (node.opType === 'LayerNormalization') f.apply(matchOnnx(f, node));
    }
    cleanup(graph);
  },
};
