/**
 * fifo-size: FIFO depths that make the design deadlock-free by construction,
 * counted in elements from how each kernel of templates/kernels/ reads and
 * writes its streams (no cycle figures: the depths do not depend on the
 * precision, only on the shapes and on which kernels sit on each branch).
 *
 * Kernels, by the order of their stream accesses (positions in token rows):
 *  - element (add, gelu, silu, swiglu, the C++ fork2/copy tasks): reads an
 *    element, writes it;
 *  - row (linear, layernorm, rmsnorm, embedding, causal attention): reads a
 *    whole row, then writes its output row. Blocked writing, it has read
 *    every row up to the one it writes; blocked reading, it has written
 *    exactly the rows it has read in full;
 *  - part of a row (rope: one head at a time): needs at most a row, holds less;
 *  - pass (attention that is not causal self-attention): reads every row of
 *    q, k and v before it answers the first query.
 *  A reorder task only models the pass buffer inside bidirectional attention
 *  (the C++ kernel has none of its own), so it is an element task here.
 *
 * The rule. A deadlock needs a fork a blocked writing into branch X (every
 * FIFO on it full, up to the join v) while v waits for branch Y (every FIFO
 * on it empty back to a); a C++ fork writes each element to its outputs in
 * turn, so it has then written into Y at least what it wrote into X. Y starved
 * has taken from a less than one row past what v read of it if a row task
 * lies on it (less than the whole pass if a pass task does, no more than v
 * read if only element tasks do). X full holds what v read of it plus its
 * FIFOs, and if X holds a row task, the fork is past the end of the row v
 * is in (a pass task: past the whole pass); a join on X that is blocked
 * writing has read all its inputs, so it holds what its fullest input
 * branch holds (two branches through one join are that join's fork's
 * business). An Add or SwiGLU join reads its inputs in lock step;
 * attention reads a row of k, of v, then of q, so one input may be a row
 * behind another. Hence the last FIFO s of X (the join's input) needs, in
 * elements of s (C per row, T rows):
 *   - the whole pass T*C if some Y holds a pass task, unless X holds one;
 *   - else one row C if a Y holds a row task (or v is attention), unless
 *     X holds one;
 *   - else nothing beyond the minimum of 2 beats.
 * With s at that depth, X full means the fork wrote more into X than a
 * starved Y can have taken, a contradiction. A FIFO of the whole pass never
 * fills, so T*C is also the cap; and deeper FIFOs elsewhere never cause a
 * deadlock (Kahn networks are monotone in their capacities), so the fork's
 * own FIFOs and the fork2 chains the backend inserts keep the minimum.
 * gpt2_mini's residual bypass: one row (32 elements; 29 deadlocks, 30 runs)
 * around causal attention, the whole pass (256) around bidirectional
 * attention, at every precision.
 */
import { DataflowGraph, HOST, Stream, Task, topoOrder } from '../ir.js';
import { DataflowPass } from '../pipeline.js';

/** 0: element by element, 1: a row, 2: the whole pass. */
type Level = 0 | 1 | 2;

/** Matches the C++ kernel's condition for answering query t once row t has arrived. */
function wholePass(t: Task): boolean {
  return t.kind === 'attention' && !(Number(t.attrs.causal) && t.dims.S === t.dims.T);
}

/** How much of its input a task must read before its next output element. */
function needs(t: Task): Level {
  if (wholePass(t)) return 2;
  return ['linear', 'layernorm', 'rmsnorm', 'embedding', 'attention', 'rope'].includes(t.kind) ? 1 : 0;
}

/** How much of its input a task blocked on writing is sure to have read (rope holds only a head). */
function holds(t: Task): Level {
  return t.kind === 'rope' ? 0 : needs(t);
}

/**
 * From fork a: for each of its outputs, the most that any path from it to each task needs; and for every
 * task a reaches, what it surely holds once blocked writing. A join blocked writing has read all its
 * inputs, so it holds the most any of them does (that is how a branch through a join resynchronizes).
 */
