/**
 * The dataflow IR's golden interpreter: bit for bit the fused-graph
 * quantized interpreter on every exported fixture and the bundled example
 * (before and after the planning passes, and through a text round trip),
 * and known integers on a hand-written dataflow IR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpretDataflow, runDataflow } from '../../compiler/dataflow/interpreter.js';
import { PLANNING_PIPELINE } from '../../compiler/dataflow/passes/index.js';
import { runDataflowPipeline } from '../../compiler/dataflow/pipeline.js';
import { parseDataflow, printDataflow } from '../../compiler/dataflow/text.js';
import { verifyDataflow } from '../../compiler/dataflow/verify.js';
import { deviceByName } from '../../compiler/devices/index.js';
import { isStatic } from '../../compiler/graph.js';
import { PRECISIONS } from '../../compiler/numerics/precision.js';
import { runQuantized } from '../../compiler/numerics/quant-interpreter.js';
import { lowerQuantized, namedModelTestInputs, quantizeModel } from '../../compiler/numerics/run-quantized.js';
import { QuantSpec } from '../../compiler/numerics/spec.js';
import { Tensor } from '../../compiler/tensor.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXPORTED = path.join(ROOT, 'test/fixtures/exported');
const MODELS = [
  ...fs.readdirSync(EXPORTED).filter((f) => f.endsWith('.onnx')).sort().map((f) => path.join(EXPORTED, f)),
  path.join(ROOT, 'examples/tiny_gpt.onnx'),
];

describe('interpretDataflow equals interpretQuantized bit for bit', () => {
  for (const model of MODELS) {
    for (const precision of ['w8a16', 'w4a16', 'w8a8'] as const) {
      it(`${path.relative(ROOT, model)} ${precision}`, () => {
        const sets = namedModelTestInputs(model);
        expect(sets.length).toBeGreaterThan(0);
        for (const set of sets) {
          const label = `${path.basename(model)} ${set.name || 'default'} ${precision}`;
          const { graph, spec } = quantizeModel(model, set.inputs, precision);
          const ref = runQuantized(graph, spec, set.inputs);
          const shapes = graph.outputs.map((o) => {
            const s = graph.types.get(o.name)?.shape ?? o.shape;
            if (!isStatic(s)) throw new Error(`${o.name} is not static`);
            return s;
          });
          const check = (df: ReturnType<typeof lowerQuantized>, stage: string) => {
            const run = runDataflow(df, spec, set.inputs, { outputShapes: shapes });
            expect(run.outputs.length, `${label} ${stage}`).toBe(ref.outputs.length);
            run.outputs.forEach((t, i) => {
              expect(t.shape, `${label} ${stage} output ${i}`).toEqual(ref.outputs[i].shape);
              expect(t.data, `${label} ${stage} output ${i}`).toEqual(ref.outputs[i].data);
              const q = ref.fixed[i];
              if (q?.kind !== 'fixed') throw new Error('expected a fixed-point output');
              expect(run.fixed[i].data, `${label} ${stage} codes ${i}`).toEqual(q.data);
              expect(run.fixed[i].format, `${label} ${stage} format ${i}`).toEqual(q.format);
            });
          };
          const df = lowerQuantized(graph, precision);
          check(df, 'lowered');
          check(parseDataflow(printDataflow(df)), 'lowered, text round trip');
          runDataflowPipeline(df, PLANNING_PIPELINE, { device: deviceByName('u55c'), precision: PRECISIONS[precision], clockMHz: 300 }, { log: () => {} });
          verifyDataflow(df, { activationBits: PRECISIONS[precision].activationBits });
          expect(df.tasks.every((t) => t.plan && t.cost)).toBe(true);
          check(df, 'planned');
          check(parseDataflow(printDataflow(df)), 'planned, text round trip');
        }
      });
    }
  }

  it('covers the KV-cache prefill and decode steps', () => {
    const names = namedModelTestInputs(path.join(EXPORTED, 'gpt2_mini_past.onnx')).map((s) => s.name);
    expect(names).toEqual(['decode', 'prefill']);
  });
});

/**
 * ids -> embedding -> add (a constant) -> linear, the add's result also sent
 * to the host. Tasks are listed out of order: execution follows the streams.
 */
