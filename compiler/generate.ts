/**
 * `llm2hls generate`: greedy token generation on a golden model, the way a
 * user will drive the accelerator. A decoder exported with a KV cache
 * (past_* inputs, present_* outputs) runs prefill once and then one token per
 * step, feeding each step's present back as the next past; a decoder
 * without one re-runs the whole sequence each step (it needs a dynamic
 * sequence axis for that).
 */
import fs from 'node:fs';
import { UserError, optionName } from './errors.js';
import { Graph, ValueInfo, formatShape } from './graph.js';
import { PrecisionName, precisionByName } from './numerics/precision.js';
import { runModelQuantized } from './numerics/run-quantized.js';
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
  /** Called with each new token as it is chosen. */
  onToken?: (token: number, step: number) => void;
}

export interface GenerateResult {
  model: string;
  precision: PrecisionName;
  mode: 'golden';
  kvCache: boolean;
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

function argmaxLast(logits: Tensor, vocab: number): number {
  const T = logits.shape[1];
  const row = logits.data.subarray((T - 1) * vocab, T * vocab);
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export function generate(modelPath: string, options: GenerateOptions): GenerateResult {
  const precision = precisionByName(options.precision ?? 'fp32').name;
  if (options.promptIds.length === 0) throw new UserError(`${optionName('promptIds', '--prompt-ids')}: give at least one token id`);
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) throw new UserError(`${optionName('maxNewTokens', '--max-new-tokens')}: expected a positive integer`);
  if (!fs.existsSync(modelPath)) throw new UserError(`${modelPath}: no such file`);
  const bytes = fs.readFileSync(modelPath);
  const load = () => decodeModel(bytes, modelPath, externalReader(modelPath));
  const graph = load();
  const shape = decoderShape(graph, modelPath);
  // Fail before the first step, not after printing the tokens that fit.
  const table = positionEmbeddings(graph).sort((a, b) => a.rows - b.rows)[0];
  const total = options.promptIds.length + options.maxNewTokens;
  if (table && total > table.rows) {
    throw new UserError(`prompt (${options.promptIds.length}) + max-new-tokens (${options.maxNewTokens}) = ${total} exceeds the model's ${table.rows} positions (position embedding '${table.node}' has ${table.rows} rows)`);
  }
  const bad = options.promptIds.find((t) => !Number.isInteger(t) || t < 0 || t >= shape.vocab);
  if (bad !== undefined) throw new UserError(`${optionName('promptIds', '--prompt-ids')}: token ${bad} is outside the vocabulary 0..${shape.vocab - 1}`);

  const step = (inputs: Tensor[]): Tensor[] => precision === 'fp32'
    ? runGraph(load(), inputs).map((o) => o.tensor)
    : runModelQuantized(modelPath, inputs, precision).outputs.map((o) => o.tensor);

  const started = performance.now();
  const kvCache = shape.past.length > 0;
  const generated: number[] = [];
  let past = shape.past.map(emptyPast);
  let feed = [...options.promptIds];
  for (let i = 0; i < options.maxNewTokens; i++) {
    const ids = Tensor.from(shape.ids.dtype, [1, feed.length], feed);
    const [logits, ...present] = step(kvCache ? [ids, ...past] : [ids]);
    const next = argmaxLast(logits, shape.vocab);
    generated.push(next);
    options.onToken?.(next, i);
    if (kvCache) { past = present; feed = [next]; } else feed = [...feed, next];
  }
  return {
    model: modelPath, precision, mode: 'golden', kvCache,
    prompt: [...options.promptIds], generated, seconds: (performance.now() - started) / 1000,
  };
}
