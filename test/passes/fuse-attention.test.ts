/** fuse-attention: IR text in, IR text out (and the same numbers before and after). */
import { describe, expect, it } from 'vitest';
import { fuseAttention } from '../../compiler/passes/fuse-attention.js';
import { expectNoChange, expectPass, loadIr, runPass } from '../helpers/passes.js';

/**
 * GPT-2 style: heads split by Reshape + Transpose, K transposed by perm (0,2,3,1), Div scale, Where(tril, s, -inf).
 * `mask` is the IR that defines %mask, a bool [3, 3] or [1, 1, 3, 3].
 */
const gpt2 = (mask: string, where = '%sm = Where(%mask, %sd, %ninf)') => `
  graph g opset 17
  input %q: float32[1, 3, 4]
  input %k: float32[1, 3, 4]
  input %v: float32[1, 3, 4]
  const %hs: int64[4] = [1, 3, 2, 2]
  const %ms: int64[3] = [1, 3, 4]
  const %c: float32[] = [2]
  ${mask}
  const %ninf: float32[] = [-inf]
  %qr = Reshape(%q, %hs)
  %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
  %kr = Reshape(%k, %hs)
  %kt = Transpose(%kr) {perm: [0, 2, 3, 1]}
  %vr = Reshape(%v, %hs)
  %vh = Transpose(%vr) {perm: [0, 2, 1, 3]}
  %s = MatMul(%qh, %kt)
  %sd = Div(%s, %c)
  ${where}
  %p = Softmax(%sm) {axis: -1}
  %o = MatMul(%p, %vh)
  %ot = Transpose(%o) {perm: [0, 2, 1, 3]} @"/h.0/Transpose_3"
  %y = Reshape(%ot, %ms) @"/h.0/Reshape_3"
  output %y: float32[1, 3, 4]
`;

const constMask = (values: string) => `const %mask: bool[3, 3] = ${values}`;
const TRIL = constMask('[1, 0, 0, 1, 1, 0, 1, 1, 1]');

