/**
 * Beat-level timing of a planned design as backend-rtl builds it: the cycle
 * each beat of every stream is offered, enters its FIFO and is taken, from
 * the first input beat (cycle 0) to the last output beat. This is how
 * `schedule` computes a pass's latency; `llm2hls sim --mode verilator` is its
 * check (scripts/rtl-vs-estimate.mjs).
 *
 * The structure mirrors backend-rtl/top.ts: every value a task writes goes
 * into a FIFO of ceil(planned elements / producer lanes) beats (at least 2),
 * through a chain of fork2s (one more FIFO per level) when several tasks
 * read it, and through a gearbox where the reader's lanes differ. Host inputs
 * are ports offering a beat a cycle; host outputs ports that take one a cycle.
 *
 * Each kernel is modelled by what its module in templates/rtl/ documents
 * (docs/backend-rtl.md), including its output register: a beat offered but
 * not taken stalls the module. Backpressure is what makes this more than a
 * feed-forward sum: a FIFO of D beats lets its producer push beat i only
 * after beat i - D left it, so a residual bypass one row deep couples a
 * block's next row to the end of its current one. The schedule is the least
 * fixed point of these max-plus constraints, found by sweeping the design in
 * topological order (each sweep reading the previous sweep's take times for
 * the permits) until no take time moves.
 */
import { CostContext, depthOf, iiOf } from './cost-model.js';
import { DataflowGraph, HOST, Stream, Task, topoOrder } from './ir.js';

const NEG = -Infinity;

/** One FIFO (depth > 0) or wire (depth 0) of beats. */
let chans: Chan[] = [];

class Chan {
  label = '';
  readonly offer: Float64Array;
  readonly push: Float64Array;
  pop: Float64Array;
  popPrev: Float64Array;
  constructor(readonly rows: number, readonly row: number, readonly lanes: number, readonly depth: number) {
    const n = rows * Math.ceil(row / lanes);
    this.offer = new Float64Array(n);
    this.push = new Float64Array(n);
    this.pop = new Float64Array(n).fill(NEG);
    this.popPrev = new Float64Array(n).fill(NEG);
    chans.push(this);
  }
  get beats(): number { return this.push.length; }
  get perRow(): number { return Math.ceil(this.row / this.lanes); }
  /** The producer offers beat i at `t`; returns when it enters (a FIFO: once beat i - depth left; a wire: when taken). */
  put(i: number, t: number): number {
    const permit = this.depth > 0 ? (i >= this.depth ? this.popPrev[i - this.depth] + 1 : NEG) : this.popPrev[i];
    this.offer[i] = t;
    const p = Math.max(t, permit);
    this.push[i] = p;
    return p;
  }
  /** When the consumer sees beat i valid (a FIFO adds the cycle through its register). */
  avail(i: number): number { return this.depth > 0 ? this.push[i] + 1 : this.offer[i]; }
  take(i: number, t: number): void { this.pop[i] = t; }
}

type Node = () => void;

export interface DesignTiming {
  /** Cycles from the first input beat to the last output beat (as the simulation counts them). */
  latency: number;
  /** Per task: the cycle its last output beat entered its stream, plus one. */
  finish: Map<string, number>;
  /** Per task: the cycle it took its first input beat. */
  first: Map<string, number>;
  /** Sweeps until the fixed point (or the cap). */
  sweeps: number;
}

/** The largest d <= want that divides every n (at least 1); backend-hls/kernels/lanes.ts legalizes lanes with it. */
export function divisorLanes(want: number, ...ns: number[]): number {
  for (let d = Math.max(1, Math.min(want, ...ns)); d > 1; d--) if (ns.every((n) => n % d === 0)) return d;
  return 1;
}

/** Lanes of a task's input port and output port as the RTL module realizes them. */
export function rtlLanes(task: Task, ctx: CostContext): { in: number; out: number } {
  const p = task.plan ?? { uk: 1, un: 1, tt: 1 };
  const d = task.dims;
  switch (task.kind) {
    case 'linear': return { in: Math.max(1, p.uk), out: Math.max(1, p.un) };
    case 'attention': { const l = Math.max(1, Math.min(p.uk, d.D)); return { in: l, out: l }; }
    case 'rope': { const l = divisorLanes(p.un, d.D / 2); return { in: l, out: l }; }
    case 'embedding': return { in: 1, out: Math.max(1, p.un) };
    case 'add': {
      const m = task.mems.map((n) => ctx.mems.get(n)).find((x) => x);
      if (m) { const l = divisorLanes(p.un, d.C, addPeriod(task, m.shape)); return { in: l, out: l }; }
      return { in: Math.max(1, p.un), out: Math.max(1, p.un) };
    }
    default: return { in: Math.max(1, p.un), out: Math.max(1, p.un) };
  }
}

