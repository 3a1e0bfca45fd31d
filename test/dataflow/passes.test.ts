/**
 * The planning passes, one at a time: dataflow IR text in, IR text out.
 * Inputs are printed lowerings of small fused graphs (fixtures.ts), so a
 * failure reads as a diff of the lines a pass is meant to change.
 */
import { describe, expect, it } from 'vitest';
import { lowerGraph } from '../../compiler/dataflow/lower.js';
import { parseDataflow, printDataflow } from '../../compiler/dataflow/text.js';
import { DataflowGraph, taskMap } from '../../compiler/dataflow/ir.js';
import { fifoSize, parallelize, placeWeights, schedule, streamOrder, tile } from '../../compiler/dataflow/passes/index.js';
import { budgetOf } from '../../compiler/dataflow/passes/parallelize.js';
import { passTiming } from '../../compiler/dataflow/passes/schedule.js';
import { DataflowPass, PlanContext } from '../../compiler/dataflow/pipeline.js';
import { Device, deviceByName } from '../../compiler/devices/index.js';
import { PRECISIONS } from '../../compiler/numerics/precision.js';
import { macsOf, macsPerDsp } from '../../compiler/dataflow/cost-model.js';
import { block } from './fixtures.js';

const zcu102: PlanContext = { device: deviceByName('zcu102'), precision: PRECISIONS.w8a16, clockMHz: 250 };
/** A made-up device with 18 KB of block RAM and 4 DDR channels, to force weights off chip. */
const small: Device = { ...deviceByName('zcu102'), name: 'small', resources: { dsp: 256, bram18k: 8, uram: 0, lut: 60000, ff: 120000 }, memory: { ...deviceByName('zcu102').memory, channels: 4, bandwidthGBs: 19.2 } };

const lowered = (causal = 1) => printDataflow(lowerGraph(block(causal), PRECISIONS.w8a16, { device: 'zcu102', clockMHz: 250 }));
function run(text: string, passes: DataflowPass[], ctx = zcu102): DataflowGraph {
  const g = parseDataflow(text);
  for (const p of passes) p.run(g, ctx);
  return g;
}
const line = (g: DataflowGraph, prefix: string) => printDataflow(g).split('\n').find((l) => l.startsWith(prefix));

describe('stream-order', () => {
  it('inserts reorder buffers in front of bidirectional attention K and V', () => {
    const g = run(lowered(0), [streamOrder]);
    const text = printDataflow(g);
    expect(text).toContain('mem %attn.reorder1.buf: reorder i16[8, 32] onchip');
    expect(text).toMatch(/stream %s6: i16x1\[8, 32\] t\.c depth 2 @k\.0 -> @attn\.reorder1\.0 value "k"/);
    expect(text).toMatch(/stream %s6\.r: i16x1\[8, 32\] all\.t\.c depth 2 @attn\.reorder1\.0 -> @attn\.1 value "k"/);
    expect(text).toMatch(/task @attn\.reorder1 = reorder\(%s6\) -> \(%s6\.r\) mems\(%attn\.reorder1\.buf\) dims \{C: 32, T: 8\}/);
    expect(text).toMatch(/task @attn = attention\(%s5, %s6\.r, %s7\.r\)/);
    expect(text).not.toContain('reorder0');
  });

  it('leaves causal attention alone (keys arrive in the order they are needed)', () => {
    expect(printDataflow(run(lowered(1), [streamOrder]))).toBe(printDataflow(parseDataflow(lowered(1))));
  });
});

describe('place-weights', () => {
  it('keeps everything on chip when it fits', () => {
    const g = run(lowered(), [placeWeights]);
    expect(g.mems.every((m) => m.location.kind === 'onchip')).toBe(true);
  });

  it('moves the embedding table first, then the largest dense weights, onto channels by traffic', () => {
    const g = run(lowered(), [placeWeights], { ...zcu102, device: small });
    expect(line(g, 'mem %wte:')).toMatch(/^mem %wte: weight i8\[64, 32\] external \[\d\]$/); // one row per token: little traffic, one channel
    expect(line(g, 'mem %w1:')).toMatch(/^mem %w1: weight i8\[32, 128\] external \[\d(, \d)*\]$/);
    expect(line(g, 'mem %wq:')).toBe('mem %wq: weight i8[32, 32] onchip');
    const budget = 0.5 * 8 * 18432;
    const onchipBits = g.mems.filter((m) => m.location.kind === 'onchip').reduce((s, m) => s + m.shape.reduce((a, b) => a * b, 1) * m.bits, 0);
    expect(onchipBits).toBeLessThanOrEqual(budget);
  });
});

describe('tile', () => {
  it('gives on-chip tasks one-token tiles and lanes of 1', () => {
    const g = run(lowered(), [placeWeights, tile]);
    expect(g.tasks.every((t) => t.plan && t.plan.tt === 1 && t.plan.uk === 1 && t.plan.un === 1)).toBe(true);
  });

  it('tiles tokens where weights stream from external memory, enough to fit the bandwidth', () => {
    const slow: Device = { ...small, memory: { ...small.memory, bandwidthGBs: 0.5 } };
    const g = run(lowered(), [placeWeights, tile], { ...zcu102, device: slow });
    const t = taskMap(g);
    expect(t.get('fc')!.plan!.tt).toBeGreaterThan(1);
    expect(t.get('q')!.plan!.tt).toBe(1); // its weights stayed on chip
  });
});

