/**
 * Quantized golden runs of a model file: load -> prepareGraph -> fuseGraph
 * -> calibrate -> lower to the dataflow IR -> interpretDataflow (the golden
 * model of a quantized design; interpretQuantized over the fused graph
 * computes the same integers). Used by `llm2hls run --precision`,
 * scripts/accuracy.mjs and the accuracy tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { Graph, isStatic } from '../graph.js';
import { prepareGraph } from '../model.js';
import { fuseGraph } from '../passes/pipelines.js';
import { Tensor } from '../tensor.js';
import { loadOnnxFile } from '../../frontend/onnx-load.js';
import { Bindings, bindingsFromInputs } from '../../frontend/bind.js';
import { readTensorDir } from '../../frontend/tensor-files.js';
import { CalibrateOptions, buildQuantSpec, collectStats, randomInputSets } from './calibrate.js';
import { PrecisionName, precisionByName } from './precision.js';
import { interpretQuantized } from './quant-interpreter.js';
import { QuantSpec } from './spec.js';
import { DataflowGraph } from '../dataflow/ir.js';
import { lowerGraph } from '../dataflow/lower.js';
import { verifyDataflow } from '../dataflow/verify.js';
import { interpretDataflow } from '../dataflow/interpreter.js';

/** Loads, binds dims from the inputs, prepares and fuses. */
export function loadFused(modelPath: string, inputs: readonly Tensor[], bindings: Bindings = {}): Graph {
  const graph = loadOnnxFile(modelPath);
  prepareGraph(graph, { bindings: bindingsFromInputs(graph, inputs, bindings) });
  fuseGraph(graph);
  return graph;
}

function hasInputs(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'input_0.pb')) || fs.existsSync(path.join(dir, 'input_0.npy'));
}

/**
 * Input sets in DIR: DIR itself when it holds input_0.pb/.npy, else each
 * subfolder that does (sorted by name), e.g. prefill/ and decode/.
 */
export function readInputSets(dir: string): Tensor[][] {
  return readNamedInputSets(dir).map((s) => s.inputs);
}

export interface NamedInputSet { name: string; inputs: Tensor[] }

