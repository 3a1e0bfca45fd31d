/** Loading a model and preparing its graph for execution: the frontend in one call. */
import { Graph } from './graph.js';
import { verifyGraph } from './verify.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { Bindings, bindAndInfer, requireBound } from '../frontend/bind.js';
import { requireStatic } from '../frontend/infer.js';

export interface PrepareOptions {
  bindings?: Bindings;
}

/** Loads MODEL, binds dims, infers shapes, folds constants and checks the result is static and supported. */
export function prepareGraph(graph: Graph, options: PrepareOptions = {}): Graph {
  requireBound(graph, options.bindings ?? {}, 'llm2hls');
  bindAndInfer(graph, options.bindings ?? {}, { fold: true, strict: true });
  requireStatic(graph);
  verifyGraph(graph);
  return graph;
}

export function loadModel(modelPath: string): Graph {
  return loadOnnxFile(modelPath);
}