describe('fuse-attention', () => {
  it('fuses GPT-2 attention with a Where(tril, scores, -inf) mask', () => {
    expectPass(fuseAttention, gpt2(TRIL), `
      graph g opset 17
      input %q: float32[1, 3, 4]
      input %k: float32[1, 3, 4]
      input %v: float32[1, 3, 4]
      %y = llm.Attention(%q, %k, %v) {causal: 1, heads: 2, kv_heads: 2, scale: 0.5} @"/h.0/Attention"
      output %y: float32[1, 3, 4]
    `);
  });

  it('fuses the exporter\'s inverted Where(~tril, -inf, scores)', () => {
    expectPass(fuseAttention, gpt2(constMask('[0, 1, 1, 0, 0, 1, 0, 0, 0]'), '%sm = Where(%mask, %ninf, %sd)'), `
      graph g opset 17
      input %q: float32[1, 3, 4]
      input %k: float32[1, 3, 4]
      input %v: float32[1, 3, 4]
      %y = llm.Attention(%q, %k, %v) {causal: 1, heads: 2, kv_heads: 2, scale: 0.5} @"/h.0/Attention"
      output %y: float32[1, 3, 4]
    `);
  });

  it('fuses a mask that hides nothing as causal 0', () => {
    expect(runPass(fuseAttention, gpt2(constMask('[1, 1, 1, 1, 1, 1, 1, 1, 1]')))).toContain('{causal: 0, heads: 2, kv_heads: 2, scale: 0.5}');
  });

  it('does not fuse a mask that is not the causal rule', () => {
    // Banded (sliding window 2): row 2 hides key 0.
    expectNoChange(fuseAttention, gpt2(constMask('[1, 0, 0, 1, 1, 0, 0, 1, 1]')));
    // Causal shifted by one (tril(diagonal=1)).
    expectNoChange(fuseAttention, gpt2(constMask('[1, 1, 0, 1, 1, 1, 1, 1, 1]')));
  });

  // Context 5 > sequence 3: the causal mask is sliced from a [context, context] buffer (left
  // unfolded by the frontend when that buffer is over its folding cap, as GPT-2's 1024 x 1024 is).
  const TRIL_5X5 = '[1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]';
  const slicedMask = (buffer: string, starts: string, ends: string, axes: string) => `
    ${buffer}
    const %starts: int64[2] = ${starts}
    const %ends: int64[2] = ${ends}
    const %axes: int64[2] = ${axes}
    %mask = Slice(%buf, %starts, %ends, %axes)`;
  it.each([
    ['an HF GPT-2 bias buffer [1, 1, 5, 5]', slicedMask(`const %buf: bool[1, 1, 5, 5] = ${TRIL_5X5}`, '[0, 0]', '[3, 3]', '[2, 3]')],
    ['Trilu(ConstantOfShape([5, 5])) as examples/tiny-gpt.ts writes it', slicedMask(`
      const %ctx2: int64[2] = [5, 5]
      %ones = ConstantOfShape(%ctx2) {value: tensor bool[1] [1]}
      %buf = Trilu(%ones) {upper: 0}`, '[0, 0]', '[3, 3]', '[0, 1]')],
  ])('fuses a causal mask sliced from %s', (_, mask) => {
    expectPass(fuseAttention, gpt2(mask), `
      graph g opset 17
      input %q: float32[1, 3, 4]
      input %k: float32[1, 3, 4]
      input %v: float32[1, 3, 4]
      %y = llm.Attention(%q, %k, %v) {causal: 1, heads: 2, kv_heads: 2, scale: 0.5} @"/h.0/Attention"
      output %y: float32[1, 3, 4]
    `);
  });

  it('does not fuse a window of the buffer that is not the causal rule', () => {
    // Rows 1-3 of the 5 x 5 tril: row 0 already sees key 1.
    expectNoChange(fuseAttention, gpt2(slicedMask(`const %buf: bool[5, 5] = ${TRIL_5X5}`, '[1, 0]', '[4, 3]', '[0, 1]')));
  });

  it('does not fuse when an intermediate is used outside the pattern', () => {
    // The probabilities are also a graph output.
    expectNoChange(fuseAttention, gpt2(TRIL) + 'output %p: float32[1, 2, 3, 3]\n');
    // The scaled scores feed a second node.
    expectNoChange(fuseAttention, gpt2(TRIL, '%sm = Where(%mask, %sd, %ninf)\n%other = Relu(%sd)') + 'output %other: float32[1, 2, 3, 3]\n');
  });

  it('fuses an additive 0/-inf mask, grouped-query heads (Unsqueeze/Expand/Reshape) and K transposed by (0,1,3,2)', () => {
    // LLaMA / HF style: 2 query heads share 1 KV head, scale folded into q by a Mul.
    expectPass(fuseAttention, `
      graph g opset 17
      input %q: float32[1, 3, 4]
      input %k: float32[1, 3, 2]
      input %v: float32[1, 3, 2]
      const %hq: int64[4] = [1, 3, 2, 2]
      const %hk: int64[4] = [1, 3, 1, 2]
      const %ax: int64[1] = [2]
      const %ex: int64[5] = [1, 1, 2, 3, 2]
      const %rep: int64[4] = [1, 2, 3, 2]
      const %ms: int64[3] = [1, 3, 4]
      const %c: float32[] = [0.5]
      const %mask: float32[1, 1, 3, 3] = [0, -inf, -inf, 0, 0, -inf, 0, 0, 0]
      %qr = Reshape(%q, %hq)
      %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
      %qs = Mul(%qh, %c)
      %kr = Reshape(%k, %hk)
      %kh = Transpose(%kr) {perm: [0, 2, 1, 3]}
      %ku = Unsqueeze(%kh, %ax)
      %ke = Expand(%ku, %ex)
      %kg = Reshape(%ke, %rep)
      %kt = Transpose(%kg) {perm: [0, 1, 3, 2]}
      %vr = Reshape(%v, %hk)
      %vh = Transpose(%vr) {perm: [0, 2, 1, 3]}
      %vu = Unsqueeze(%vh, %ax)
      %ve = Expand(%vu, %ex)
      %vg = Reshape(%ve, %rep)
      %s = MatMul(%qs, %kt)
      %sm = Add(%mask, %s)
      %p = Softmax(%sm) {axis: 3}
      %o = MatMul(%p, %vg)
      %ot = Transpose(%o) {perm: [0, 2, 1, 3]}
      %y = Reshape(%ot, %ms)
      output %y: float32[1, 3, 4]
    `, `
      graph g opset 17
      input %q: float32[1, 3, 4]
      input %k: float32[1, 3, 2]
      input %v: float32[1, 3, 2]
      %y = llm.Attention(%q, %k, %v) {causal: 1, heads: 2, kv_heads: 1, scale: 0.5} @Attention
      output %y: float32[1, 3, 4]
    `);
  });

  it('fuses repeat_interleave (Split/Unsqueeze/Expand/Reshape/Concat per KV head) and no mask (bidirectional)', () => {
    // 4 query heads, 2 KV heads; the PyTorch exporter's form of k.repeat_interleave(2, dim=1).
    const repeat = (x: string) => `
      %${x}r = Reshape(%${x}, %hk)
      %${x}h = Transpose(%${x}r) {perm: [0, 2, 1, 3]}
      %${x}0, %${x}1 = Split(%${x}h, %ones) {axis: 1}
      %${x}u0 = Unsqueeze(%${x}0, %ax)
      %${x}e0 = Expand(%${x}u0, %ex)
      %${x}g0 = Reshape(%${x}e0, %rep)
      %${x}u1 = Unsqueeze(%${x}1, %ax)
      %${x}e1 = Expand(%${x}u1, %ex)
      %${x}g1 = Reshape(%${x}e1, %rep)
      %${x}g = Concat(%${x}g0, %${x}g1) {axis: 1}`;
    expectPass(fuseAttention, `
      graph g opset 17
      input %q: float32[1, 2, 8]
      input %k: float32[1, 2, 4]
      input %v: float32[1, 2, 4]
      const %hq: int64[4] = [1, 2, 4, 2]
      const %hk: int64[4] = [1, 2, 2, 2]
      const %ones: int64[2] = [1, 1]
      const %ax: int64[1] = [2]
      const %ex: int64[5] = [1, 1, 2, 2, 2]
      const %rep: int64[4] = [1, -1, 2, 2]
      const %ms: int64[3] = [1, 2, 8]
      const %c: float32[] = [1.4142135381698608]
      %qr = Reshape(%q, %hq)
      %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
      ${repeat('k')}
      ${repeat('v')}
      %kt = Transpose(%kg) {perm: [0, 1, 3, 2]}
      %s = MatMul(%qh, %kt)
      %sd = Div(%s, %c)
      %p = Softmax(%sd) {axis: -1}
      %o = MatMul(%p, %vg)
      %ot = Transpose(%o) {perm: [0, 2, 1, 3]}
      %y = Reshape(%ot, %ms)
      output %y: float32[1, 2, 8]
    `, `
      graph g opset 17
      input %q: float32[1, 2, 8]
      input %k: float32[1, 2, 4]
      input %v: float32[1, 2, 4]
      %y = llm.Attention(%q, %k, %v) {causal: 0, heads: 4, kv_heads: 2, scale: ${1 / 1.4142135381698608}} @Attention
      output %y: float32[1, 2, 8]
    `);
  });

  /** GPT-2 with a KV cache: P = 2 past positions, T = 2 new tokens, mask = tril(ones(T, P+T), diagonal=P). */
  const past = (mask: string, extra = '') => `
    graph g opset 14
    input %q: float32[1, 2, 4]
    input %k: float32[1, 2, 4]
    input %v: float32[1, 2, 4]
    input %past_key: float32[1, 2, 2, 2]
    input %past_value: float32[1, 2, 2, 2]
    const %hs: int64[4] = [1, 2, 2, 2]
    const %ms: int64[3] = [1, 2, 4]
    const %c: float32[] = [1.4142135381698608]
    const %notmask: bool[2, 4] = ${mask}
    const %ninf: float32[] = [-inf]
    %qr = Reshape(%q, %hs)
    %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
    %kr = Reshape(%k, %hs)
    %kh = Transpose(%kr) {perm: [0, 2, 1, 3]}
    %present_key = Concat(%past_key, %kh) {axis: 2}
    %vr = Reshape(%v, %hs)
    %vh = Transpose(%vr) {perm: [0, 2, 1, 3]}
    %present_value = Concat(%past_value, %vh) {axis: -2}
    %kt = Transpose(%present_key) {perm: [0, 1, 3, 2]}
    %s = MatMul(%qh, %kt)
    %sd = Div(%s, %c)
    %sm = Where(%notmask, %ninf, %sd)
    %p = Softmax(%sm) {axis: -1}
    %o = MatMul(%p, %present_value)
    %ot = Transpose(%o) {perm: [0, 2, 1, 3]}
    %y = Reshape(%ot, %ms) @Reshape_3${extra}
    output %y: float32[1, 2, 4]
    output %present_key: float32[1, 2, 4, 2]
    output %present_value: float32[1, 2, 4, 2]
  `;

  it('fuses a KV cache: past inputs, present outputs keep their names, causal offset P', () => {
    expectPass(fuseAttention, past('[0, 0, 0, 1, 0, 0, 0, 0]'), `
      graph g opset 14
      input %q: float32[1, 2, 4]
      input %k: float32[1, 2, 4]
      input %v: float32[1, 2, 4]
      input %past_key: float32[1, 2, 2, 2]
      input %past_value: float32[1, 2, 2, 2]
      %y, %present_key, %present_value = llm.Attention(%q, %k, %v, %past_key, %past_value) {causal: 1, heads: 2, kv_heads: 2, scale: ${1 / 1.4142135381698608}} @Reshape_3_Attention
      output %y: float32[1, 2, 4]
      output %present_key: float32[1, 2, 4, 2]
      output %present_value: float32[1, 2, 4, 2]
    `);
  });

  it('does not fuse a KV-cache mask that ignores the past offset', () => {
    // tril(diagonal=0) on [T, P+T]: query 0 would not see the past.
    expectNoChange(fuseAttention, past('[0, 1, 1, 1, 0, 0, 1, 1]'));
  });

  it('does not fuse when a present value has another reader', () => {
    expectNoChange(fuseAttention, past('[0, 0, 0, 1, 0, 0, 0, 0]', '\n%again = Relu(%present_key)') + 'output %again: float32[1, 2, 4, 2]\n');
  });

  it('leaves a graph without attention alone', () => {
    const g = loadIr(`
      graph g opset 17
      input %x: float32[1, 2, 4]
      const %ms: int64[3] = [1, 4, 2]
      %y = Reshape(%x, %ms)
      output %y: float32[1, 4, 2]
    `);
    fuseAttention.run(g);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Reshape']);
  });
});

