/**
 * fifo-size: FIFO depths that make the design deadlock-free by construction.
 *
 * The rule. Where a value forks (task a writes several streams) and the
 * branches meet again at a join task v (a residual Add, attention's q/k/v),
 * the join reads its inputs in lock step, while a branch can hold data in
 * flight: a task holds the token tile it is working on plus the token it is
 * emitting (row tasks: linear, norms, attention), a whole pass (reorder), or
 * a few pipeline stages of elements (streaming tasks), and each FIFO holds
 * its depth. If the fork blocks on a full FIFO of the short branch while the
 * long branch has not yet delivered the join's next token, nothing moves:
 * deadlock. In that state the other branch's last FIFO (into v) is empty and
 * its tasks and earlier FIFOs hold everything the fork wrote. So each input
 * stream s of a join is sized so that s's branch, s included, holds one
 * token more than any other branch can hold short of its last FIFO, from
 * any common ancestor a (capacities in tokens, s's depth in beats):
 *
 *   depth(s) >= (maxCap(a ~> u') - minCap(a ~> u) + 1) * C / lanes
 *               for every other input s' = (u' -> v), u = producer(s)
 *
 * for every ancestor a of u = producer(s) (u included), capacities in tokens.
 * Past a join the branches are resynchronized (the join's own FIFOs make every
 * input branch as long as the longest), so a path through a join counts as
 * long as its longest input. Depths are at least 2 (a ping-pong pair). The pass iterates to a fixed point,
 * since sizing one FIFO grows the capacity of the branches it lies on.
 */
import { depthOf } from '../cost-model.js';
import { DataflowGraph, HOST, Stream, Task, memMap, taskMap, topoOrder } from '../ir.js';
import { DataflowPass, PlanContext } from '../pipeline.js';

const ROW_KINDS = new Set(['linear', 'layernorm', 'rmsnorm', 'attention']);

/** Tokens a task can hold in flight. */
export function holdTokens(t: Task, g: DataflowGraph, ctx: PlanContext): number {
  const plan = t.plan ?? { tt: 1, uk: 1, un: 1 };
  if (t.kind === 'reorder') return t.dims.T + 1;
  if (ROW_KINDS.has(t.kind)) return plan.tt + 1;
  const c = t.dims.C ?? 1;
  const cctx = { device: ctx.device, precision: ctx.precision, clockMHz: ctx.clockMHz, mems: memMap(g) };
  return (depthOf(t, plan, cctx) * plan.un) / c;
}

function fifoTokens(s: Stream): number { return (s.depth * s.lanes) / s.shape[1]; }

export const fifoSize: DataflowPass = {
  name: 'fifo-size',
  run(g: DataflowGraph, ctx: PlanContext): void {
    const order = topoOrder(g);
    const tasks = taskMap(g);
    const hold = new Map(g.tasks.map((t) => [t.name, holdTokens(t, g, ctx)]));
    const inputs = new Map<string, Stream[]>(g.tasks.map((t) => [t.name, []]));
    for (const s of g.streams) if (s.to.task !== HOST && s.from.task !== HOST) inputs.get(s.to.task)!.push(s);
    for (const s of g.streams) s.depth = Math.max(2, s.depth);
    const joins = g.tasks.filter((t) => inputs.get(t.name)!.length >= 2);
    if (!joins.length) return;
    for (let round = 0; round < 8; round++) {
      let changed = false;
      for (const a of order) {
        // Longest and shortest capacity (tokens) of paths from a to every task, each including the end task's hold.
        const maxCap = new Map<string, number>([[a.name, hold.get(a.name)!]]);
        const minCap = new Map<string, number>([[a.name, hold.get(a.name)!]]);
        for (const x of order) {
          if (x === a) continue;
          let best = -Infinity;
          let least = Infinity;
          for (const s of inputs.get(x.name)!) {
            const m = maxCap.get(s.from.task);
            if (m === undefined) continue;
            best = Math.max(best, m + fifoTokens(s));
            least = Math.min(least, minCap.get(s.from.task)! + fifoTokens(s));
          }
          if (best === -Infinity) continue;
          maxCap.set(x.name, best + hold.get(x.name)!);
          // A join this pass has sized resynchronizes its branches: each of them holds as much as the
          // longest (its FIFO makes up the difference), so past it the short side is as long as the long one.
          const resync = inputs.get(x.name)!.filter((s) => maxCap.has(s.from.task)).length >= 2;
          minCap.set(x.name, (resync ? best : least) + hold.get(x.name)!);
        }
        for (const v of joins) {
          const ins = inputs.get(v.name)!.filter((s) => maxCap.has(s.from.task));
          if (ins.length < 2) continue;
          for (const s of ins) {
            const others = ins.filter((o) => o !== s).map((o) => maxCap.get(o.from.task)!);
            const need = Math.max(...others) - minCap.get(s.from.task)! + 1;
            const depth = Math.max(2, Math.ceil((need * s.shape[1]) / s.lanes));
            if (depth > s.depth) { s.depth = depth; changed = true; }
          }
        }
      }
      if (!changed) break;
    }
    void tasks;
  },
};
