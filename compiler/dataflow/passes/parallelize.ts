/**
 * parallelize: choose lanes (uk x un) for every task under the device budget.
 *
 * A dataflow pipeline runs all tasks at once, so its interval is the busiest
 * task's cycles per pass. The pass searches for the smallest per-pass cycle
 * target B such that every task, given the cheapest lanes that finish its
 * pass within B (compute, and external traffic at its channels' bandwidth),
 * fits together under the budget. That allocates DSPs in proportion to work
 * (a task with twice the MACs needs twice the lanes for the same B) and
 * raises the bottleneck until DSP, BRAM, URAM, LUT or FF run out.
 *
 * Budget: all DSPs, 90% of BRAM/URAM, 75% of LUT/FF (routing headroom),
 * less a reserve for the FIFOs fifo-size adds.
 */
import { CostContext, Resources, ZERO, addRes, busyCycles, channelsOf, computeCycles, legalUn, resourcesOf, ukCandidates, unLimit } from '../cost-model.js';
import { DataflowGraph, Plan, Task, taskMap } from '../ir.js';
import { DataflowPass, PlanContext, costContext } from '../pipeline.js';

export const BUDGET_SHARE: Resources = { dsp: 1, bram18k: 0.9, uram: 0.9, lut: 0.75, ff: 0.75 };
const FIFO_RESERVE = 0.03;

const KEYS = ['dsp', 'bram18k', 'uram', 'lut', 'ff'] as const;

export function budgetOf(ctx: PlanContext): Resources {
  const r = ctx.device.resources;
  const out = { ...ZERO };
  for (const k of KEYS) out[k] = Math.floor(r[k] * (BUDGET_SHARE[k] - (k === 'dsp' ? 0 : FIFO_RESERVE)));
  return out;
}

function weight(r: Resources, avail: Resources): number {
  let s = 0;
  for (const k of KEYS) if (avail[k] > 0) s += r[k] / avail[k];
  else if (r[k] > 0) s += 1e9;
  return s;
}

/** The cheapest plan of a task whose pass takes at most `target` cycles, or undefined. */
export function cheapestPlan(task: Task, target: number, ctx: CostContext, avail: Resources): { plan: Plan; res: Resources; busy: number } | undefined {
  const tt = task.plan?.tt ?? 1;
  const T = task.dims.T;
  let best: { plan: Plan; res: Resources; busy: number; w: number } | undefined;
  const consider = (plan: Plan) => {
    const busy = busyCycles(task, plan, ctx);
    if (busy > target) return;
    const res = resourcesOf(task, plan, ctx);
    const w = weight(res, avail);
    if (!best || w < best.w - 1e-12) best = { plan, res, busy, w };
  };
  const limit = unLimit(task, ctx);
  for (const uk of ukCandidates(task)) {
    if (task.kind === 'linear') {
      const kSteps = Math.ceil(task.dims.K / uk);
      const nSteps = Math.floor(target / (T * kSteps));
      if (nSteps < 1) continue;
      consider({ tt, uk, un: Math.min(limit, Math.ceil(task.dims.N / nSteps)) });
      // fp32 may need a wider un for II 1; try the full width too.
      consider({ tt, uk, un: limit });
    } else if (task.kind === 'attention') {
      let lo = 1;
      let hi = limit;
      if (computeCycles(task, { tt, uk, un: hi }, ctx) > target) { consider({ tt, uk, un: hi }); continue; }
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (computeCycles(task, { tt, uk, un: mid }, ctx) <= target) hi = mid; else lo = mid + 1;
      }
      consider({ tt, uk, un: lo });
    } else {
      // Only lanes the RTL kernel can build (RoPE, Add of a constant: divisors).
      const perToken = Math.floor(target / T);
      if (perToken < 1) { consider({ tt, uk, un: limit }); continue; }
      consider({ tt, uk, un: legalUn(task, Math.min(limit, Math.ceil(channelsOf(task) / perToken)), ctx) });
    }
  }
  if (!best) return undefined;
  return { plan: best.plan, res: best.res, busy: best.busy };
}

/** Lanes a stream carries per beat: the slower of its two ends (the faster side converts width). */
export function setStreamLanes(g: DataflowGraph): void {
  const tasks = taskMap(g);
  const outLanes = (t: Task) => (t.kind === 'linear' ? t.plan!.un : t.kind === 'attention' ? t.plan!.uk : t.plan!.un);
  const inLanes = (t: Task) => (t.kind === 'linear' || t.kind === 'attention' ? t.plan!.uk : t.plan!.un);
  for (const s of g.streams) {
    const p = tasks.get(s.from.task);
    const c = tasks.get(s.to.task);
    const a = p?.plan ? outLanes(p) : Infinity;
    const b = c?.plan ? inLanes(c) : Infinity;
    const lanes = Math.min(a, b, s.shape[1]);
    s.lanes = Number.isFinite(lanes) ? Math.max(1, lanes) : 1;
  }
}

export const parallelize: DataflowPass = {
  name: 'parallelize',
  run(g: DataflowGraph, ctx: PlanContext): void {
    for (const t of g.tasks) t.plan ??= { tt: 1, uk: 1, un: 1 };
    const cctx = costContext(g, ctx);
    const avail = budgetOf(ctx);
    const fits = (r: Resources) => KEYS.every((k) => r[k] <= avail[k]);
    const attempt = (target: number): Map<Task, Plan> | undefined => {
      let total = { ...ZERO };
      const plans = new Map<Task, Plan>();
      for (const t of g.tasks) {
        const c = cheapestPlan(t, target, cctx, avail);
        if (!c) return undefined;
        total = addRes(total, c.res);
        plans.set(t, c.plan);
      }
      return fits(total) ? plans : undefined;
    };
    // Upper end: every task at one lane (a serial design).
    const serial = g.tasks.reduce((m, t) => Math.max(m, busyCycles(t, { tt: t.plan!.tt, uk: 1, un: 1 }, cctx)), 1);
    let hi = serial;
    let best = attempt(hi);
    if (!best) {
      // Even one lane per task does not fit: keep one lane (estimate reports fits = false).
      for (const t of g.tasks) t.plan = { tt: t.plan!.tt, uk: 1, un: 1 };
      setStreamLanes(g);
      return;
    }
    let lo = 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const p = attempt(mid);
      if (p) { hi = mid; best = p; } else lo = mid + 1;
    }
    for (const [t, plan] of best) t.plan = plan;
    setStreamLanes(g);
  },
};
