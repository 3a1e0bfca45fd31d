/** The dataflow verifier names what is wrong. */
import { describe, expect, it } from 'vitest';
import { parseDataflow } from '../../compiler/dataflow/text.js';
import { verifyDataflow } from '../../compiler/dataflow/verify.js';

const GOOD = `
dataflow g tokens 2 precision w8a16 device u55c clock 300
input %s0
output %s2
mem %w: weight i8[4, 4] external [1]
stream %s0: i16x1[2, 4] t.c depth 2 host.0 -> @a.0 value "x"
stream %s1: i16x1[2, 4] t.c depth 2 @a.0 -> @b.0 value "y"
stream %s2: i16x1[2, 4] t.c depth 2 @b.0 -> host.0 value "z"
task @a = linear(%s0) -> (%s1) mems(%w) dims {K: 4, N: 4, T: 2} attrs {} node "a"
task @b = gelu(%s1) -> (%s2) mems() dims {C: 4, T: 2} attrs {} node "b"
`;

const check = (text: string) => () => verifyDataflow(parseDataflow(text), { channels: 2, activationBits: 16 });

describe('verifyDataflow', () => {
  it('accepts a well-formed graph', () => { expect(check(GOOD)).not.toThrow(); });

  it('rejects a stream with two consumers', () => {
    expect(check(GOOD.replace('task @b = gelu(%s1)', 'task @b = gelu(%s0)'))).toThrow(/stream %s0 has two consumers: @a and @b/);
  });

  it('rejects a stream nobody reads', () => {
    expect(check(GOOD.replace('task @b = gelu(%s1)', 'task @b = gelu(_)'))).toThrow(/stream %s1 has no consumer/);
  });

  it('rejects endpoints that disagree with the task', () => {
    expect(check(GOOD.replace('@a.0 -> @b.0', '@a.0 -> @b.1'))).toThrow(/stream %s1 says it goes to @b.1, but @b uses it at slot 0/);
  });

  it('rejects mismatched element widths', () => {
    expect(check(GOOD.replace('stream %s1: i16x1', 'stream %s1: i8x1'))).toThrow(/stream %s1 carries i8, but @a writes i16/);
  });

  it('rejects FIFO depth 0', () => {
    expect(check(GOOD.replace('depth 2 @a.0', 'depth 0 @a.0'))).toThrow(/FIFO depth 0; it must be an integer >= 1/);
  });

  it('rejects a port on a channel the device does not have', () => {
    expect(check(GOOD.replace('external [1]', 'external [2]'))).toThrow(/memory %w uses channel 2, but the device has 2 channel\(s\)/);
  });

  it('rejects an undeclared memory', () => {
    expect(check(GOOD.replace('mems(%w)', 'mems(%nope)'))).toThrow(/uses undeclared memory %nope/);
  });
});
