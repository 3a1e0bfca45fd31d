/**
 * The quantized interpreter of the fused graph: runs it under a QuantSpec
 * with the bit-accurate kernels of kernels-q.ts, dispatched by
 * kernel-table.ts (shared with the dataflow IR's golden interpreter,
 * dataflow/interpreter.ts, which `llm2hls run --precision` uses; the two
 * agree bit for bit). Float graph inputs (a KV-cache past) are quantized on
 * entry into their formats; outputs are dequantized (q · 2^−frac, as float32).
 */
import { UserError } from '../errors.js';
import { Graph, Node, describeNode } from '../graph.js';
import { OpCall, getOp } from '../ops/index.js';
import { FLOAT_TYPES, Tensor } from '../tensor.js';
import { FixedFormat } from './fixed.js';
import { QValue, runKernelQ } from './kernel-table.js';
import { dequantizeArray, quantizeArray } from './quantize.js';
import { QuantSpec, attachGraphWeights } from './spec.js';

export type { QValue };

export interface QuantRun {
  outputs: Tensor[];
  /** The integer outputs (for bit-exact comparison with csim/RTL). */
  fixed: (QValue | undefined)[];
}

export function interpretQuantized(graph: Graph, spec: QuantSpec, inputs: readonly Tensor[]): Tensor[] {
  return runQuantized(graph, spec, inputs).outputs;
}

export function runQuantized(graph: Graph, spec: QuantSpec, inputs: readonly Tensor[]): QuantRun {
  attachGraphWeights(spec, graph);
  const env = new Map<string, QValue>();
  const format = (n: string): FixedFormat => {
    const f = spec.formats[n];
    if (!f) throw new Error(`QuantSpec has no format for '${n}'`);
    return f;
  };
  graph.inputs.forEach((v, i) => {
    const t = inputs[i];
    if (!t) throw new UserError(`missing input '${v.name}'`);
    if (FLOAT_TYPES.has(t.dtype)) {
      env.set(v.name, { kind: 'fixed', shape: [...t.shape], data: quantizeArray(t.data as ArrayLike<number>, format(v.name)), format: format(v.name) });
    } else env.set(v.name, { kind: 'plain', tensor: t });
  });
  for (const [n, data] of Object.entries(spec.constants)) {
    const c = graph.initializers.get(n);
    if (c) env.set(n, { kind: 'fixed', shape: [...c.shape], data, format: format(n) });
  }

  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.inputs.forEach((n) => n && lastUse.set(n, i)));
  const keep = new Set(graph.outputs.map((o) => o.name));

  graph.nodes.forEach((node, index) => {
    const outs = runNode(graph, spec, node, env, format);
    node.outputs.forEach((name, i) => { if (name && outs[i]) env.set(name, outs[i]!); });
    for (const n of node.inputs) if (n && lastUse.get(n) === index && !keep.has(n) && !(n in spec.constants)) env.delete(n);
  });

  const fixed = graph.outputs.map((o) => env.get(o.name));
  const outputs = graph.outputs.map((o, i) => {
    const v = fixed[i];
    if (!v) throw new Error(`graph output '${o.name}' was not computed`);
    if (v.kind === 'plain') return v.tensor;
    return new Tensor('float32', v.shape, dequantizeArray(v.data, v.format));
  });
  return { outputs, fixed };
}

function runNode(graph: Graph, spec: QuantSpec, node: Node, env: Map<string, QValue>, format: (n: string) => FixedFormat): (QValue | undefined)[] {
  const key = node.outputs[0];
  const ks = spec.kernels[key];
  if (!ks) throw new UserError(`${describeNode(node)}: no quantization spec for this node (op ${node.opType})`);
  if (ks.op !== 'layout') {
    // Weights are read from the spec, so a kernel's weight inputs have no value here.
    const ins = node.inputs.map((n) => (n ? env.get(n) : undefined));
    const outs: (QValue | undefined)[] = runKernelQ(ks, { ins, names: node.inputs, out: format(key), where: describeNode(node) });
    return node.outputs.map((o, i) => (o ? outs[i] : undefined));
  }
  // 'layout': data movement: run the float op on the integers (exact below 2^24) and keep the format.
  const op = getOp(node.opType)!;
  let fmt: FixedFormat | undefined;
  const ins = node.inputs.map((n) => {
    if (!n) return undefined;
    const v = env.get(n) ?? (graph.initializers.has(n) ? { kind: 'plain' as const, tensor: graph.initializers.get(n)! } : undefined);
    if (!v) throw new Error(`${describeNode(node)}: input '${n}' has no value`);
    if (v.kind === 'plain') return v.tensor;
    fmt ??= v.format;
    return new Tensor('float32', v.shape, Float32Array.from(v.data));
  });
  const res = op.execute(new OpCall(node, graph.opset), ins);
  return res.map((t) => (fmt && FLOAT_TYPES.has(t.dtype)
    ? { kind: 'fixed' as const, shape: [...t.shape], data: Int32Array.from(t.data as ArrayLike<number>), format: fmt }
    : { kind: 'plain' as const, tensor: t }));
}
