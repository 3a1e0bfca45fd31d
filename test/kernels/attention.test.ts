/** llm.Attention and llm.RoPE kernels on small hand-checked numbers. */
import { describe, expect, it } from 'vitest';
import { Attrs, Node } from '../../compiler/graph.js';
import { OpCall, getOp } from '../../compiler/ops/index.js';
import { Tensor } from '../../compiler/tensor.js';

const LN3 = Math.log(3);
const f32 = (shape: number[], values: number[]) => Tensor.from('float32', shape, values);

function run(opType: string, attrs: Attrs, ins: (Tensor | undefined)[]): Tensor[] {
  const node: Node = { name: 'k', opType, inputs: ins.map((_, i) => `in${i}`), outputs: ['y', 'pk', 'pv'], attrs };
  const call = new OpCall(node, 17);
  const op = getOp(opType)!;
  const types = op.infer(call, ins.map((t) => t && { dtype: t.dtype, shape: [...t.shape] }), []);
  const outs = op.execute(call, ins);
  outs.forEach((t, i) => expect([...t.shape]).toEqual(types[i].shape));
  return outs;
}

const close = (t: Tensor, values: number[]) => t.toArray().forEach((x, i) => expect(x).toBeCloseTo(values[i], 5));

describe('llm.Attention', () => {
  // One KV head, keys [0, ln 3], values [4, 8]: a query of 1 weighs them 1/4, 3/4 (-> 7); a query of 0 evenly (-> 6).
  it('applies the causal rule and shares a KV head between query heads', () => {
    const q = f32([1, 2, 2], [1, 0, 1, 0]); // tokens × (head 0, head 1), hd = 1
    const k = f32([1, 2, 1], [0, LN3]);
    const v = f32([1, 2, 1], [4, 8]);
    const [y] = run('llm.Attention', { heads: 2, kv_heads: 1, scale: 1, causal: 1 }, [q, k, v]);
    // Token 0 sees key 0 only; token 1 sees both.
    close(y, [4, 4, 7, 6]);
    const [bi] = run('llm.Attention', { heads: 2, kv_heads: 1, scale: 1, causal: 0 }, [q, k, v]);
    close(bi, [7, 6, 7, 6]);
  });

  it('maps query head h to KV head floor(h / (H / Hk))', () => {
    // KV head 0: keys [0, ln 3] -> 7; KV head 1: keys [ln 3, 0] -> 5 (values [4, 8] in both).
    const q = f32([1, 1, 4], [1, 1, 1, 1]);
    const k = f32([1, 2, 2], [0, LN3, LN3, 0]);
    const v = f32([1, 2, 2], [4, 4, 8, 8]);
    const [y] = run('llm.Attention', { heads: 4, kv_heads: 2, scale: 1, causal: 1 }, [q, k, v]);
    close(y, [7, 7, 5, 5]); // h mod Hk would give [7, 5, 7, 5]
  });

  it('scales the scores', () => {
    // scale 2: scores [0, 2 ln 3], weights 1/10, 9/10 -> 0.4 + 7.2.
    const [y] = run('llm.Attention', { heads: 1, scale: 2 }, [f32([1, 1, 1], [1]), f32([1, 2, 1], [0, LN3]), f32([1, 2, 1], [4, 8])]);
    close(y, [7.6]);
  });

  it('offsets the causal rule by the past length and returns the present K/V', () => {
    // P = 1 past position, S = T = 2 new ones: query i sees keys j <= i + 1. Equal scores, so outputs are means of V.
    const q = f32([1, 2, 1], [0, 0]);
    const k = f32([1, 2, 1], [0.5, 0.25]);
    const v = f32([1, 2, 1], [4, 6]);
    const pk = f32([1, 1, 1, 1], [1]), pv = f32([1, 1, 1, 1], [2]);
    const [y, presentK, presentV] = run('llm.Attention', { heads: 1, kv_heads: 1, scale: 1, causal: 1 }, [q, k, v, pk, pv]);
    close(y, [3, 4]); // mean(2, 4), mean(2, 4, 6); without the offset it would be [2, 3]
    expect([...presentK.shape]).toEqual([1, 1, 3, 1]);
    expect(presentK.toArray()).toEqual([1, 0.5, 0.25]);
    expect(presentV.toArray()).toEqual([2, 4, 6]);
  });

  it('orders the present K/V by KV head, then past before new positions', () => {
    const q = f32([1, 2, 4], new Array(8).fill(0));
    const k = f32([1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]); // token × (kv head 0: [1, 2], kv head 1: [3, 4])
    const pk = f32([1, 2, 1, 2], [10, 11, 20, 21]);
    const [, presentK] = run('llm.Attention', { heads: 2, kv_heads: 2, scale: 1, causal: 1 }, [q, k, k, pk, pk]);
    expect([...presentK.shape]).toEqual([1, 2, 3, 2]);
    expect(presentK.toArray()).toEqual([10, 11, 1, 2, 5, 6, 20, 21, 3, 4, 7, 8]);
  });

  it('accepts an empty past (prefill)', () => {
    const q = f32([1, 2, 1], [1, 1]);
    const [y, presentK] = run('llm.Attention', { heads: 1, scale: 1, causal: 1 },
      [q, f32([1, 2, 1], [0, LN3]), f32([1, 2, 1], [4, 8]), f32([1, 1, 0, 1], []), f32([1, 1, 0, 1], [])]);
    close(y, [4, 7]);
    expect(presentK.toArray()).toEqual([0, Math.fround(LN3)]);
  });

  it('outputs zeros for a query that sees no key instead of NaN', () => {
    // T = 2 queries, 1 key, causal: query 0 sees j <= 0 + (1 - 2) = -1, nothing.
    const [y] = run('llm.Attention', { heads: 1, scale: 1, causal: 1 }, [f32([1, 2, 1], [1, 1]), f32([1, 1, 1], [0]), f32([1, 1, 1], [5])]);
    expect(y.toArray()).toEqual([0, 5]);
  });

  it('rejects inconsistent heads and widths', () => {
    const t = f32([1, 1, 4], [0, 0, 0, 0]);
    expect(() => run('llm.Attention', { heads: 4, kv_heads: 3 }, [t, t, t])).toThrow(/kv_heads 3 must divide heads 4/);
    expect(() => run('llm.Attention', { heads: 2, kv_heads: 1 }, [t, t, t])).toThrow(/differ/);
    expect(() => run('llm.Attention', { heads: 2 }, [t, t, t, f32([1, 2, 0, 2], [])])).toThrow(/together/);
  });
});

