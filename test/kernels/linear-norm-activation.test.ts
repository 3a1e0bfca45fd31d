/** llm.Linear, llm.Embedding, llm.LayerNorm, llm.RMSNorm, llm.Gelu, llm.SiLU, llm.SwiGLU on hand-checked numbers. */
import { describe, expect, it } from 'vitest';
import { Attrs, Dim, Node } from '../../compiler/graph.js';
import { OpCall, getOp } from '../../compiler/ops/index.js';
import { Tensor } from '../../compiler/tensor.js';

const f32 = (shape: number[], values: number[]) => Tensor.from('float32', shape, values);
const call = (opType: string, attrs: Attrs = {}, n = 1) => {
  const node: Node = { name: 'k', opType, inputs: [], outputs: Array.from({ length: n }, (_, i) => `y${i}`), attrs };
  return new OpCall(node, 17);
};

function run(opType: string, attrs: Attrs, ins: (Tensor | undefined)[]): Tensor {
  const c = call(opType, attrs);
  const op = getOp(opType)!;
  const [type] = op.infer(c, ins.map((t) => t && { dtype: t.dtype, shape: [...t.shape] }), []);
  const [out] = op.execute(c, ins);
  expect([...out.shape]).toEqual(type.shape);
  expect(out.dtype).toBe(type.dtype);
  return out;
}

const close = (t: Tensor, values: number[], digits = 6) => {
  expect(t.size).toBe(values.length);
  t.toArray().forEach((x, i) => expect(x).toBeCloseTo(values[i], digits));
};

describe('llm.Linear', () => {
  it('computes x·W + b over leading dims', () => {
    const x = f32([1, 2, 3], [1, 2, 3, -1, 0, 1]);
    const w = f32([3, 2], [1, 0, 0, 1, 1, 1]);
    close(run('llm.Linear', {}, [x, w, f32([2], [0.5, -0.5])]), [4.5, 4.5, 0.5, 0.5]);
    close(run('llm.Linear', {}, [x, w]), [4, 5, 0, 1]);
  });

  it('infers symbolic leading dims and rejects mismatched K', () => {
    const op = getOp('llm.Linear')!;
    const types = op.infer(call('llm.Linear'), [
      { dtype: 'float32', shape: [1, 'sequence', 3] as Dim[] }, { dtype: 'float32', shape: [3, 8] },
    ], []);
    expect(types[0].shape).toEqual([1, 'sequence', 8]);
    expect(() => op.infer(call('llm.Linear'), [{ dtype: 'float32', shape: [2, 4] }, { dtype: 'float32', shape: [3, 8] }], []))
      .toThrow(/inner dimensions differ/);
  });
});

describe('llm.Embedding', () => {
  const table = f32([3, 2], [0, 1, 10, 11, 20, 21]);
  it('picks rows and wraps negative ids like Gather', () => {
    close(run('llm.Embedding', {}, [table, Tensor.from('int64', [1, 3], [2, 0, -1])]), [20, 21, 0, 1, 20, 21]);
  });
  it('rejects out-of-range ids', () => {
    expect(() => run('llm.Embedding', {}, [table, Tensor.from('int64', [1], [3])])).toThrow(/out of range/);
  });
});

describe('llm.LayerNorm and llm.RMSNorm', () => {
  it('normalizes over the last axis with biased variance', () => {
    // Row [1, 3]: mean 2, var 1 -> [-1, 1] / sqrt(1 + eps).
    const y = run('llm.LayerNorm', { epsilon: 0 }, [f32([2, 2], [1, 3, 4, 8]), f32([2], [2, 1]), f32([2], [0, 10])]);
    close(y, [-2, 11, -2, 11]);
    const z = run('llm.LayerNorm', { epsilon: 3 }, [f32([1, 2], [1, 3]), f32([2], [1, 1])]);
    close(z, [-0.5, 0.5]);
  });

  it('RMSNorm divides by sqrt(mean(x²) + eps)', () => {
    // Row [3, 4]: mean square 12.5; + eps 3.5 = 16 -> / 4.
    close(run('llm.RMSNorm', { epsilon: 3.5 }, [f32([1, 2], [3, 4]), f32([2], [1, 2])]), [0.75, 2]);
  });

  it('rejects a gamma of the wrong length', () => {
    expect(() => run('llm.RMSNorm', {}, [f32([1, 2], [3, 4]), f32([3], [1, 1, 1])])).toThrow(/gamma/);
  });
});

describe('activations', () => {
  it('Gelu in both forms', () => {
    const x = f32([3], [-1, 0, 2]);
    close(run('llm.Gelu', { approximate: 'none' }, [x]), [-0.15865525393145707, 0, 1.9544997361036416]);
    close(run('llm.Gelu', { approximate: 'tanh' }, [x]), [-0.15880800939172324, 0, 1.9545976940114788]);
    expect(() => run('llm.Gelu', { approximate: 'fast' }, [x])).toThrow(/approximate/);
  });

  it('SiLU and SwiGLU', () => {
    const g = f32([2], [0, 2]);
    close(run('llm.SiLU', {}, [g]), [0, 2 / (1 + Math.exp(-2))]);
    close(run('llm.SwiGLU', {}, [g, f32([2], [5, 3])]), [0, 6 / (1 + Math.exp(-2))]);
    expect(() => run('llm.SwiGLU', {}, [g, f32([3], [1, 2, 3])])).toThrow(/differ/);
  });
});
