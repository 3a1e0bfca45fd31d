/**
 * Binding symbolic dimensions (`sequence`, `past_sequence` ...) to numbers,
 * from --bind flags or from the shapes of the input tensors a user brings.
 */
import { UserError } from '../compiler/errors.js';
import { Dim, Graph, formatShape } from '../compiler/graph.js';
import { Tensor } from '../compiler/tensor.js';

export type Bindings = Record<string, number>;

/** Parses `name=value` flags. */
export function parseBindings(flags: readonly string[]): Bindings {
  const out: Bindings = {};
  for (const flag of flags) {
    const m = /^([^=]+)=(\d+)$/.exec(flag.trim());
    if (!m) throw new UserError(`--bind '${flag}': expected name=value with a non-negative integer value, e.g. --bind sequence=8`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Binds dims from input tensors, checking count, element type and rank against the graph. */
export function bindingsFromInputs(graph: Graph, tensors: readonly Tensor[], given: Bindings = {}): Bindings {
  if (tensors.length !== graph.inputs.length) {
    const names = graph.inputs.map((i) => `'${i.name}'`).join(', ');
    throw new UserError(`the model takes ${graph.inputs.length} input(s) (${names}), but ${tensors.length} input file(s) were given`);
  }
  const out: Bindings = { ...given };
  graph.inputs.forEach((input, i) => {
    const t = tensors[i];
    const what = `input ${i} '${input.name}'`;
    if (t.dtype !== input.dtype) throw new UserError(`${what}: expected element type ${input.dtype}, the file holds ${t.dtype}`);
    if (t.rank !== input.shape.length) {
      throw new UserError(`${what}: expected shape ${formatShape(input.shape)}, the file holds [${t.shape.join(', ')}]`);
    }
    input.shape.forEach((d, k) => {
      const actual = t.shape[k];
      if (typeof d === 'number') {
        if (d !== actual) throw new UserError(`${what}: expected shape ${formatShape(input.shape)}, the file holds [${t.shape.join(', ')}] (dim ${k})`);
      } else if (d !== '?') {
        if (out[d] !== undefined && out[d] !== actual) {
          throw new UserError(`${what}: dim ${k} ('${d}') is ${actual}, but '${d}' is already bound to ${out[d]}`);
        }
        out[d] = actual;
      }
    });
  });
  return out;
}

/** Replaces bound symbolic dims in the graph's declared inputs and outputs. */
export function applyBindings(graph: Graph, bindings: Bindings): void {
  const known = new Set<string>();
  for (const v of [...graph.inputs, ...graph.outputs]) for (const d of v.shape) if (typeof d === 'string') known.add(d);
  for (const name of Object.keys(bindings)) {
    if (!known.has(name)) {
      throw new UserError(`--bind ${name}: the model has no dimension named '${name}' (it has: ${[...known].join(', ') || 'none'})`);
    }
  }
  const bind = (shape: Dim[]): Dim[] => shape.map((d) => (typeof d === 'string' && bindings[d] !== undefined ? bindings[d] : d));
  for (const v of graph.outputs) v.shape = bind(v.shape);
  for (const v of graph.inputs) {
    v.shape = bind(v.shape);
    graph.types.set(v.name, { dtype: v.dtype, shape: v.shape });
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
  const missing = unboundDims(graph, bindings).filter((d) => d !== '?');
  if (missing.length === 0) return;
  const example = missing.map((d) => `--bind ${d}=${d.startsWith('past') ? 0 : 8}`).join(' ');
  throw new UserError(`the model has symbolic dimension(s) ${missing.map((d) => `'${d}'`).join(', ')}; ${what} needs static shapes, so bind them, e.g. ${example}`);
}
