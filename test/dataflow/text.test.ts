/** Dataflow IR printer and parser: round trips, lowering's output, parse errors. */
import { describe, expect, it } from 'vitest';
import { lowerGraph } from '../../compiler/dataflow/lower.js';
import { parseDataflow, printDataflow } from '../../compiler/dataflow/text.js';
import { PLANNING_PIPELINE } from '../../compiler/dataflow/passes/index.js';
import { runDataflowPipeline } from '../../compiler/dataflow/pipeline.js';
import { deviceByName } from '../../compiler/devices/index.js';
import { PRECISIONS } from '../../compiler/numerics/precision.js';
import { block } from './fixtures.js';

const ctx = { device: deviceByName('zcu102'), precision: PRECISIONS.w8a16, clockMHz: 250 };

describe('dataflow IR text', () => {
  it('lowers a fused block to one task per kernel, one stream per consumer', () => {
    const text = printDataflow(lowerGraph(block(), PRECISIONS.w8a16, { device: 'zcu102', clockMHz: 250 }));
    expect(text).toContain('dataflow block tokens 8 precision w8a16 device zcu102 clock 250\ninput %s0\noutput %s');
    expect(text).toContain('mem %wq: weight i8[32, 32] unplaced');
    expect(text).toContain('mem %attn.kv_k: state i16[1, 2, 8, 16] unplaced');
    expect(text).toContain('stream %s0: i32x1[8, 1] t.c depth 2 host.0 -> @emb.0 value "ids"');
    expect(text).toMatch(/task @attn = attention\(%s\d+, %s\d+, %s\d+\) -> \(%s\d+\) mems\(%attn.kv_k, %attn.kv_v\) dims \{D: 16, H: 2, Hk: 2, P: 0, S: 8, T: 8\} attrs \{causal: 1, scale: 0.25\} node "attn"/);
    // %x feeds the LayerNorm and the residual Add: two streams out of @emb.
    expect(text).toMatch(/task @emb = embedding\(%s0\) -> \(%s\d+, %s\d+\) mems\(%wte\)/);
    expect(text.match(/^task /gm)).toHaveLength(11);
  });

  it('round-trips unplanned and planned IR exactly', () => {
    const g = lowerGraph(block(), PRECISIONS.w8a16, { device: 'zcu102', clockMHz: 250 });
    const before = printDataflow(g);
    expect(printDataflow(parseDataflow(before))).toBe(before);
    runDataflowPipeline(g, PLANNING_PIPELINE, ctx);
    const after = printDataflow(g);
    expect(after).toMatch(/plan \{tt: 1, uk: \d+, un: \d+\} cost \{bram18k: /);
    expect(printDataflow(parseDataflow(after))).toBe(after);
  });

  it('parses quoted names, external memories and state bindings', () => {
    const text = [
      'dataflow "m x" tokens 4 precision w8a8 device u55c clock 300',
      'input %"past k"',
      'output %s1',
      'mem %"past k": state i8[1, 1, 4, 8] external [0, 3] past "past.k" present "present.k"',
      'stream %s1: i8x8[4, 8] t.c depth 2 @"a.b".0 -> host.0 value "y"',
      'task @"a.b" = add(_) -> (%s1) mems(%"past k") dims {C: 8, T: 4} attrs {} node "n"',
      '',
    ].join('\n');
    const g = parseDataflow(text);
    expect(g.mems[0].location).toEqual({ kind: 'external', channels: [0, 3] });
    expect(g.tasks[0].inputs).toEqual(['']);
    expect(g.tasks[0].name).toBe('a.b');
    expect(g.streams[0].from).toEqual({ task: 'a.b', slot: 0 });
    expect(g.mems[0]).toMatchObject({ past: 'past.k', present: 'present.k' });
    const printed = printDataflow(g);
    expect(printed).toContain('@a.b.0 -> host.0'); // dotted names print plain; the slot is after the last dot
    expect(printDataflow(parseDataflow(printed))).toBe(printed);
  });

  it('reports the line of a syntax error', () => {
    expect(() => parseDataflow('dataflow a tokens 1\nstream %s: i16x1[1, 2] sideways depth 2 host.0 -> host.0 value "v"')).toThrow(/line 2: unknown stream order 'sideways'/);
    expect(() => parseDataflow('task @t = matmul() -> () mems() dims {} attrs {} node ""')).toThrow(/unknown task kind 'matmul'/);
  });
});
