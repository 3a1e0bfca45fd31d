/** `llm2hls inspect`: what is in a model and whether llm2hls can compile it. */
import { Dim, Graph, ValueInfo, isStatic } from './graph.js';
import { fuseGraph } from './passes/pipelines.js';
import { DTYPE_BYTES, FLOAT_TYPES } from './tensor.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { Bindings, bindAndInfer } from '../frontend/bind.js';
import { UnsupportedNode } from '../frontend/infer.js';
import { supportedOps } from './ops/index.js';
import { checkInspectOptions } from './options.js';

export interface TensorSummary { name: string; dtype: string; shape: Dim[]; /** An input the model gives no shape (not even a rank). */ shapeUnknown?: true }

export interface InspectReport {
  file: string;
  graphName: string;
  irVersion?: number;
  opset: number;
  producer?: string;
  nodeCount: number;
  opHistogram: Record<string, number>;
  /** Float initializers of the file (not Constant nodes): element count and bytes. */
  parameters: { count: number; bytes: number };
  /** All initializers, float or not. */
  initializers: { count: number; bytes: number };
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  /** Symbolic dims still unbound, by name. */
  symbolicDims: string[];
  unsupported: UnsupportedNode[];
  supported: boolean;
  /**
   * What fusion makes of the graph, when every dim is bound: transformer
   * kernels by type, and the ops no kernel absorbed (by node) besides the
   * elementwise Add of residuals. Absent when dims are unbound.
   */
  fusion?: { kernels: Record<string, number>; leftover: UnsupportedNode[] };
}

export interface InspectOptions { bindings?: Bindings }

export function inspectGraph(graph: Graph, file: string, options: InspectOptions = {}): InspectReport {
  const opHistogram: Record<string, number> = {};
  for (const n of graph.nodes) opHistogram[n.opType] = (opHistogram[n.opType] ?? 0) + 1;
  let paramCount = 0, paramBytes = 0, initBytes = 0;
  const weights = new Set(graph.meta.weightNames ?? graph.initializers.keys());
  for (const [name, t] of graph.initializers) {
    const bytes = t.size * DTYPE_BYTES[t.dtype];
    initBytes += bytes;
    if (weights.has(name) && FLOAT_TYPES.has(t.dtype)) { paramCount += t.size; paramBytes += bytes; }
  }
  const initCount = graph.initializers.size;
  const nodeCount = graph.nodes.length;
  const { unsupported } = bindAndInfer(graph, options.bindings ?? {}, { fold: true, strict: false });
  const symbolic = new Set<string>();
  for (const v of [...graph.inputs, ...graph.outputs]) for (const d of v.shape) if (typeof d === 'string' && d !== '?') symbolic.add(d);
  const fusion = unsupported.length === 0 && graphIsStatic(graph) ? fusionSummary(graph) : undefined;
  const summary = (v: ValueInfo): TensorSummary => ({ name: v.name, dtype: v.dtype, shape: [...v.shape], ...(v.shapeUnknown ? { shapeUnknown: true } : {}) });
  return {
    file,
    graphName: graph.name,
    irVersion: graph.meta.irVersion,
    opset: graph.opset,
    producer: graph.meta.producer,
    nodeCount,
    opHistogram,
    parameters: { count: paramCount, bytes: paramBytes },
    initializers: { count: initCount, bytes: initBytes },
    inputs: graph.inputs.map(summary),
    outputs: graph.outputs.map(summary),
    symbolicDims: [...symbolic],
    unsupported,
    supported: unsupported.length === 0,
    fusion,
  };
}

function graphIsStatic(graph: Graph): boolean {
  // An input without a shape has no type, so nothing after it was inferred.
  return graph.inputs.every((v) => graph.types.has(v.name)) && [...graph.types.values()].every((t) => isStatic(t.shape));
}

/** Ops a fused graph may keep besides the llm.* kernels. */
const ELEMENTWISE_KEPT = new Set(['Add']);

function fusionSummary(graph: Graph): InspectReport['fusion'] {
  fuseGraph(graph);
  const kernels: Record<string, number> = {};
  const leftover: UnsupportedNode[] = [];
  for (const n of graph.nodes) {
    if (n.opType.startsWith('llm.') || ELEMENTWISE_KEPT.has(n.opType)) kernels[n.opType] = (kernels[n.opType] ?? 0) + 1;
    else leftover.push({ node: n.name, opType: n.opType });
  }
  return { kernels, leftover };
}

export function inspectModel(file: string, options: InspectOptions = {}): InspectReport {
  checkInspectOptions(file, options);
  return inspectGraph(loadOnnxFile(file), file, options);
}

export { supportedOps };
