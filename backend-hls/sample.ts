/**
 * The sample a project ships in csim/sample/ so that `make csim`, `make hls`
 * and `make cosim` run and check something in a fresh project: one input set
 * (the --calibrate inputs, else the model's own test inputs, when their
 * shapes match the compiled ones, else seeded random token ids), as raw
 * input_N.bin and as input_N.pb (for `llm2hls sim --inputs`), and the
 * golden model's outputs as raw output_N.bin: the quantized golden model's
 * integers q in fixed point, the fused float32 golden model's values in fp32.
 */
import { Graph } from '../compiler/graph.js';
import { interpret } from '../compiler/interpreter.js';
import { randomInputSets } from '../compiler/numerics/calibrate.js';
import { runQuantized } from '../compiler/numerics/quant-interpreter.js';
import { modelTestInputs, readInputSets } from '../compiler/numerics/run-quantized.js';
import { QuantSpec } from '../compiler/numerics/spec.js';
import { DType, Tensor } from '../compiler/tensor.js';
import { UserError } from '../compiler/errors.js';
import type { IoInput, IoOutput } from './emit.js';
import { encodeInput, encodeOutput } from './raw-io.js';

/** Above this many multiply-accumulates (weights x tokens) compile does not run the golden model for the expected outputs. */
export const SAMPLE_GOLDEN_MAX_MACS = 2e8;

export interface ProjectSample {
  /** Where the inputs came from. */
  source: 'model test inputs' | 'calibration inputs' | 'random token ids';
  inputs: Tensor[];
  /** Raw bytes of input_N.bin, in graph-input order. */
  rawInputs: Buffer[];
  /** Raw bytes of the expected output_N.bin (absent when the golden run was skipped). */
  rawExpected?: Buffer[];
  /** Why there are no expected outputs. */
  skipped?: string;
}

/** The first set whose tensors the project accepts as they are (shapes, types, token ids in range). */
function firstFitting(sets: readonly Tensor[][], io: readonly IoInput[]): { inputs: Tensor[]; raws: Buffer[] } | undefined {
  for (const set of sets) {
    if (set.length !== io.length) continue;
    try {
      return { inputs: set, raws: io.map((spec, i) => encodeInput(spec, set[i])) };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
  }
  return undefined;
}

export function projectSample(graph: Graph, io: { inputs: IoInput[]; outputs: IoOutput[] }, options: {
  modelPath: string; calibrate?: string; spec?: QuantSpec; weightElements: number;
}): ProjectSample {
  let source: ProjectSample['source'] = 'calibration inputs';
  let found = options.calibrate ? firstFitting(readInputSets(options.calibrate), io.inputs) : undefined;
  if (!found) { source = 'model test inputs'; found = firstFitting(modelTestInputs(options.modelPath), io.inputs); }
  if (!found) {
    source = 'random token ids';
    const like = io.inputs.map((i) => Tensor.zeros(i.dtype as DType, i.shape));
    found = firstFitting(randomInputSets(graph, like, 1), io.inputs);
    if (!found) throw new Error('the generated sample inputs do not fit the project');
  }
  const { inputs, raws } = found;
  const tokens = Math.max(1, ...io.inputs.filter((i) => i.role === 'stream').map((i) => (i.vocab !== undefined ? i.count : i.count / (i.shape[i.shape.length - 1] || 1))));
  const macs = options.weightElements * tokens;
  if (macs > SAMPLE_GOLDEN_MAX_MACS) {
    return { source, inputs, rawInputs: raws, skipped: `the golden run (~${(macs / 1e9).toFixed(1)} GMAC) would make compile slow` };
  }
  let values: ArrayLike<number>[];
  if (options.spec) {
    const fixed = runQuantized(graph, options.spec, inputs).fixed;
    const missing = fixed.findIndex((v) => !v || v.kind !== 'fixed');
    if (missing >= 0) return { source, inputs, rawInputs: raws, skipped: `output ${missing} has no integer golden value` };
    values = fixed.map((v) => (v as { data: Int32Array }).data);
  } else {
    values = interpret(graph, inputs).map((t) => t.data as ArrayLike<number>);
  }
  return { source, inputs, rawInputs: raws, rawExpected: io.outputs.map((spec, i) => encodeOutput(spec, values[i])) };
}
