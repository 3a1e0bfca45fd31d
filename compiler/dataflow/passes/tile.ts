/**
 * tile: give every task a plan and choose token tiles. A task whose weights
 * (or KV cache) stream from external memory reuses each word it fetches for
 * `tt` tokens, so its traffic per pass is size * ceil(T/tt). tt is the
 * smallest power of two (or T) for which the external traffic of the whole
 * design fits in the time the compute roofline allows a pass, bounded by a
 * 1 Mbit activation tile buffer per task. Lanes (uk, un) start at 1.
 */
import { extBytes, macsOf, macsPerDsp } from '../cost-model.js';
import { DataflowGraph, Task, memMap } from '../ir.js';
import { DataflowPass, PlanContext, channelBytesPerCycle } from '../pipeline.js';

export const TILE_BUFFER_BITS = 1 << 20;

export const tile: DataflowPass = {
  name: 'tile',
  run(g: DataflowGraph, ctx: PlanContext): void {
    const mems = memMap(g);
    const cctx = { device: ctx.device, precision: ctx.precision, clockMHz: ctx.clockMHz, mems };
    for (const t of g.tasks) t.plan ??= { tt: 1, uk: 1, un: 1 };
    const external = (t: Task) => (t.kind === 'linear' || t.kind === 'attention') && t.mems.some((m) => mems.get(m)?.location.kind === 'external');
    const streaming = g.tasks.filter(external);
    if (!streaming.length) return;
    const T = g.tokens;
    const work = g.tasks.reduce((s, t) => s + macsOf(t), 0);
    const computePass = work / (ctx.device.resources.dsp * macsPerDsp(cctx));
    const bandwidth = channelBytesPerCycle(ctx) * ctx.device.memory.channels;
    const maxTile = (t: Task) => {
      const width = t.kind === 'linear' ? t.dims.K : t.dims.H * t.dims.D;
      return Math.max(1, Math.min(T, Math.floor(TILE_BUFFER_BITS / (width * ctx.precision.activationBits))));
    };
    const trafficAt = (tt: number) => streaming.reduce((s, t) => s + extBytes(t, { ...t.plan!, tt: Math.min(tt, maxTile(t)) }, cctx).bytes, 0);
    let tt = 1;
    while (tt < T && trafficAt(tt) / bandwidth > computePass) tt = Math.min(T, tt * 2);
    for (const t of streaming) t.plan!.tt = Math.min(tt, maxTile(t));
  },
};
