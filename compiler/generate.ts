/**
 * `llm2hls generate`: token generation on a golden model, the way a user
 * will drive the accelerator: greedy (argmax) by default, or seeded sampling
 * with a temperature, top-k and top-p (compiler/sampling.ts). A decoder
 * exported with a KV cache (past_* inputs, present_* outputs) runs prefill
 * once and then one token per step, feeding each step's present back as the
 * next past; a decoder without one re-runs the whole sequence each step (it
 * needs a dynamic sequence axis for that). A quantized precision is
 * calibrated once, at the first step; later steps (other shapes) reuse that
 * calibration and the kernels that do not depend on the shapes.
 */
import fs from 'node:fs';
import { UserError, optionName } from './errors.js';
import { Graph, ValueInfo, formatShape } from './graph.js';
import { PrecisionName, precisionByName } from './numerics/precision.js';
import { QuantizedModel, runModelQuantized } from './numerics/run-quantized.js';
import { samplingSettings } from './options.js';
import { SamplingSettings, tokenPicker } from './sampling.js';
import { runGraph } from './run.js';
import { Tensor } from './tensor.js';
import { decodeModel } from '../frontend/onnx-load.js';
import { externalReader } from '../frontend/external-data.js';
import { positionEmbeddings } from '../frontend/infer.js';

