/**
 * Binding symbolic dimensions (`sequence`, `past_sequence` ...) to numbers,
 * from --bind flags or from the shapes of the input tensors a user brings.
 * Every binding is checked: a size, a dim the model has, and consistent with
 * the input files and with what shape inference derives from the others.
 */
import { UserError, bindHint } from '../compiler/errors.js';
import { Dim, Graph, ValueInfo, formatShape } from '../compiler/graph.js';
import { MAX_TENSOR_BYTES, TensorSizeError } from '../compiler/ops/limits.js';
import { Tensor } from '../compiler/tensor.js';
import { InferOptions, InferResult, inferGraph, positionEmbeddings, positionsNeeded } from './infer.js';

export type Bindings = Record<string, number>;

const isName = (d: Dim): d is string => typeof d === 'string' && d !== '?';
const list = (b: Bindings) => Object.entries(b).map(([n, v]) => `${n}=${v}`).join(', ');

/** Fails unless `value` can size a dimension (0 passes here: an empty KV-cache past is one; bindAndInfer rejects a 0 that empties an output). */
function checkSize(name: string, value: unknown, text = String(value)): void {
  if (!Number.isInteger(value) || (value as number) < 0) throw new UserError(`binding ${name}=${text}: a dimension must be a positive integer`);
  if (!Number.isSafeInteger(value)) throw new UserError(`binding ${name}=${text}: not a size (a dimension is at most ${Number.MAX_SAFE_INTEGER}, and far smaller in practice)`);
}

/** Parses `name=value` flags. */
export function parseBindings(flags: readonly string[]): Bindings {
  const out: Bindings = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    const name = flag.slice(0, at).trim();
    const text = flag.slice(at + 1).trim();
    if (at < 0 || !name) throw new UserError(`--bind '${flag}': expected name=value, e.g. --bind sequence=8`);
    const value = /^\d+$/.test(text) ? Number(text) : NaN; // a value beyond 2^53 loses digits here: checkSize names the text
    checkSize(name, value, text);
    if (out[name] !== undefined && out[name] !== value) throw new UserError(`binding ${name}=${value} contradicts ${name}=${out[name]} given before it`);
    out[name] = value;
  }
  return out;
}

/** Symbolic dims the model's declared inputs and outputs name. */
function symbolicDims(values: readonly ValueInfo[]): Set<string> {
  return new Set(values.flatMap((v) => v.shape.filter(isName)));
}

/** Fails on the first binding that is not a size or names no symbolic dim of the model. */
export function checkBindings(graph: Graph, bindings: Bindings): void {
  const known = symbolicDims([...graph.inputs, ...graph.outputs]);
  for (const [name, value] of Object.entries(bindings)) {
    checkSize(name, value);
    if (!known.has(name)) {
      throw new UserError(`binding ${name}=${value}: the model has no symbolic dimension named '${name}' (it has: ${[...known].join(', ') || 'none'})`);
    }
  }
}

/**
 * Binds dims from input tensors, checking count, element type and rank
 * against the graph and `given` against the files. An input the model gives
 * no shape takes the file's rank here, its dims named `input.dimK`.
 */
export function bindingsFromInputs(graph: Graph, tensors: readonly Tensor[], given: Bindings = {}): Bindings {
  if (tensors.length !== graph.inputs.length) {
    const names = graph.inputs.map((i) => `'${i.name}'`).join(', ');
    throw new UserError(`the model takes ${graph.inputs.length} input(s) (${names}), but ${tensors.length} input file(s) were given`);
  }
  const out: Bindings = { ...given };
  graph.inputs.forEach((input, i) => {
    const t = tensors[i];
    const what = `input ${i} '${input.name}'`;
    const holds = `the file holds [${t.shape.join(', ')}]`;
    if (t.dtype !== input.dtype) throw new UserError(`${what}: expected element type ${input.dtype}, the file holds ${t.dtype}`);
    if (input.shapeUnknown) {
      input.shape = t.shape.map((_, k) => `${input.name}.dim${k}`);
      input.shapeUnknown = false;
    }
    if (t.rank !== input.shape.length) throw new UserError(`${what}: expected shape ${formatShape(input.shape)}, ${holds}`);
    input.shape.forEach((d, k) => {
      const actual = t.shape[k];
      if (typeof d === 'number') {
        if (d !== actual) throw new UserError(`${what}: expected shape ${formatShape(input.shape)}, ${holds} (dim ${k})`);
      } else if (d !== '?') {
        if (given[d] !== undefined && given[d] !== actual) {
          throw new UserError(`binding ${d}=${given[d]} contradicts ${what}: ${holds}, so '${d}' (dim ${k}) is ${actual}`);
        }
        if (out[d] !== undefined && out[d] !== actual) {
          throw new UserError(`${what}: dim ${k} ('${d}') is ${actual}, but an earlier input file makes '${d}' ${out[d]}`);
        }
        out[d] = actual;
      }
    });
  });
  return out;
}

