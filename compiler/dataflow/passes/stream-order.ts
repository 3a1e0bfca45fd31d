/**
 * stream-order: where a producer and its consumer iterate in different
 * orders, insert a reorder task (a buffer of the whole pass) between them.
 *
 * Every kernel produces token-major (t.c). Causal attention consumes keys
 * and values in that order too (key j is needed from query j on, so the K/V
 * buffer fills as tokens arrive). Bidirectional attention (causal 0) needs
 * every key before its first score: its K and V inputs require `all.t.c`,
 * which a reorder task provides by holding all T tokens before it emits.
 */
import { DataflowGraph, Stream, StreamOrder, Task, taskMap } from '../ir.js';
import { DataflowPass } from '../pipeline.js';

/** The order a task needs at an input slot. */
export function requiredOrder(task: Task, slot: number): StreamOrder {
  if (task.kind === 'attention' && (slot === 1 || slot === 2) && !Number(task.attrs.causal)) return 'all.t.c';
  return 't.c';
}

export const streamOrder: DataflowPass = {
  name: 'stream-order',
  run(g: DataflowGraph): void {
    const tasks = taskMap(g);
    for (const s of [...g.streams]) {
      const consumer = tasks.get(s.to.task);
      if (!consumer) continue;
      const want = requiredOrder(consumer, s.to.slot);
      if (want === s.order) continue;
      const producer = tasks.get(s.from.task);
      if (want === 'all.t.c' && producer?.kind === 'reorder') { s.order = want; continue; }
      const [T, C] = s.shape;
      const name = `${consumer.name}.reorder${s.to.slot}`;
      const buf = `${name}.buf`;
      g.mems.push({ name: buf, role: 'reorder', bits: s.bits, shape: [T, C], location: { kind: 'onchip' } });
      const out: Stream = { ...s, name: `${s.name}.r`, order: want, from: { task: name, slot: 0 }, to: { ...s.to } };
      const reorder: Task = { name, kind: 'reorder', inputs: [s.name], outputs: [out.name], mems: [buf], dims: { T, C }, attrs: {}, node: consumer.node };
      consumer.inputs[s.to.slot] = out.name;
      s.to = { task: name, slot: 0 };
      g.streams.splice(g.streams.indexOf(s) + 1, 0, out);
      g.tasks.splice(g.tasks.indexOf(consumer), 0, reorder);
      tasks.set(name, reorder);
    }
  },
};
