/** IR text in, IR text out: helpers for the fusion pass tests. */
import { expect } from 'vitest';
import { Graph } from '../../compiler/graph.js';
import { parseGraph, printGraph } from '../../compiler/graph-text.js';
import { interpret } from '../../compiler/interpreter.js';
import { GraphPass } from '../../compiler/passes/pass.js';
import { Tensor, FLOAT_TYPES, sizeOf } from '../../compiler/tensor.js';
import { verifyGraph } from '../../compiler/verify.js';
import { inferGraph } from '../../frontend/infer.js';
import { relativeError } from './compare.js';

/** Strips the common indentation and the first newline of a template literal. */
export function ir(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/\s*$/, '\n');
}

/** Parses IR text and infers types (no folding), as the passes expect. */
export function loadIr(text: string): Graph {
  const g = parseGraph(ir(text));
  inferGraph(g, { fold: false, strict: true });
  verifyGraph(g);
  return g;
}

/** A deterministic pseudo-random tensor for each graph input (floats in [-2, 2], ints in [0, intRange)). */
export function sampleInputs(g: Graph, intRange = 4): Tensor[] {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return g.inputs.map((v) => {
    const shape = v.shape as number[];
    const n = sizeOf(shape);
    const values = Array.from({ length: n }, () => (FLOAT_TYPES.has(v.dtype) ? next() * 4 - 2 : Math.floor(next() * intRange)));
    return Tensor.from(v.dtype, shape, values);
  });
}

/**
 * Runs PASS on the IR and returns the printed result; also checks the
 * rewritten graph still verifies and computes what the original did.
 */
export function runPass(pass: GraphPass, text: string, tolerance = 1e-6): string {
  const before = loadIr(text);
  const inputs = sampleInputs(before);
  const expected = interpret(before, inputs);
  const after = loadIr(text);
  pass.run(after);
  verifyGraph(after);
  const actual = interpret(after, inputs);
  actual.forEach((t, i) => {
    expect([...t.shape]).toEqual([...expected[i].shape]);
    expect(relativeError(t.toArray(), expected[i].toArray())).toBeLessThanOrEqual(tolerance);
  });
  return printGraph(after);
}

/** The IR after PASS equals EXPECTED (both dedented). */
export function expectPass(pass: GraphPass, input: string, expected: string): void {
  expect(runPass(pass, input)).toBe(ir(expected));
}

/** PASS leaves the IR unchanged. */
export function expectNoChange(pass: GraphPass, input: string): void {
  expect(runPass(pass, input)).toBe(printGraph(loadIr(input)));
}
