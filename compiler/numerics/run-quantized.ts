/**
 * Quantized golden runs of a model file: load -> prepareGraph -> fuseGraph
 * -> calibrate -> lower to the dataflow IR -> interpretDataflow (the golden
 * model of a quantized design; interpretQuantized over the fused graph
 * computes the same integers). Used by `llm2hls run --precision`,
 * scripts/accuracy.mjs and the accuracy tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, bindHint, optionName } from '../errors.js';
import { Graph, isStatic } from '../graph.js';
import { prepareGraph } from '../model.js';
import { fuseGraph } from '../passes/pipelines.js';
import { FLOAT_TYPES, Tensor } from '../tensor.js';
import { loadOnnxFile } from '../../frontend/onnx-load.js';
import { Bindings, bindingsFromInputs } from '../../frontend/bind.js';
import { readTensorDir } from '../../frontend/tensor-files.js';
import { CalibrateOptions, buildQuantSpec, collectStats, randomInputSets } from './calibrate.js';
import { PrecisionName, precisionByName } from './precision.js';
import { interpretQuantized } from './quant-interpreter.js';
import { Helper, MaxAbsJob, fileRows } from '../helper-worker.js';
import { setLinearHelper } from '../kernels/linear-simd.js';
import { QuantSpec } from './spec.js';
import { DataflowGraph } from '../dataflow/ir.js';
import { lowerGraph } from '../dataflow/lower.js';
import { verifyDataflow } from '../dataflow/verify.js';
import { interpretDataflow } from '../dataflow/interpreter.js';

/**
 * Loads, binds dims from the inputs (or from `bindings` alone when `inputs`
 * is undefined), prepares and fuses.
 */
export function loadFused(modelPath: string, inputs: readonly Tensor[] | undefined, bindings: Bindings = {}): Graph {
  const graph = loadOnnxFile(modelPath);
  prepareGraph(graph, { bindings: inputs ? bindingsFromInputs(graph, inputs, bindings) : bindings });
  fuseGraph(graph);
  return graph;
}

/**
 * loadFused for a calibration set: the set's own shapes bind every dim.
 * Explicit bindings describe the run's shapes, which may differ (e.g. a
 * decode step's past length); the only ones its inputs do not carry are
 * derived dims (total_sequence), which the set's shapes decide too.
 */
function loadFusedForSet(modelPath: string, inputs: readonly Tensor[]): Graph {
  const graph = loadOnnxFile(modelPath);
  prepareGraph(graph, { bindings: bindingsFromInputs(graph, inputs) });
  fuseGraph(graph);
  return graph;
}

/** Shape-only stand-ins for a prepared graph's inputs (zeros of the bound shapes). */
function inputStandIns(graph: Graph): Tensor[] {
  return graph.inputs.map((v) => {
    if (!isStatic(v.shape)) throw new UserError(`input '${v.name}' has symbolic dims [${v.shape.join(', ')}]; bind them ${bindHint(v.shape.filter((d): d is string => typeof d === 'string'))}`);
    return Tensor.zeros(v.dtype, v.shape as number[]);
  });
}

/** Tokens per calibration sequence of a causal decoder (docs/numerics.md, section 4). */
export const CALIBRATION_TOKENS = 16;

/** Fused kernels whose rows depend only on the same or earlier tokens (with causal attention). */
const PREFIX_OPS = new Set(['llm.Linear', 'llm.Embedding', 'llm.LayerNorm', 'llm.RMSNorm', 'llm.Gelu', 'llm.SiLU', 'llm.SwiGLU', 'llm.RoPE', 'llm.Attention', 'Add']);

/**
 * The calibration rule for causal decoders: the first `tokens` tokens of
 * each sequence. In a fused graph of per-token kernels and causal attention
 * every value's first `tokens` rows are exactly those of running the
 * prefix alone, so the prefix runs on the same fused graph with its
 * token-indexed constants (position rows, RoPE tables) cut to the prefix.
 * Undefined when the rule does not apply (bidirectional attention, other
 * ops, constants it cannot cut) or the sequences are no longer than `tokens`.
 */
