/**
 * schedule: latency of every task and of the pipeline, at token granularity.
 *
 * A max-plus recurrence over tokens t = 0..T-1 in topological order (FIFOs
 * sized by fifo-size never block the schedule):
 *   in(t)     when the last element of token t has arrived on every input
 *             (host inputs arrive one beat per cycle; an all.t.c input only
 *             after the producer emitted every token);
 *   row tasks (linear, norms, attention) start a token (tile) once it has
 *             fully arrived:   done(tile) = max(done(prev), in(last)) + cycles(tile)
 *   streaming tasks work as elements arrive:
 *                              done(t) = max(done(t-1) + cycles(t), in(t) + 1)
 *   out(t) = done(t) + pipeline depth;
 * cycles(tile) is the larger of compute and the tile's share of the external
 * memory time. Each task's cost gets busy (cycles per pass: its interval),
 * finish (out(T-1)) and resources; the pass latency is the latest finish, the
 * interval between passes (back to back) the largest busy.
 */
import { busyCycles, depthOf, extBytes, iiOf, resourcesOf, tokenCycles } from '../cost-model.js';
import { DataflowGraph, HOST, Stream, Task, topoOrder } from '../ir.js';
import { designTiming } from '../timing.js';
import { DataflowPass, PlanContext, costContext } from '../pipeline.js';

const ROW_KINDS = new Set(['linear', 'layernorm', 'rmsnorm', 'attention']);

export const schedule: DataflowPass = {
  name: 'schedule',
  run(g: DataflowGraph, ctx: PlanContext): void {
    const cctx = costContext(g, ctx);
    const T = g.tokens;
    const out = new Map<string, number[]>();
    const inputs = new Map<string, Stream[]>(g.tasks.map((t) => [t.name, []]));
    for (const s of g.streams) if (s.to.task !== HOST) inputs.get(s.to.task)!.push(s);
    for (const task of topoOrder(g)) {
      const plan = task.plan ?? (task.plan = { tt: 1, uk: 1, un: 1 });
      const tokens = task.dims.T ?? T;
      const arrive = (t: number) => {
        let a = 0;
        for (const s of inputs.get(task.name)!) {
          const tt = s.order === 'all.t.c' ? tokens - 1 : t;
          if (s.from.task === HOST) a = Math.max(a, (tt + 1) * Math.ceil(s.shape[1] / s.lanes));
          else a = Math.max(a, out.get(s.from.task)![Math.min(tt, out.get(s.from.task)!.length - 1)]);
        }
        return a;
      };
      const busy = busyCycles(task, plan, cctx);
      let compute = 0;
      for (let t = 0; t < tokens; t++) compute += tokenCycles(task, plan, t, cctx);
      const memShare = Math.max(0, busy - compute); // memory time beyond compute, spread over tiles
      const depth = depthOf(task, plan, cctx);
      const times = new Array<number>(tokens);
      let done = 0;
      if (task.kind === 'reorder') {
        const start = arrive(tokens - 1);
        for (let t = 0; t < tokens; t++) { done = Math.max(done, start) + tokenCycles(task, plan, t, cctx); times[t] = done + depth; }
      } else if (ROW_KINDS.has(task.kind)) {
        const tt = Math.max(1, plan.tt);
        const tiles = Math.ceil(tokens / tt);
        for (let j = 0; j < tiles; j++) {
          const first = j * tt;
          const last = Math.min(tokens, first + tt) - 1;
          let c = 0;
          for (let t = first; t <= last; t++) c += tokenCycles(task, plan, t, cctx);
          const stretched = c + memShare / tiles;
          done = Math.max(done, arrive(last)) + Math.ceil(stretched);
          for (let t = first; t <= last; t++) times[t] = done + depth;
        }
      } else {
        for (let t = 0; t < tokens; t++) {
          const c = tokenCycles(task, plan, t, cctx) + memShare / tokens;
          done = Math.max(done + c, arrive(t) + 1);
          times[t] = Math.ceil(done) + depth;
        }
      }
      out.set(task.name, times);
      const res = resourcesOf(task, plan, cctx);
      task.cost = {
        ii: iiOf(task, plan, cctx),
        perToken: tokenCycles(task, plan, 0, cctx),
        busy,
        depth,
        extBytes: extBytes(task, plan, cctx).bytes,
        ...res,
        finish: times[tokens - 1] ?? 0,
      };
    }
    // Latency: the beat-level schedule of the design as built (backpressure included).
    const timing = designTiming(g, cctx);
    for (const task of g.tasks) task.cost!.finish = timing.finish.get(task.name) ?? 0;
  },
};

/** Latency of one pass and interval between passes, from scheduled costs. */
export function passTiming(g: DataflowGraph): { latency: number; interval: number; bottleneck: string } {
  let latency = 0;
  let interval = 0;
  let bottleneck = '';
  for (const t of g.tasks) {
    if (!t.cost) throw new Error(`task @${t.name} is not scheduled`);
    latency = Math.max(latency, t.cost.finish);
    if (t.cost.busy > interval) { interval = t.cost.busy; bottleneck = t.name; }
  }
  return { latency, interval, bottleneck };
}
