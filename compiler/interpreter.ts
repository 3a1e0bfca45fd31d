/**
 * The float32 golden interpreter: executes the graph IR node by node with
 * each op's reference semantics, freeing intermediates after their last use.
 */
import { UserError } from './errors.js';
import { Graph, describeNode } from './graph.js';
import { OpCall, getOp } from './ops/index.js';
import { Tensor } from './tensor.js';
import { checkOutputSizes } from './ops/limits.js';

export interface InterpretOptions {
  /** Called after each node, e.g. for a progress bar. */
  onNode?: (index: number, total: number) => void;
}

export function interpret(graph: Graph, inputs: readonly Tensor[], options: InterpretOptions = {}): Tensor[] {
  const env = new Map<string, Tensor>(graph.initializers);
  graph.inputs.forEach((v, i) => env.set(v.name, inputs[i]));

  // Last node index that reads each value, so intermediates can be freed.
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.inputs.forEach((n) => n && lastUse.set(n, i)));
  const keep = new Set([...graph.outputs.map((o) => o.name), ...graph.initializers.keys()]);

  graph.nodes.forEach((node, index) => {
    const op = getOp(node.opType);
    if (!op) throw new UserError(`${describeNode(node)}: op ${node.opType} is not supported by llm2hls`);
    const ins = node.inputs.map((n) => {
      if (!n) return undefined;
      const t = env.get(n);
      if (!t) throw new Error(`${describeNode(node)}: input '${n}' has no value`);
      return t;
    });
    const call = new OpCall(node, graph.opset);
    // Shape inference on the actual inputs sizes every output before anything is allocated.
    checkOutputSizes(node, op.infer(call, ins.map((t) => t && { dtype: t.dtype, shape: [...t.shape] }), ins));
    const outs = op.execute(call, ins);
    node.outputs.forEach((name, i) => { if (name && outs[i]) env.set(name, outs[i]); });
    for (const n of node.inputs) if (n && lastUse.get(n) === index && !keep.has(n)) env.delete(n);
    options.onNode?.(index, graph.nodes.length);
  });

  return graph.outputs.map((o) => {
    const t = env.get(o.name);
    if (!t) throw new Error(`graph output '${o.name}' was not computed`);
    return t;
  });
}