export function calibrationPrefix(graph: Graph, sets: readonly (readonly Tensor[])[], tokens: number): { graph: Graph; sets: Tensor[][] } | undefined {
  if (tokens <= 0 || sets.length === 0) return undefined;
  const attention = graph.nodes.filter((n) => n.opType === 'llm.Attention');
  if (attention.length === 0 || attention.some((n) => Number(n.attrs.causal ?? 0) !== 1)) return undefined;
  if (graph.nodes.some((n) => !PREFIX_OPS.has(n.opType))) return undefined;
  // Token ids [B, T] with one T over every integer input and set; float inputs (a KV past) are kept whole.
  let T = -1;
  for (const set of sets) {
    for (const t of set) {
      if (FLOAT_TYPES.has(t.dtype)) continue;
      if (t.rank !== 2 || (T >= 0 && t.shape[1] !== T)) return undefined;
      T = t.shape[1];
    }
  }
  if (T <= tokens) return undefined;
  const cut = (c: Tensor, axis: number): Tensor | undefined => {
    if (c.shape.slice(0, axis).some((d) => d !== 1)) return undefined;
    const inner = c.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return new Tensor(c.dtype, [...c.shape.slice(0, axis), tokens, ...c.shape.slice(axis + 1)], c.peek().slice(0, tokens * inner));
  };
  const initializers = new Map(graph.initializers);
  for (const node of graph.nodes) {
    const slots: [number, number][] = []; // [input slot, token axis of the constant]
    if (node.opType === 'Add') {
      const i = node.inputs.findIndex((v) => graph.initializers.has(v));
      if (i >= 0) {
        const c = graph.initializers.get(node.inputs[i])!;
        if (c.rank >= 2 && c.shape[c.rank - 2] === T) slots.push([i, c.rank - 2]);
        else if (c.rank >= 2 && c.shape[c.rank - 2] !== 1) return undefined;
      }
    } else if (node.opType === 'llm.RoPE') {
      for (const i of [1, 2]) {
        const c = graph.initializers.get(node.inputs[i]);
        if (c && c.rank === 2 && c.shape[0] === T) slots.push([i, 0]);
        else if (c) return undefined;
      }
    } else if (node.opType === 'llm.Embedding') {
      const ids = graph.initializers.get(node.inputs[1]);
      if (ids) return undefined;
    } else if (node.opType === 'llm.Attention') {
      if (node.inputs.slice(3).some((v) => v && !graph.inputs.some((g) => g.name === v))) return undefined;
    }
    for (const [i, axis] of slots) {
      const c = cut(graph.initializers.get(node.inputs[i])!, axis);
      if (!c) return undefined;
      initializers.set(node.inputs[i], c);
    }
  }
  const prefixSets = sets.map((set) => set.map((t) => {
    if (FLOAT_TYPES.has(t.dtype)) return t;
    const [B] = t.shape;
    const out = Tensor.zeros(t.dtype, [B, tokens]);
    for (let b = 0; b < B; b++) out.data.set(t.data.subarray(b * T, b * T + tokens), b * tokens);
    return out;
  }));
  return { graph: { ...graph, initializers }, sets: prefixSets };
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
  /**
   * Tokens per sequence a causal decoder is calibrated on when no
   * calibrateDir is given (default CALIBRATION_TOKENS; 0: whole sequences).
   * Sets from calibrateDir are always used whole.
   */
  calibrationTokens?: number;
  /**
   * A quantization of the same model (for other input shapes, e.g. an
   * earlier step of generation) whose calibration is reused: nothing is
   * calibrated; the formats come from its statistics, and its kernels that
   * do not depend on the shapes are shared (buildQuantSpec's `reuseKernels`). The
   * calibration options above are then ignored.
   */
  reuse?: QuantizedModel;
}

export interface QuantizedModel {
  graph: Graph;
  spec: QuantSpec;
  /** Where the calibration inputs came from. */
  calibration: 'dir' | 'model-test-inputs' | 'random';
  /** What the user should know about the calibration (float inputs calibrated on stand-ins ...), one line each. */
  warnings: string[];
  /** The calibration statistics (max |value| by value name) the spec was built from. */
  stats: ReadonlyMap<string, number>;
}

/**
 * Fuses MODEL for `inputs`' shapes (or, with `inputs` undefined, for the
 * shapes `bindings` and the model fix) and builds its QuantSpec from
 * calibration inputs: `calibrateDir`, else the model's own test inputs,
 * else random token ids shaped like `inputs` (float inputs kept); a causal
 * decoder is calibrated on the first `calibrationTokens` tokens of sample
 * and random sequences. Calibration sets of other shapes run on their own
 * fused copy of the model, bound by their own shapes; statistics are
 * merged by value name.
 */