describe('fuse-attention, cache without past', () => {
  it('makes head-split K/V that are graph outputs the present outputs', () => {
    expectPass(fuseAttention, `
      graph g opset 17
      input %q: float32[1, 2, 4]
      input %k: float32[1, 2, 4]
      input %v: float32[1, 2, 4]
      const %hs: int64[4] = [1, 2, 2, 2]
      const %ms: int64[3] = [1, 2, 4]
      %qr = Reshape(%q, %hs)
      %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
      %kr = Reshape(%k, %hs)
      %present_key = Transpose(%kr) {perm: [0, 2, 1, 3]}
      %vr = Reshape(%v, %hs)
      %present_value = Transpose(%vr) {perm: [0, 2, 1, 3]}
      %kt = Transpose(%present_key) {perm: [0, 1, 3, 2]}
      %s = MatMul(%qh, %kt)
      %p = Softmax(%s) {axis: -1}
      %o = MatMul(%p, %present_value)
      %ot = Transpose(%o) {perm: [0, 2, 1, 3]}
      %y = Reshape(%ot, %ms)
      output %y: float32[1, 2, 4]
      output %present_key: float32[1, 2, 2, 2]
      output %present_value: float32[1, 2, 2, 2]
    `, `
      graph g opset 17
      input %q: float32[1, 2, 4]
      input %k: float32[1, 2, 4]
      input %v: float32[1, 2, 4]
      %y, %present_key, %present_value = llm.Attention(%q, %k, %v) {causal: 0, heads: 2, kv_heads: 2, scale: 1} @Attention
      output %y: float32[1, 2, 4]
      output %present_key: float32[1, 2, 2, 2]
      output %present_value: float32[1, 2, 2, 2]
    `);
  });
});

