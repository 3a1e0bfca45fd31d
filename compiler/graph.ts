/**
 * The tensor-level graph IR: what the ONNX frontend produces and the float32
 * golden interpreter executes. Close to ONNX (same op names and attributes,
 * default domain) so every later pass can be checked against ONNX Runtime.
 */
import { DType, Tensor } from './tensor.js';

/** A dimension: a number when known, a name when symbolic (`sequence`), `?` when unknown. */
export type Dim = number | string;

export interface ValueType {
  dtype: DType;
  shape: Dim[];
}

export interface ValueInfo extends ValueType {
  name: string;
  /** A graph input the model gives no shape at all (not even a rank): only an input file can bind it. */
  shapeUnknown?: boolean;
}

export type AttrValue = number | string | number[] | string[] | Tensor;
export type Attrs = Record<string, AttrValue>;

export interface Node {
  name: string;
  opType: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

export interface Graph {
  name: string;
  /** Default-domain opset the graph was written for. */
  opset: number;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Constant tensors: initializers, Constant nodes and folded values. */
  initializers: Map<string, Tensor>;
  nodes: Node[];
  /** Types of every value once inferred (inputs, outputs and intermediates). */
  types: Map<string, ValueType>;
  /** Metadata for reports; nothing in the compiler depends on it. */
  meta: { producer?: string; irVersion?: number; weightNames?: string[] };
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

export function describeNode(node: Node): string {
  return node.name ? `node '${node.name}' (${node.opType})` : `a ${node.opType} node`;
}

/** Number of distinct consumers per value, graph outputs counting as one. */
export function useCounts(graph: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  const bump = (n: string) => { if (n) uses.set(n, (uses.get(n) ?? 0) + 1); };
  for (const node of graph.nodes) node.inputs.forEach(bump);
  graph.outputs.forEach((o) => bump(o.name));
  return uses;
}

/** Producer node of every value computed by a node. */
export function producers(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const node of graph.nodes) for (const o of node.outputs) if (o) m.set(o, node);
  return m;
}