export function quantizeModel(modelPath: string, inputs: readonly Tensor[] | undefined, precision: PrecisionName, options: QuantizeModelOptions = {}): QuantizedModel {
  const graph = loadFused(modelPath, inputs, options.bindings);
  const { reuse } = options;
  if (reuse) {
    if (reuse.spec.precision !== precision) throw new UserError(`reuse: the model was quantized for ${reuse.spec.precision}, not ${precision}`);
    const spec = buildQuantSpec(graph, new Map(reuse.stats), precision, { headroom: options.headroom, onProgress: options.onProgress, reuseKernels: reuse.spec });
    return { graph, spec, calibration: reuse.calibration, warnings: reuse.warnings, stats: reuse.stats };
  }
  const scales = scalesInBackground(graph);
  // The same worker then takes half of each calibration Linear's column stripes.
  if (scales) setLinearHelper((req) => scales.helper.linear(req));
  try {
    return calibrateModel(modelPath, graph, inputs, precision, { ...options, maxAbsOf: scales?.maxAbsOf ?? options.maxAbsOf });
  } finally {
    if (scales) setLinearHelper(undefined);
    void scales?.helper.close();
  }
}

/**
 * A large model's weight maxima (the quantization scales), computed by the helper worker while
 * this thread calibrates (compiler/helper-worker.ts); undefined for a small model or without a worker.
 */
function scalesInBackground(graph: Graph): { helper: Helper; maxAbsOf: (w: Tensor, axis: 0 | 1) => Float64Array | undefined } | undefined {
  const jobs: MaxAbsJob[] = [];
  const index = new Map<Tensor, number>();
  let channels = 0;
  for (const node of graph.nodes) {
    const [slot, axis] = node.opType === 'llm.Linear' ? [1, 1 as const] : node.opType === 'llm.Embedding' ? [0, 0 as const] : [-1, 0 as const];
    const w = slot >= 0 ? graph.initializers.get(node.inputs[slot]) : undefined;
    if (!w || w.dtype !== 'float32' || w.rank !== 2 || index.has(w)) continue;
    const rows = fileRows(w.rawRows());
    if (!rows) continue;
    const [R, C] = w.shape;
    index.set(w, jobs.length);
    jobs.push({ rows, R, C, axis, at: channels });
    channels += axis === 1 ? C : R;
  }
  if (jobs.length === 0) return undefined;
  const helper = Helper.start();
  if (!helper) return undefined;
  const result = helper.maxAbs(jobs, channels);
  return {
    helper,
    maxAbsOf: (w, axis) => {
      const i = index.get(w);
      return i !== undefined && jobs[i].axis === axis ? result(i) : undefined;
    },
  };
}

function calibrateModel(modelPath: string, graph: Graph, inputs: readonly Tensor[] | undefined, precision: PrecisionName,
  options: QuantizeModelOptions & CalibrateOptions): QuantizedModel {
  const like = inputs ?? inputStandIns(graph);
  let sets: Tensor[][];
  let calibration: QuantizedModel['calibration'];
  const warnings: string[] = [];
  if (options.calibrateDir) {
    sets = readInputSets(options.calibrateDir);
    if (sets.length === 0) throw new UserError(`${options.calibrateDir}: no input_0.pb or input_0.npy found (here or in a subfolder)`);
    calibration = 'dir';
  } else {
    sets = modelTestInputs(modelPath);
    calibration = 'model-test-inputs';
    if (sets.length === 0) {
      // Without the real inputs (inputs undefined: shape-only stand-ins), float inputs get
      // seeded random normal values of unit scale: zeros would calibrate every range to 0.
      sets = randomInputSets(graph, like, options.randomSets ?? 4, 1, inputs ? 'like' : 'normal');
      calibration = 'random';
      if (!inputs) {
        for (const { name } of graph.inputs.filter((v) => FLOAT_TYPES.has(v.dtype))) {
          warnings.push(`calibrated float input '${name}' on seeded random normal values of unit scale (no calibration inputs, no test inputs beside the model): `
            + `its fixed-point ranges may not suit real data; pass ${optionName('calibrate', '--calibrate')} DIR with real inputs`);
        }
      }
    }
  }
  const tokens = calibration === 'dir' ? 0 : options.calibrationTokens ?? CALIBRATION_TOKENS;
  const stats = new Map<string, number>();
  const signature = (ts: readonly Tensor[]) => ts.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
  const runSig = signature(like);
  const bySig = new Map<string, Tensor[][]>();
  for (const s of sets) bySig.set(signature(s), [...(bySig.get(signature(s)) ?? []), s]);
  const groups = [...bySig].map(([sig, group]) => {
    const g = sig === runSig ? graph : loadFusedForSet(modelPath, group[0]);
    return calibrationPrefix(g, group, tokens) ?? { graph: g, sets: group };
  });
  const total = groups.reduce((n, c) => n + c.sets.length * c.graph.nodes.length, 0);
  let before = 0;
  for (const c of groups) {
    collectStats(c.graph, c.sets, stats, (done) => options.onProgress?.('calibrating', before + done, total));
    before += c.sets.length * c.graph.nodes.length;
  }
  const spec = buildQuantSpec(graph, stats, precision, options);
  return { graph, spec, calibration, warnings, stats };
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