describe('fuse-attention, multi-query', () => {
  it('fuses one KV head broadcast over the query heads by the MatMuls', () => {
    expectPass(fuseAttention, `
      graph g opset 17
      input %q: float32[1, 2, 4]
      input %k: float32[1, 2, 2]
      input %v: float32[1, 2, 2]
      const %hq: int64[4] = [1, 2, 2, 2]
      const %hk: int64[4] = [1, 2, 1, 2]
      const %ms: int64[3] = [1, 2, 4]
      %qr = Reshape(%q, %hq)
      %qh = Transpose(%qr) {perm: [0, 2, 1, 3]}
      %kr = Reshape(%k, %hk)
      %kt = Transpose(%kr) {perm: [0, 2, 3, 1]}
      %vr = Reshape(%v, %hk)
      %vh = Transpose(%vr) {perm: [0, 2, 1, 3]}
      %s = MatMul(%qh, %kt)
      %p = Softmax(%s) {axis: -1}
      %o = MatMul(%p, %vh)
      %ot = Transpose(%o) {perm: [0, 2, 1, 3]}
      %y = Reshape(%ot, %ms)
      output %y: float32[1, 2, 4]
    `, `
      graph g opset 17
      input %q: float32[1, 2, 4]
      input %k: float32[1, 2, 2]
      input %v: float32[1, 2, 2]
      %y = llm.Attention(%q, %k, %v) {causal: 0, heads: 2, kv_heads: 1, scale: 1} @Attention
      output %y: float32[1, 2, 4]
    `);
  });
});
