/**
 * Removes Identity nodes and Casts to the type their input already has
 * (exporters write them around outputs and in HF's RMSNorm), so the fusion
 * patterns see through them and a fused model is kernels and Adds only.
 * Readers are rewired to the input; when the no-op writes a graph output,
 * the input's producer is renamed to write it instead.
 */
import { Node } from '../graph.js';
import { dtypeFromOnnx } from '../tensor.js';
import { GraphPass } from './pass.js';
import { cleanup } from './graph-edit.js';

function isNoop(node: Node, inputDtype: string | undefined): boolean {
  if (node.inputs.length !== 1 || node.outputs.length !== 1 || !node.inputs[0] || !node.outputs[0]) return false;
  if (node.opType === 'Identity') return true;
  return node.opType === 'Cast' && typeof node.attrs.to === 'number' && inputDtype !== undefined && dtypeFromOnnx(node.attrs.to) === inputDtype;
}

export const removeNoops: GraphPass = {
  name: 'remove-noops',
  run(graph) {
    const outputs = new Set(graph.outputs.map((o) => o.name));
    const rename = (from: string, to: string) => {
      for (const n of graph.nodes) {
        n.inputs = n.inputs.map((v) => (v === from ? to : v));
        n.outputs = n.outputs.map((v) => (v === from ? to : v));
      }
    };
    for (const node of [...graph.nodes]) {
      const [x] = node.inputs, [y] = node.outputs;
      if (!isNoop(node, graph.types.get(x)?.dtype)) continue;
      if (!outputs.has(y)) {
        graph.nodes.splice(graph.nodes.indexOf(node), 1);
        rename(y, x);
        graph.types.delete(y);
        continue;
      }
      // y is a graph output: the producer of x writes y directly, unless x must keep its name.
      const producedByNode = graph.nodes.some((n) => n !== node && n.outputs.includes(x));
      if (!producedByNode || outputs.has(x)) continue;
      graph.nodes.splice(graph.nodes.indexOf(node), 1);
      rename(x, y);
      graph.types.delete(x);
    }
    cleanup(graph);
  },
};