const HAND = `
dataflow hand tokens 3 precision w8a16 device none clock 300
input %s0
output %s4
output %s3
mem %table: weight i8[3, 2] onchip
mem %pos: weight i16[3, 2] onchip
mem %w: weight i8[2, 3] external [0]
mem %b: weight i48[3] onchip
stream %s0: i32x1[3, 1] t.c depth 2 host.0 -> @emb.0 value "ids"
stream %s1: i16x1[3, 2] t.c depth 2 @emb.0 -> @add.0 value "e"
stream %s2: i16x1[3, 2] t.c depth 2 @add.0 -> @lin.0 value "x"
stream %s3: i16x1[3, 2] t.c depth 2 @add.1 -> host.1 value "x"
stream %s4: i16x1[3, 3] t.c depth 2 @lin.0 -> host.0 value "y"
task @lin = linear(%s2) -> (%s4) mems(%w, %b) dims {K: 2, N: 3, T: 3} attrs {} node "lin"
task @emb = embedding(%s0) -> (%s1) mems(%table) dims {C: 2, T: 3, V: 3} attrs {} node "emb"
task @add = add(%s1) -> (%s2, %s3) mems(%pos) dims {C: 2, T: 3} attrs {} node "add"
`;

function handSpec(): QuantSpec {
  const f = (frac: number) => ({ bits: 16, frac, signed: true });
  return {
    version: 1, precision: 'w8a16', weightBits: 8, activationBits: 16, accumulatorBits: 48,
    formats: { e: f(4), pos: f(4), x: f(4), y: f(2) },
    constants: { pos: Int32Array.from([1, 1, 0, 0, -1, 2]) },
    kernels: {
      // y[t, d] = table[id, d] · m[id] (shift 0)
      e: {
        op: 'llm.Embedding',
        table: { bits: 8, axis: 0, shape: [3, 2], data: Int8Array.from([1, 2, 3, -4, 5, 6]), scale: Float64Array.from([1, 1, 1]) },
        requant: { m: Int32Array.from([1, 1, 2]), shift: Int32Array.from([0, 0, 0]) },
      },
      x: { op: 'Add' },
      // y = roundHalfEven((bias + x·W) / 2)
      y: {
        op: 'llm.Linear',
        weights: { bits: 8, axis: 1, shape: [2, 3], data: Int8Array.from([1, 0, -1, 2, 1, 0]), scale: Float64Array.from([1, 1, 1]) },
        bias: Float64Array.from([0, 5, 0]),
        requant: { m: Int32Array.from([1, 1, 1]), shift: Int32Array.from([1, 1, 1]) },
      },
    },
    maxAbs: {},
  };
}

describe('interpretDataflow on a hand-written dataflow IR', () => {
  const ids = Tensor.from('int64', [1, 3], [2, 0, 1]);
  // e = [10, 12], [1, 2], [3, -4]; x = e + pos = [11, 13], [1, 2], [2, -2]
  // acc = [37, 18, -11], [5, 7, -1], [-2, 3, -2]; y = acc / 2 rounded half to even
  const X = [11, 13, 1, 2, 2, -2];
  const Y = [18, 9, -6, 2, 4, 0, -1, 2, -1];

  it('runs to known integers, fan-out included', () => {
    const df = parseDataflow(HAND);
    verifyDataflow(df, { activationBits: 16 });
    const run = runDataflow(df, handSpec(), [ids]);
    expect(Array.from(run.fixed[0].data)).toEqual(Y);
    expect(run.fixed[0].shape).toEqual([3, 3]);
    expect(Array.from(run.fixed[1].data)).toEqual(X);
    expect(Array.from(run.outputs[0].data)).toEqual(Y.map((q) => q / 4));
    expect(Array.from(run.outputs[1].data)).toEqual(X.map((q) => q / 16));
    // inputs by name, and a reshaped output
    const named = interpretDataflow(df, handSpec(), { ids }, { outputShapes: [[1, 3, 3], [1, 3, 2]] });
    expect(named[0].shape).toEqual([1, 3, 3]);
    expect(Array.from(named[0].data)).toEqual(Y.map((q) => q / 4));
  });

  it('gives the same integers after the planning passes', () => {
    const df = parseDataflow(HAND);
    runDataflowPipeline(df, PLANNING_PIPELINE, { device: deviceByName('zcu102'), precision: PRECISIONS.w8a16, clockMHz: 250 }, { log: () => {} });
    expect(Array.from(runDataflow(df, handSpec(), [ids]).fixed[0].data)).toEqual(Y);
  });

  it('checks the memories a task references against its kernel parameters', () => {
    const df = parseDataflow(HAND.replace('mem %w: weight i8[2, 3]', 'mem %w: weight i8[2, 4]'));
    expect(() => runDataflow(df, handSpec(), [ids])).toThrow(/memory %w \[2, 4\] does not hold the 6 elements/);
    const spec = handSpec();
    spec.kernels.y = { op: 'Add' };
    expect(() => runDataflow(parseDataflow(HAND), spec, [ids])).toThrow(/is Add, not a linear kernel/);
  });
});