/** The period of an Add's constant (backend-hls/emit.ts: a trailing-suffix constant repeats; others are stored broadcast). */
export function addPeriod(task: Task, shape: number[]): number {
  const size = shape.reduce((a, b) => a * b, 1);
  const C = task.dims.C;
  const T = task.dims.T;
  // [.., T, C] or [C]-like suffixes: the stored elements repeat; anything else was broadcast to the whole pass.
  return shape[shape.length - 1] === C || size === 1 ? size : T * C;
}

/** Beat-level schedule of the planned design (plans and FIFO depths set). */
export function designTiming(g: DataflowGraph, ctx: CostContext, opts: { maxSweeps?: number } = {}): DesignTiming {
  chans = [];
  const order = topoOrder(g);
  const lanes = new Map(order.map((t) => [t.name, rtlLanes(t, ctx)]));
  const inChan = new Map<Stream, Chan>(); // the channel a task's input slot reads (after any gearbox)
  const outChan = new Map<string, Chan>(); // a task's output channel (the first FIFO)
  const nodes: { task?: Task; run: Node; after?: Task }[] = [];
  const sinks: Chan[] = [];
  const hostSources: Chan[] = [];
  const finish = new Map<string, number>();

  // Streams grouped by the value they carry and its producer, in the design's end order.
  const groups = new Map<string, Stream[]>();
  // A reorder task models the pass buffer inside bidirectional attention; the RTL has no module
  // for it (the attention's KV memories are that buffer): its producer feeds the attention.
  const byName = new Map(g.streams.map((s) => [s.name, s]));
  const reorders = new Map(g.tasks.filter((t) => t.kind === 'reorder').map((t) => [t.name, t]));
  const virtual = g.streams.filter((s) => !reorders.has(s.to.task)).map((s) => {
    const r = reorders.get(s.from.task);
    return r ? { ...s, from: byName.get(r.inputs[0])!.from } : s;
  });
  const original = new Map(virtual.map((v, i) => [v, g.streams.filter((s) => !reorders.has(s.to.task))[i]]));
  for (const s of virtual) {
    const key = `${s.from.task}\u0000${s.from.task === HOST ? s.value : s.value}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const plumbing = new Map<string, Node[]>(); // producer task -> fork/gearbox nodes run after it
  const addAfter = (producer: string, n: Node) => plumbing.set(producer, [...(plumbing.get(producer) ?? []), n]);

  for (const streams of groups.values()) {
    const s0 = streams[0];
    const [rows, row] = s0.shape;
    const fromHost = s0.from.task === HOST;
    const producer = fromHost ? undefined : g.tasks.find((t) => t.name === s0.from.task);
    const lp = producer ? lanes.get(producer.name)!.out : 1;
    const elems = (s: Stream) => Math.max(2, s.depth * s.lanes);
    const fifoBeats = (e: number) => Math.max(2, Math.ceil(e / lp));
    const toHost = (s: Stream) => s.to.task === HOST;
    // A reorder task is the pass buffer inside attention: a wire in the RTL.
    const wireOut = producer?.kind === 'reorder';
    const ends: Chan[] = [];
    let head: Chan;
    if (streams.length === 1) {
      head = new Chan(rows, row, lp, toHost(s0) || wireOut || fromHost ? 0 : fifoBeats(elems(s0)));
      ends.push(head);
    } else {
      head = new Chan(rows, row, lp, fromHost || wireOut ? 0 : fifoBeats(Math.max(...streams.map(elems))));
      let cur = head;
      for (let i = 0; i < streams.length - 1; i++) {
        const a = new Chan(rows, row, lp, toHost(streams[i]) ? 0 : fifoBeats(elems(streams[i])));
        const last = i === streams.length - 2;
        const b = new Chan(rows, row, lp, last
          ? (toHost(streams[i + 1]) ? 0 : fifoBeats(elems(streams[i + 1])))
          : fifoBeats(Math.max(...streams.slice(i + 1).map(elems))));
        const input = cur;
        const fork: Node = () => {
          for (let k = 0; k < input.beats; k++) {
            const v = Math.max(input.avail(k), k > 0 ? input.pop[k - 1] + 1 : NEG);
            input.take(k, Math.max(a.put(k, v), b.put(k, v)));
          }
        };
        if (fromHost) nodes.push({ run: fork }); else addAfter(producer!.name, fork);
        ends.push(a);
        if (last) ends.push(b);
        cur = b;
      }
    }
    if (fromHost) hostSources.push(head); else outChan.set(producer!.name, head);
    streams.forEach((s, i) => {
      const end = ends[i];
      end.label ||= `${s.name}`;
      if (toHost(s)) { sinks.push(end); return; }
      const consumer = g.tasks.find((t) => t.name === s.to.task)!;
      const want = lanes.get(consumer.name)!.in;
      if (want === end.lanes || s.shape[1] === 1) { inChan.set(original.get(s)!, end); return; }
      const out = new Chan(rows, row, want, 0);
      out.label = `${s.name}>gb`;
      const gb = gearbox(end, out);
      if (fromHost) nodes.push({ run: gb }); else addAfter(producer!.name, gb);
      inChan.set(original.get(s)!, out);
    });
  }

  const host = () => {
    for (const c of hostSources) {
      for (let i = 0; i < c.beats; i++) c.put(i, i === 0 ? 0 : Math.max(i, c.popPrev[i - 1] + 1)); // the harness: a beat a cycle, held until taken
    }
  };
  const streamOf = new Map(g.streams.map((s) => [s.name, s]));
  for (const task of order) {
    if (task.kind === 'reorder') continue;
    const ins = task.inputs.filter((n) => n).map((n) => inChan.get(streamOf.get(n)!)!);
    const out = outChan.get(task.name);
    if (!out) continue;
    nodes.push({ task, run: kernel(task, ins, out, ctx) });
    for (const p of plumbing.get(task.name) ?? []) nodes.push({ run: p });
  }

  // Each sweep settles backpressure about one row further; bound the work on large designs
  // (where the estimate may then miss some late backpressure).
  const beats = chans.reduce((a, c) => a + c.beats, 0);
  const maxSweeps = opts.maxSweeps ?? Math.max(2, Math.min(400, Math.floor(2e6 / Math.max(1, beats))));
  let sweeps = 0;
  for (;;) {
    sweeps++;
    host();
    for (const n of nodes) n.run();
    for (const c of sinks) for (let i = 0; i < c.beats; i++) c.take(i, Math.max(c.avail(i), i > 0 ? c.pop[i - 1] + 1 : NEG));
    let moved = false;
    for (const c of chans) {
      for (let i = 0; i < c.beats; i++) if (c.pop[i] !== c.popPrev[i]) { moved = true; break; }
      const t = c.popPrev; c.popPrev = c.pop; c.pop = t;
    }
    if (!moved || sweeps >= maxSweeps) break;
  }
  for (const [name, c] of outChan) finish.set(name, c.beats ? c.push[c.beats - 1] + 1 : 0);
  let last = 0;
  for (const c of sinks) if (c.beats) last = Math.max(last, c.popPrev[c.beats - 1]);
  const first = new Map<string, number>();
  for (const t of order) {
    const c = t.inputs.filter((n) => n).map((n) => inChan.get(streamOf.get(n)!)).filter((x) => x && x.beats)[0];
    if (c) { let m = Infinity; for (let i = 0; i < c.beats; i++) m = Math.min(m, c.popPrev[i]); first.set(t.name, m); }
  }
  return { latency: last + 1, finish, first, sweeps };

  // ---- the modules -------------------------------------------------------------------------
  function gearbox(inp: Chan, out: Chan): Node {
    const R = inp.row, IN = inp.lanes, OUT = out.lanes, N = IN + OUT - 1;
    const ib = inp.perRow, ob = out.perRow;
    return () => {
      // Input beats needed by each output beat, and output beats that free room for each input beat.
      let j = 0;
      let popped = 0; // output beats taken (global index) before the current input beat's cycle
      for (let i = 0; i < inp.beats; i++) {
        const r = Math.floor(i / ib), k = i % ib;
        const kin = k === ib - 1 ? R - (ib - 1) * IN : IN;
        const before = r * R + k * IN; // elements taken before this beat
        const need = before + kin - N; // elements that must have left
        let t = Math.max(inp.avail(i), i > 0 ? inp.pop[i - 1] + 1 : NEG);
        if (need > 0) {
          // The output beat whose pop brings the elements out to `need`.
          let jj = popped;
          while (outElems(jj) < need) jj++;
          popped = jj;
          t = Math.max(t, out.popPrev[jj]);
        }
        inp.take(i, t);
        // Emit every output beat whose last element is now in.
        while (j < out.beats && lastIn(j) <= i) {
          out.put(j, Math.max(t + 1, j > 0 ? out.push[j - 1] + 1 : NEG));
          j++;
        }
      }
      function outElems(jj: number): number { const r = Math.floor(jj / ob), k = jj % ob; return r * R + Math.min((k + 1) * OUT, R); }
      function lastIn(jj: number): number {
        const r = Math.floor(jj / ob), k = jj % ob;
        return r * ib + Math.ceil(Math.min((k + 1) * OUT, R) / IN) - 1;
      }
    };
  }

  function kernel(task: Task, ins: Chan[], out: Chan, cx: CostContext): Node {
    const d = task.dims;
    const T = out.rows;
    const ob = out.perRow;
    /** An output beat offered at `e + 1` by a module that emits at cycle e into its output register. */
    switch (task.kind) {
      case 'linear': {
        const x = ins[0];
        const KB = x.perRow, NB = ob, II = iiOf(task, task.plan!, cx);
        const ext = depthOf(task, task.plan!, cx) - 5; // external weights: the read latency, once
        return () => {
          let f = NEG; // last fire
          let j = 0;
          let ow = 0; // oldest output beat whose window may still freeze the pipeline
          for (let r = 0; r < T; r++) {
            for (let nb = 0; nb < NB; nb++) {
              // Pass 0 takes the row's beats as they come; later passes run from the row buffer,
              // KB steps back to back (stepped as one: only a waiting output beat delays them).
              for (let kb = 0; kb < (nb === 0 ? KB : 1); kb++) {
                let t = f === NEG ? 0 : f + (nb === 0 ? II : KB * II);
                const i = r * KB + kb;
                if (nb === 0) t = Math.max(t, x.avail(i), i > 0 ? x.pop[i - 1] + 1 : NEG);
                // No step issues while a beat waits in the output register.
                while (ow < j && out.push[ow] <= t) ow++;
                for (let w = ow; w < j; w++) if (out.offer[w] <= t && t < out.push[w]) t = out.push[w];
                if (nb === 0) x.take(i, t);
                f = t;
              }
              out.put(j, Math.max(f + 5 + (r === 0 && nb === 0 ? Math.max(0, ext) : 0), j > 0 ? out.push[j - 1] + 1 : NEG));
              j++;
            }
          }
        };
      }
      case 'layernorm': case 'rmsnorm': case 'rope': {
        // Row (norm: three buffers, parameters 4 cycles after the last beat) or head (rope: two buffers, 1 cycle).
        const x = ins[0];
        const unit = task.kind === 'rope' ? Math.max(1, d.D / x.lanes) : x.perRow;
        const bufs = task.kind === 'rope' ? 2 : 3;
        const hand = task.kind === 'rope' ? 1 : 4;
        const units = x.beats / unit;
        const lastEmit = new Float64Array(units);
        return () => {
          let e = NEG;
          for (let u = 0; u < units; u++) {
            let t = NEG;
            for (let k = 0; k < unit; k++) {
              const i = u * unit + k;
              t = Math.max(x.avail(i), i > 0 ? x.pop[i - 1] + 1 : NEG, u >= bufs ? lastEmit[u - bufs] + 1 : NEG);
              x.take(i, t);
            }
            for (let k = 0; k < unit; k++) {
              const jj = u * unit + k;
              e = Math.max(k === 0 ? t + hand : NEG, e + 1, jj > 0 ? out.push[jj - 1] : NEG);
              out.put(jj, e + 1);
            }
            lastEmit[u] = e;
          }
        };
      }
      case 'embedding': {
        const x = ins[0];
        return () => {
          let e = NEG;
          for (let r = 0; r < T; r++) {
            const t = Math.max(x.avail(r), r > 0 ? Math.max(x.pop[r - 1] + 1, e) : NEG);
            x.take(r, t);
            for (let k = 0; k < ob; k++) {
              const jj = r * ob + k;
              e = Math.max(k === 0 ? t + 1 : NEG, e + 1, jj > 0 ? out.push[jj - 1] : NEG);
              out.put(jj, e + 1);
            }
          }
        };
      }
      case 'attention': return attention(task, ins, out);
      default: {
        // Element-wise (add, add_const, activations, swiglu), and reorder as a wire.
        const wire = task.kind === 'reorder';
        return () => {
          for (let i = 0; i < out.beats; i++) {
            let t = i > 0 ? out.push[i - 1] : NEG;
            if (!wire) t = Math.max(t, i > 0 ? ins[0].pop[i - 1] + 1 : NEG);
            for (const c of ins) t = Math.max(t, c.avail(i));
            const p = out.put(i, wire ? t : t + 1);
            for (const c of ins) c.take(i, wire ? p : t);
          }
        };
      }
    }
  }

  /** llm2hls_attention: writers, the QK / SOFT / PV slot pipeline over heads, four output rows. */
  function attention(task: Task, ins: Chan[], out: Chan): Node {
    const [q, k, v] = ins;
    const d = task.dims;
    const T = d.T, S = d.S, L = d.P + d.S, H = d.H;
    const causal = Number(task.attrs.causal) !== 0;
    const UK = q.lanes, UN = Math.max(1, task.plan!.un);
    const KB = Math.ceil(d.D / UK), KBV = KB;
    const QSLOTS = causal && S === T && T > 3 ? 3 : T;
    const qpr = q.perRow, kpr = k.perRow, vpr = v.perRow, opr = out.perRow;
    return () => {
      const need = (t: number) => (causal ? Math.max(0, Math.min(L, t + 1 + L - T)) : L);
      const nbOf = (t: number) => Math.max(1, Math.ceil(need(t) / UN));
      // k and v rows are taken as they come.
      const rowsIn = (c: Chan, per: number, n: number) => {
        const done = new Float64Array(n);
        for (let i = 0; i < c.beats; i++) {
          c.take(i, Math.max(c.avail(i), i > 0 ? c.pop[i - 1] + 1 : NEG));
          if (i % per === per - 1) done[Math.floor(i / per)] = c.pop[i];
        }
        return done;
      };
      const kDone = rowsIn(k, kpr, k.rows), vDone = rowsIn(v, vpr, v.rows);
      const loadAt = new Float64Array(T).fill(NEG); // cycle token t's head 0 entered QK
      const qDone = new Float64Array(T);
      let qi = 0;
      const qRow = (r: number) => {
        for (; qi < (r + 1) * qpr; qi++) {
          const row = Math.floor(qi / qpr);
          const allowed = row >= QSLOTS ? loadAt[row - QSLOTS + 1] + 1 : NEG;
          q.take(qi, Math.max(q.avail(qi), qi > 0 ? q.pop[qi - 1] + 1 : NEG, allowed));
          if (qi % qpr === qpr - 1) qDone[row] = q.pop[qi];
        }
        return qDone[r];
      };
      const outLast = new Float64Array(T).fill(NEG); // load cycle of token t's last output beat
      let ojj = 0;
      let oload = NEG;
      const emitRow = (t: number, fin: number) => {
        for (let b = 0; b < opr; b++, ojj++) {
          oload = Math.max(b === 0 ? fin + 1 : NEG, oload + 1, ojj > 0 ? out.push[ojj - 1] : NEG);
          out.put(ojj, oload + 1);
        }
        outLast[t] = oload;
      };
      // Stages hold [token, head] or nothing; an advance moves each head one stage on.
      type Head = [number, number] | undefined;
      let qk: Head, sf: Head, pv: Head;
      let nextTok = 0;
      const goTime = (t: number) => {
        // Keys past the cache's P rows are this pass's k and v rows.
        const n = Math.min(need(t) - d.P, kDone.length, vDone.length);
        let g = Math.max(n > 0 ? kDone[n - 1] + 1 : NEG, n > 0 ? vDone[n - 1] + 1 : NEG, qRow(t) + 1);
        if (t >= 4) g = Math.max(g, outLast[t - 4] + 1); // one of four output rows free
        return g;
      };
      if (T === 0) return;
      let c = goTime(0);
      for (;;) {
        const held = qk;
        pv = sf; sf = qk;
        if (held && held[1] < H - 1) qk = [held[0], held[1] + 1];
        else if (nextTok < T && goTime(nextTok) <= c) { qk = [nextTok, 0]; loadAt[nextTok] = c; nextTok++; }
        else qk = undefined;
        if (!qk && !sf && !pv) {
          if (nextTok >= T) break;
          c = Math.max(c + 1, goTime(nextTok)); // idle: the engine advances every cycle
          if (Number.isNaN(c)) break;
          continue;
        }
        let end = c + 1;
        if (qk) end = Math.max(end, c + KB * nbOf(qk[0]));
        if (sf) end = Math.max(end, c + nbOf(sf[0]) + 1);
        if (pv) {
          const pe = c + KBV * nbOf(pv[0]);
          end = Math.max(end, pe);
          if (pv[1] === H - 1) emitRow(pv[0], pe);
        }
        c = end;
      }
    };
  }
}