/** Replaces bound symbolic dims in the graph's declared inputs and outputs. */
function applyBindings(graph: Graph, bindings: Bindings): void {
  const bind = (shape: Dim[]): Dim[] => shape.map((d) => (typeof d === 'string' && bindings[d] !== undefined ? bindings[d] : d));
  for (const v of graph.outputs) v.shape = bind(v.shape);
  for (const v of graph.inputs) {
    if (v.shapeUnknown) continue; // no type: what depends on it stays uninferred
    v.shape = bind(v.shape);
    graph.types.set(v.name, { dtype: v.dtype, shape: v.shape });
  }
}

/**
 * Checks and applies `bindings`, infers shapes, then checks the bindings
 * against what inference derived: a binding of a derived dim (one only the
 * outputs name, like total_sequence) must agree with the other bindings, and
 * a 0 that empties an output is rejected.
 */
export function bindAndInfer(graph: Graph, bindings: Bindings, options: InferOptions = {}): InferResult {
  checkBindings(graph, bindings);
  const inputDims = symbolicDims(graph.inputs);
  const declared = graph.outputs.map((o) => [...o.shape]);
  const fromInputs = Object.fromEntries(Object.entries(bindings).filter(([n]) => inputDims.has(n)));
  checkPositions(graph, fromInputs);
  applyBindings(graph, bindings);
  let result: InferResult;
  try {
    result = inferGraph(graph, options);
  } catch (e) {
    // A tensor too large to create: name the binding(s) that sized it.
    if (!(e instanceof TensorSizeError)) throw e;
    const sized = Object.entries(fromInputs).filter(([, v]) => v > 1 && e.shape.includes(v));
    if (sized.length === 0) throw e;
    // The one(s) without which the tensor would fit, else every binding in its shape.
    const decisive = sized.filter(([, v]) => e.bytes / v <= MAX_TENSOR_BYTES);
    const culprits = decisive.length > 0 ? decisive : sized;
    throw new UserError(`binding ${list(Object.fromEntries(culprits))}: ${e.message}`);
  }
  const others = Object.keys(fromInputs).length > 0 ? `with ${list(fromInputs)}, ` : '';
  graph.outputs.forEach((out, i) => {
    const shape = formatShape(out.shape);
    if (out.shape.length === declared[i].length) {
      declared[i].forEach((d, k) => {
        const got = out.shape[k];
        if (!isName(d) || inputDims.has(d) || bindings[d] === undefined || typeof got !== 'number' || got === bindings[d]) return;
        throw new UserError(`binding ${d}=${bindings[d]} contradicts the model: ${others}output '${out.name}' is ${shape}, so '${d}' is ${got}`);
      });
    }
    const zeros = Object.entries(fromInputs).filter(([, v]) => v === 0).map(([n]) => `${n}=0`);
    if (out.shape.includes(0) && zeros.length > 0) {
      throw new UserError(`binding ${zeros.join(', ')}: a dimension must be a positive integer (0 leaves output '${out.name}' empty, ${shape}; only an empty KV-cache past may be 0)`);
    }
  });
  return result;
}

/**
 * Fails when the bindings ask for more positions than a positional
 * embedding table has rows (GPT-2's wpe: positions past + sequence need
 * that many rows), before inference folds the Gather or sizes what follows.
 */
function checkPositions(graph: Graph, bindings: Bindings): void {
  if (Object.keys(bindings).length === 0) return;
  for (const table of positionEmbeddings(graph)) {
    const needed = positionsNeeded(graph, table, bindings);
    if (needed === undefined || needed <= table.rows) continue;
    const used = Object.entries(bindings).filter(([n, v]) => v > 0 && table.dims.includes(n));
    const named = used.length > 0 ? list(Object.fromEntries(used)) : list(bindings);
    throw new UserError(`binding ${named}: the model has ${table.rows} positions (position embedding '${table.node}' has ${table.rows} rows)${used.length > 1 ? `, and these need ${needed}` : ''}`);
  }
}

/** Symbolic dims of the graph's inputs that `bindings` leaves unbound, by name. */
export function unboundDims(graph: Graph, bindings: Bindings = {}): string[] {
  const out = new Set<string>();
  for (const v of graph.inputs) for (const d of v.shape) if (typeof d === 'string' && bindings[d] === undefined) out.add(d);
  return [...out];
}

/** Fails, naming every unbound dim and the flags that bind them, when a static graph is needed. */
export function requireBound(graph: Graph, bindings: Bindings, what: string): void {
  checkBindings(graph, bindings); // a misspelt name is reported as such, not as a missing one
  const shapeless = graph.inputs.find((v) => v.shapeUnknown);
  if (shapeless) {
    throw new UserError(`input '${shapeless.name}' has no shape in the model (not even a rank); ${what} takes it from an input file (llm2hls run --inputs DIR), or re-export the model with input shapes`);
  }
  const missing = unboundDims(graph, bindings).filter((d) => d !== '?');
  if (missing.length === 0) return;
  throw new UserError(`the model has symbolic dimension(s) ${missing.map((d) => `'${d}'`).join(', ')}; ${what} needs static shapes, so bind them ${bindHint(missing)}`);
}