export interface GenerateOptions {
  promptIds: readonly number[];
  maxNewTokens: number;
  /** fp32 (default) or a quantized preset, run by its bit-accurate golden model. */
  precision?: PrecisionName;
  /** The context window: prompt + maxNewTokens must fit in it (and in the model's positions). */
  maxContext?: number;
  /** Sampling temperature: absent or 0 is greedy (argmax); above 0 samples (compiler/sampling.ts). */
  temperature?: number;
  /** Sample among the k most probable tokens only (with temperature > 0). */
  topK?: number;
  /** Nucleus sampling: among the most probable tokens that reach probability p, 0 < p <= 1 (with temperature > 0). */
  topP?: number;
  /** Seed of the sampler's generator, a non-negative integer (default 0; with temperature > 0). */
  seed?: number;
  /** Called with each new token as it is chosen. */
  onToken?: (token: number, step: number) => void;
  /** Progress of a quantized precision: 'calibrating' (once per generation) and 'quantizing' (each step). */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface GenerateResult {
  model: string;
  precision: PrecisionName;
  mode: 'golden';
  kvCache: boolean;
  /** How each token was chosen. */
  sampling: SamplingSettings;
  prompt: number[];
  generated: number[];
  seconds: number;
}

/** The model's roles: token ids in, logits out, and the KV-cache pairs when it has them. */
interface DecoderShape {
  ids: ValueInfo;
  vocab: number;
  past: ValueInfo[];
}

function decoderShape(graph: Graph, file: string): DecoderShape {
  const ids = graph.inputs.find((v) => (v.dtype === 'int64' || v.dtype === 'int32') && v.shape.length === 2);
  if (!ids) throw new UserError(`${file}: generate needs a token-id input of shape [batch, sequence]; the inputs are ${graph.inputs.map((v) => `'${v.name}' ${v.dtype}${formatShape(v.shape)}`).join(', ')}`);
  const logits = graph.outputs[0];
  const vocab = logits?.shape[logits.shape.length - 1];
  if (!logits || logits.shape.length !== 3 || typeof vocab !== 'number') {
    throw new UserError(`${file}: generate needs logits [batch, sequence, vocab] as the first output; it is '${logits?.name}' ${formatShape(logits?.shape ?? [])}`);
  }
  const past = graph.inputs.filter((v) => v !== ids);
  if (past.length > 0 && graph.outputs.length !== past.length + 1) {
    throw new UserError(`${file}: ${past.length} past input(s) but ${graph.outputs.length - 1} present output(s); generate pairs past_* inputs with present_* outputs in order`);
  }
  if (past.length === 0 && typeof ids.shape[1] === 'number') {
    throw new UserError(`${file}: input '${ids.name}' has a fixed length of ${ids.shape[1]} and the model has no KV cache; generate needs a dynamic sequence axis (export with dynamic_axes) or past_* inputs`);
  }
  return { ids, vocab, past };
}

/** An empty past: every symbolic dim (the past length) is 0. */
function emptyPast(v: ValueInfo): Tensor {
  return Tensor.zeros(v.dtype, v.shape.map((d) => (typeof d === 'number' ? d : 0)));
}

/** The logits of the last position. */
function lastRow(logits: Tensor, vocab: number): ArrayLike<number> {
  const T = logits.shape[1];
  return logits.data.subarray((T - 1) * vocab, T * vocab) as ArrayLike<number>;
}

export function generate(modelPath: string, options: GenerateOptions): GenerateResult {
  const precision = precisionByName(options.precision ?? 'fp32').name;
  const prompt = options.promptIds;
  if (prompt.length === 0) throw new UserError(`${optionName('promptIds', '--prompt-ids')}: give at least one token id`);
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) throw new UserError(`${optionName('maxNewTokens', '--max-new-tokens')}: expected a positive integer`);
  const maxContext = options.maxContext;
  if (maxContext !== undefined && !(Number.isInteger(maxContext) && maxContext > 0)) throw new UserError(`${optionName('maxContext', '--max-context')}: got ${maxContext}; expected a positive integer`);
  const sampling = samplingSettings(options);
  if (!fs.existsSync(modelPath)) throw new UserError(`${modelPath}: no such file`);
  const bytes = fs.readFileSync(modelPath);
  const load = () => decodeModel(bytes, modelPath, externalReader(modelPath));
  const graph = load();
  const shape = decoderShape(graph, modelPath);
  // Fail before the first step, not after printing the tokens that fit.
  const bad = prompt.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= shape.vocab);
  if (bad >= 0) throw new UserError(`${optionName('promptIds', '--prompt-ids')}: token ${prompt[bad]} is outside the vocabulary 0..${shape.vocab - 1} (vocab size ${shape.vocab}; prompt position ${bad})`);
  const total = prompt.length + options.maxNewTokens;
  const sum = `prompt (${prompt.length}) + max-new-tokens (${options.maxNewTokens}) = ${total}`;
  const table = positionEmbeddings(graph).sort((a, b) => a.rows - b.rows)[0];
  const positions = table && `the model's ${table.rows} positions (position embedding '${table.node}' has ${table.rows} rows)`;
  if (table && maxContext !== undefined && maxContext > table.rows) {
    throw new UserError(`${optionName('maxContext', '--max-context')}: ${maxContext} exceeds ${positions}`);
  }
  if (maxContext !== undefined && prompt.length > maxContext) {
    throw new UserError(`the prompt (${prompt.length} tokens) is longer than the context, ${optionName('maxContext', '--max-context')} ${maxContext}`);
  }
  if (maxContext !== undefined && total > maxContext) {
    throw new UserError(`${sum} exceeds the context, ${optionName('maxContext', '--max-context')} ${maxContext}`);
  }
  if (table && prompt.length > table.rows) throw new UserError(`the prompt (${prompt.length} tokens) is longer than ${positions}`);
  if (table && total > table.rows) throw new UserError(`${sum} exceeds ${positions}`);

  // A quantized precision is calibrated at the first step only; later steps reuse it.
  let quantized: QuantizedModel | undefined;
  const step = (inputs: Tensor[]): Tensor[] => {
    if (precision === 'fp32') return runGraph(load(), inputs).map((o) => o.tensor);
    const run = runModelQuantized(modelPath, inputs, precision, { reuse: quantized, onProgress: options.onProgress });
    quantized ??= run.model;
    return run.outputs.map((o) => o.tensor);
  };
  const pick = tokenPicker(sampling);

  const started = performance.now();
  const kvCache = shape.past.length > 0;
  const generated: number[] = [];
  let past = shape.past.map(emptyPast);
  let feed = [...prompt];
  for (let i = 0; i < options.maxNewTokens; i++) {
    const ids = Tensor.from(shape.ids.dtype, [1, feed.length], feed);
    const [logits, ...present] = step(kvCache ? [ids, ...past] : [ids]);
    const next = pick(lastRow(logits, shape.vocab));
    generated.push(next);
    options.onToken?.(next, i);
    if (kvCache) { past = present; feed = [next]; } else feed = [...feed, next];
  }
  return {
    model: modelPath, precision, mode: 'golden', kvCache, sampling,
    prompt: [...prompt], generated, seconds: (performance.now() - started) / 1000,
  };
}