describe('parallelize', () => {
  it('balances every task to the same cycles per pass and stays under the budget', () => {
    const g = run(lowered(), [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule]);
    const busy = g.tasks.map((t) => t.cost!.busy);
    const worst = Math.max(...busy);
    expect(busy.filter((b) => b === worst).length).toBeGreaterThan(3); // the bottleneck was raised until many tasks tie
    const budget = budgetOf(zcu102);
    const dsp = g.tasks.reduce((s, t) => s + t.cost!.dsp, 0);
    expect(dsp).toBeLessThanOrEqual(budget.dsp);
    expect(dsp).toBeGreaterThan(0.5 * budget.dsp); // most DSPs on the work
    // Lanes follow the work: the 32x128 MLP linears get 4x the lanes of the 32x32 projections.
    const t = taskMap(g);
    const lanes = (n: string) => t.get(n)!.plan!.uk * t.get(n)!.plan!.un;
    expect(lanes('fc') / lanes('q')).toBeGreaterThanOrEqual(3);
    expect(line(g, 'task @fc ')).toMatch(/plan \{tt: 1, uk: \d+, un: \d+\}/);
  });

  it('never beats the compute roofline', () => {
    const g = run(lowered(), [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule]);
    const { interval } = passTiming(g);
    const work = g.tasks.reduce((s, t) => s + macsOf(t), 0);
    const m = macsPerDsp({ ...zcu102, mems: new Map() });
    expect(interval).toBeGreaterThanOrEqual(work / (zcu102.device.resources.dsp * m));
  });
});

describe('fifo-size', () => {
  // Depth in elements: beats times the lanes of a beat.
  const elements = (g: DataflowGraph, name: string) => { const x = g.streams.find((st) => st.name === name)!; return x.depth * x.lanes; };
  // Rows of a stream in beats: each row's last beat is padded (and so is the producer's, whose beats the RTL FIFO holds).
  const beatsFor = (g: DataflowGraph, name: string, n: number) => {
    const s = g.streams.find((st) => st.name === name)!;
    const [, C] = s.shape;
    const p = g.tasks.find((t) => t.name === s.from.task)!.plan!;
    const rows = Math.ceil(n / C);
    return Math.max(2, rows * Math.ceil(C / s.lanes), Math.ceil((rows * Math.ceil(C / p.un) * p.un) / s.lanes));
  };

  it('gives the residual bypass around causal attention one row, and leaves straight chains and row-task branches at 2', () => {
    const g = run(lowered(1), [streamOrder, placeWeights, tile, parallelize, fifoSize]);
    const [T, C] = g.streams.find((x) => x.name === 's9')!.shape; // @emb.1 -> @res.0, skipping ln, q/k/v, attn, o
    expect([T, C]).toEqual([8, 32]);
    expect(g.streams.find((x) => x.name === 's9')!.depth).toBe(beatsFor(g, 's9', C));
    expect(elements(g, 's9')).toBeLessThan(T * C);
    expect(line(g, 'stream %s12:')).toContain('depth 2 '); // fc -> gelu
    expect(line(g, 'stream %s10:')).toContain('depth 2 '); // the long branch's own last FIFO
    // q, k and v each pass a Linear, which holds the row attention reads next: the minimum will do.
    for (const t of ['q', 'k', 'v']) expect(g.streams.find((x) => x.from.task === t)!.depth).toBe(2);
  });

  it('gives the bypass around bidirectional attention the whole pass (it reads every token first)', () => {
    const g = run(lowered(0), [streamOrder, placeWeights, tile, parallelize, fifoSize]);
    const [T, C] = g.streams.find((x) => x.name === 's9')!.shape;
    expect(g.streams.find((x) => x.name === 's9')!.depth).toBe(beatsFor(g, 's9', T * C));
  });

  it('does not depend on the precision: fp32 rows are rows too', () => {
    const fp32 = run(printDataflow(lowerGraph(block(1), PRECISIONS.fp32, { device: 'zcu102', clockMHz: 250 })), [streamOrder, placeWeights, tile, parallelize, fifoSize], { ...zcu102, precision: PRECISIONS.fp32 });
    expect(fp32.streams.find((x) => x.name === 's9')!.shape).toEqual([8, 32]);
    expect(elements(fp32, 's9')).toBeGreaterThanOrEqual(32);
  });

  it('is a fixed point: running it again changes nothing', () => {
    const g = run(lowered(0), [streamOrder, placeWeights, tile, parallelize, fifoSize]);
    const once = printDataflow(g);
    fifoSize.run(g, zcu102);
    expect(printDataflow(g)).toBe(once);
  });
});

describe('schedule', () => {
  it('finishes tasks in dependency order and reports latency >= interval', () => {
    const g = run(lowered(), [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule]);
    const t = taskMap(g);
    const fin = (n: string) => t.get(n)!.cost!.finish;
    expect(fin('ln')).toBeGreaterThan(fin('emb'));
    expect(fin('attn')).toBeGreaterThan(Math.max(fin('q'), fin('k'), fin('v')));
    expect(fin('res')).toBeGreaterThan(fin('o'));
    const { latency, interval } = passTiming(g);
    expect(latency).toBe(fin('out'));
    expect(latency).toBeGreaterThanOrEqual(interval);
  });

  it('makes bidirectional attention wait for the whole pass of keys', () => {
    const causal = run(lowered(1), [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule]);
    const bidir = run(lowered(0), [streamOrder, placeWeights, tile, parallelize, fifoSize, schedule]);
    const fin = (g: DataflowGraph, n: string) => taskMap(g).get(n)!.cost!.finish;
    // Its first query needs every key: its output cannot start before v's last row.
    expect(fin(bidir, 'attn')).toBeGreaterThan(Math.max(fin(bidir, 'k'), fin(bidir, 'v')) + 2);
    // (The causal block is slower here: its one-row residual bypass lets the next token in only as
    // the current one leaves the block, where the bidirectional one's bypass holds the pass.)
    expect(fin(causal, 'attn')).toBeGreaterThan(fin(causal, 'v'));
  });
});