/** readInputSets with each set's subfolder name ('' for DIR itself). */
export function readNamedInputSets(dir: string): NamedInputSet[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: no such folder of calibration inputs`);
  if (hasInputs(dir)) return [{ name: '', inputs: readTensorDir(dir).map((t) => t.tensor) }];
  const subs = fs.readdirSync(dir).sort().filter((s) => fs.statSync(path.join(dir, s)).isDirectory() && hasInputs(path.join(dir, s)));
  return subs.map((s) => ({ name: s, inputs: readTensorDir(path.join(dir, s)).map((t) => t.tensor) }));
}

/** The model's own test inputs: MODEL_data/ or test_data_set_0/ beside the model file. */
export function modelTestInputs(modelPath: string): Tensor[][] {
  return namedModelTestInputs(modelPath).map((s) => s.inputs);
}

export function namedModelTestInputs(modelPath: string): NamedInputSet[] {
  const dir = path.dirname(modelPath);
  const stem = path.basename(modelPath, '.onnx');
  for (const d of [path.join(dir, `${stem}_data`), path.join(dir, 'test_data_set_0')]) {
    if (fs.existsSync(d) && fs.statSync(d).isDirectory()) {
      const sets = readNamedInputSets(d);
      if (sets.length > 0) return sets;
    }
  }
  return [];
}

export interface QuantizeModelOptions extends CalibrateOptions {
  /** Folder of calibration inputs (input_0.pb ... or subfolders of them). */
  calibrateDir?: string;
  bindings?: Bindings;
  /** How many random token-id sets to use when there are no sample inputs (default 4). */
  randomSets?: number;
}

export interface QuantizedModel {
  graph: Graph;
  spec: QuantSpec;
  /** Where the calibration inputs came from. */
  calibration: 'dir' | 'model-test-inputs' | 'random';
}

/**
 * Fuses MODEL for `inputs`' shapes and builds its QuantSpec from
 * calibration inputs: `calibrateDir`, else the model's own test inputs,
 * else random token ids shaped like `inputs` (float inputs kept).
 * Calibration sets of other shapes run on their own fused copy of the
 * model; statistics are merged by value name.
 */
export function quantizeModel(modelPath: string, inputs: readonly Tensor[], precision: PrecisionName, options: QuantizeModelOptions = {}): QuantizedModel {
  const graph = loadFused(modelPath, inputs, options.bindings);
  let sets: Tensor[][];
  let calibration: QuantizedModel['calibration'];
  if (options.calibrateDir) {
    sets = readInputSets(options.calibrateDir);
    if (sets.length === 0) throw new UserError(`${options.calibrateDir}: no input_0.pb or input_0.npy found (here or in a subfolder)`);
    calibration = 'dir';
  } else {
    sets = modelTestInputs(modelPath);
    calibration = 'model-test-inputs';
    if (sets.length === 0) {
      sets = randomInputSets(graph, inputs, options.randomSets ?? 4);
      calibration = 'random';
    }
  }
  const stats = new Map<string, number>();
  const signature = (ts: readonly Tensor[]) => ts.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
  const runSig = signature(inputs);
  const bySig = new Map<string, Tensor[][]>();
  for (const s of sets) bySig.set(signature(s), [...(bySig.get(signature(s)) ?? []), s]);
  for (const [sig, group] of bySig) {
    const g = sig === runSig ? graph : loadFused(modelPath, group[0], options.bindings);
    collectStats(g, group, stats);
  }
  const spec = buildQuantSpec(graph, stats, precision, options);
  return { graph, spec, calibration };
}

export interface NamedQuantOutput { name: string; tensor: Tensor }

export interface RunQuantizedOptions extends QuantizeModelOptions {
  /**
   * Which interpreter runs the quantized model: 'dataflow' (default: lower
   * the fused graph to the dataflow IR and run its golden interpreter) or
   * 'graph' (the fused graph's quantized interpreter; the same integers).
   */
  interpreter?: 'dataflow' | 'graph';
}

/** The fused graph lowered to the (unplanned) dataflow IR and checked. */
export function lowerQuantized(graph: Graph, precision: PrecisionName): DataflowGraph {
  const p = precisionByName(precision);
  const df = lowerGraph(graph, p);
  verifyDataflow(df, { activationBits: p.activationBits });
  return df;
}

/** Quantized golden run of MODEL on `inputs` (outputs dequantized to float32). */
export function runModelQuantized(modelPath: string, inputs: readonly Tensor[], precision: PrecisionName, options: RunQuantizedOptions = {}): { outputs: NamedQuantOutput[]; model: QuantizedModel; dataflow?: DataflowGraph } {
  const model = quantizeModel(modelPath, inputs, precision, options);
  const { graph, spec } = model;
  if (options.interpreter === 'graph') {
    const outs = interpretQuantized(graph, spec, inputs);
    return { outputs: graph.outputs.map((o, i) => ({ name: o.name, tensor: outs[i] })), model };
  }
  const dataflow = lowerQuantized(graph, precision);
  const named = Object.fromEntries(graph.inputs.map((v, i) => [v.name, inputs[i]]));
  const outs = interpretDataflow(dataflow, spec, named, { outputShapes: graph.outputs.map((o) => graphShape(graph, o.name)) });
  return { outputs: graph.outputs.map((o, i) => ({ name: o.name, tensor: outs[i] })), model, dataflow };
}

function graphShape(graph: Graph, name: string): number[] {
  const s = [graph.types.get(name)?.shape, graph.outputs.find((o) => o.name === name)?.shape].find((x) => x && isStatic(x));
  if (!s) throw new UserError(`graph output '${name}' has no static shape`);
  return s as number[];
}