function forkLevels(outs: Stream[], order: Task[], inputs: Map<string, Stream[]>) {
  const needFrom = outs.map(() => new Map<string, Level>());
  const hold = new Map<string, Level>();
  for (const x of order) {
    const ins = inputs.get(x.name)!;
    outs.forEach((first, i) => {
      const from = ins.map((s) => (s === first ? 0 : needFrom[i].get(s.from.task))).filter((n) => n !== undefined);
      if (from.length) needFrom[i].set(x.name, Math.max(needs(x), ...from) as Level);
    });
    const held = ins.map((s) => (outs.includes(s) ? 0 : hold.get(s.from.task))).filter((h) => h !== undefined);
    if (held.length) hold.set(x.name, Math.max(holds(x), ...held) as Level);
  }
  return { needFrom, hold };
}

/** Elements the join input `s` must hold against another input of the join (levels of both branches). */
function required(s: Stream, xHold: Level, yNeed: Level, join: Task): number {
  const [T, C] = s.shape;
  if (xHold === 2) return 0;
  if (yNeed === 2) return T * C;
  if (xHold === 1) return 0;
  return yNeed === 1 || join.kind === 'attention' ? C : 0;
}

export const fifoSize: DataflowPass = {
  name: 'fifo-size',
  run(g: DataflowGraph): void {
    const order = topoOrder(g);
    const inputs = new Map<string, Stream[]>(g.tasks.map((t) => [t.name, []]));
    for (const s of g.streams) if (s.to.task !== HOST && s.from.task !== HOST) inputs.get(s.to.task)!.push(s);
    const need = new Map<Stream, number>(g.streams.map((s) => [s, 0]));
    const joins = g.tasks.filter((t) => inputs.get(t.name)!.length >= 2);
    for (const a of g.tasks) {
      const outs = a.outputs.map((n) => g.streams.find((s) => s.name === n)!).filter((s) => s.to.task !== HOST);
      if (outs.length < 2 || !joins.length) continue;
      const { needFrom, hold } = forkLevels(outs, order, inputs);
      // Output i of the fork reaches join input s: s is that output, or its producer is reached from it.
      const reaches = (i: number, s: Stream) => s === outs[i] || needFrom[i].has(s.from.task);
      const held = (s: Stream): Level => (outs.includes(s) ? 0 : hold.get(s.from.task) ?? 0);
      const needed = (j: number, s: Stream): Level => (s === outs[j] ? 0 : needFrom[j].get(s.from.task)!);
      for (const v of joins) {
        const ins = inputs.get(v.name)!;
        for (const s of ins) {
          for (const other of ins) {
            if (other === s) continue;
            for (let i = 0; i < outs.length; i++) {
              if (!reaches(i, s)) continue;
              for (let j = 0; j < outs.length; j++) {
                if (j !== i && reaches(j, other)) need.set(s, Math.max(need.get(s)!, required(s, held(s), needed(j, other), v)));
              }
            }
          }
        }
      }
    }
    // Elements to beats row by row: a row's last beat is padded, so T rows of C take
    // T * ceil(C / lanes) beats, not ceil(T * C / lanes) (which deadlocks a whole-pass bypass
    // of padded rows: encoder_mini at 3 lanes). The RTL FIFO holds the producer's beats
    // (backend-rtl/top.ts: ceil(elements / its lanes)), so cover its padding too.
    const tasks = new Map(g.tasks.map((t) => [t.name, t]));
    const outLanes = (s: Stream) => {
      const p = tasks.get(s.from.task)?.plan;
      if (!p) return s.lanes;
      return Math.max(1, tasks.get(s.from.task)!.kind === 'attention' ? p.uk : p.un);
    };
    for (const s of g.streams) {
      const [T, C] = s.shape;
      const rows = Math.min(T, Math.ceil(need.get(s)! / C));
      const pl = outLanes(s);
      const beats = Math.max(rows * Math.ceil(C / s.lanes), Math.ceil((rows * Math.ceil(C / pl) * pl) / s.lanes));
      s.depth = Math.max(2, s.depth, beats);
    }
  },
};
