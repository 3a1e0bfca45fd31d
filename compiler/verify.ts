/** Structural checks of the graph IR: single definitions, defined-before-use, known ops. */
import { UserError } from './errors.js';
import { Graph, describeNode } from './graph.js';
import { getOp } from './ops/index.js';

export function verifyGraph(graph: Graph): void {
  const defined = new Set<string>();
  const define = (name: string, where: string) => {
    if (defined.has(name)) throw new UserError(`graph IR: value '${name}' is defined twice (${where})`);
    defined.add(name);
  };
  graph.inputs.forEach((v) => define(v.name, 'graph input'));
  for (const name of graph.initializers.keys()) define(name, 'constant');
  for (const node of graph.nodes) {
    if (!getOp(node.opType)) throw new UserError(`graph IR: ${describeNode(node)} has unknown op ${node.opType}`);
    for (const n of node.inputs) {
      if (n && !defined.has(n)) throw new UserError(`graph IR: ${describeNode(node)} reads '${n}' before it is defined`);
    }
    for (const o of node.outputs) if (o) define(o, describeNode(node));
  }
  for (const o of graph.outputs) {
    if (!defined.has(o.name)) throw new UserError(`graph IR: output '${o.name}' is never defined`);
  }
}