describe('llm.RoPE', () => {
  it('rotates each head by its position\'s cos/sin rows', () => {
    // H = 2, hd = 2: heads [1, 2], [3, 4]; rotate_half gives [-2, 1], [-4, 3].
    const x = f32([1, 2, 4], [1, 2, 3, 4, 1, 2, 3, 4]);
    const cos = f32([2, 2], [1, 1, 0.5, 0.5]);
    const sin = f32([2, 2], [0, 0, 1, 1]);
    const [y] = run('llm.RoPE', { heads: 2 }, [x, cos, sin]);
    close(y, [1, 2, 3, 4, 0.5 - 2, 1 + 1, 1.5 - 4, 2 + 3]);
  });

  it('rotates halves of the whole head when there is one head', () => {
    const [y] = run('llm.RoPE', { heads: 1 }, [f32([1, 1, 4], [1, 2, 3, 4]), f32([1, 4], [0.5, 0.5, 0.5, 0.5]), f32([1, 4], [1, 1, 1, 1])]);
    close(y, [0.5 - 3, 1 - 4, 1.5 + 1, 2 + 2]);
  });

  it('rejects tables of the wrong shape', () => {
    expect(() => run('llm.RoPE', { heads: 2 }, [f32([1, 1, 4], [1, 2, 3, 4]), f32([1, 4], [1, 1, 1, 1]), f32([1, 4], [0, 0, 0, 0])])).toThrow(/columns/);
  });
});
