/**
 * Structural checks of the dataflow IR: every stream has exactly one
 * producer and one consumer and both agree on it, element widths match what
 * the endpoints carry, FIFO depths are >= 1, memory ports use channels the
 * device has, tasks name memories that exist.
 */
import { UserError } from '../errors.js';
import { DataflowGraph, HOST, Stream, Task, memMap, taskMap, topoOrder } from './ir.js';

export interface VerifyOptions {
  /** External memory channels of the device (checks port channel numbers). */
  channels?: number;
  /** Activation width of the precision (checks stream widths). */
  activationBits?: number;
}

/** Bits per element a task reads at an input slot / writes at an output slot. */
function slotBits(task: Task, dir: 'in' | 'out', slot: number, activationBits: number): number {
  if (task.kind === 'embedding' && dir === 'in' && slot === 0) return 32; // token ids
  return activationBits;
}

export function verifyDataflow(g: DataflowGraph, options: VerifyOptions = {}): void {
  const fail = (msg: string): never => { throw new UserError(`dataflow IR: ${msg}`); };
  const tasks = taskMap(g);
  const mems = memMap(g);
  const streams = new Map<string, Stream>();
  for (const s of g.streams) {
    if (streams.has(s.name)) fail(`stream %${s.name} is declared twice`);
    streams.set(s.name, s);
  }
  if (tasks.size !== g.tasks.length) fail('a task name is used twice');
  if (mems.size !== g.mems.length) fail('a memory name is used twice');

  const produced = new Map<string, string>();
  const consumed = new Map<string, string>();
  for (const t of g.tasks) {
    const claim = (names: string[], dir: 'in' | 'out') => names.forEach((n, slot) => {
      if (!n) return;
      const s = streams.get(n) ?? fail(`task @${t.name} ${dir === 'in' ? 'reads' : 'writes'} undeclared stream %${n}`);
      const seen = dir === 'in' ? consumed : produced;
      if (seen.has(n)) fail(`stream %${n} has two ${dir === 'in' ? 'consumers' : 'producers'}: @${seen.get(n)} and @${t.name}`);
      seen.set(n, t.name);
      const end = dir === 'in' ? s.to : s.from;
      if (end.task !== t.name || end.slot !== slot) {
        fail(`stream %${n} says it ${dir === 'in' ? 'goes to' : 'comes from'} ${end.task === HOST ? 'host' : `@${end.task}`}.${end.slot}, but @${t.name} uses it at slot ${slot}`);
      }
      if (options.activationBits !== undefined) {
        const want = slotBits(t, dir, slot, options.activationBits);
        if (s.bits !== want) fail(`stream %${n} carries i${s.bits}, but @${t.name} ${dir === 'in' ? 'reads' : 'writes'} i${want} at slot ${slot}`);
      }
    });
    claim(t.inputs, 'in');
    claim(t.outputs, 'out');
    for (const m of t.mems) if (!mems.has(m)) fail(`task @${t.name} uses undeclared memory %${m}`);
  }
  for (const s of g.streams) {
    if (s.from.task === HOST) { if (!g.inputs.includes(s.name)) fail(`stream %${s.name} comes from the host but is not a graph input`); }
    else if (!produced.has(s.name)) fail(`stream %${s.name} has no producer (@${s.from.task} does not write it)`);
    if (s.to.task === HOST) { if (!g.outputs.includes(s.name)) fail(`stream %${s.name} goes to the host but is not a graph output`); }
    else if (!consumed.has(s.name)) fail(`stream %${s.name} has no consumer (@${s.to.task} does not read it)`);
    if (!(s.depth >= 1) || !Number.isInteger(s.depth)) fail(`stream %${s.name} has FIFO depth ${s.depth}; it must be an integer >= 1`);
    if (!(s.lanes >= 1)) fail(`stream %${s.name} has ${s.lanes} lanes; it must be >= 1`);
    if (s.bits < 1) fail(`stream %${s.name} has element width ${s.bits}`);
  }
  for (const n of [...g.inputs, ...g.outputs]) {
    if (!streams.has(n) && !mems.has(n)) fail(`graph input/output %${n} is neither a stream nor a memory`);
  }
  for (const m of g.mems) {
    if (m.location.kind === 'external') {
      if (m.location.channels.length === 0) fail(`memory %${m.name} is external but bound to no channel`);
      for (const c of m.location.channels) {
        if (!Number.isInteger(c) || c < 0 || (options.channels !== undefined && c >= options.channels)) {
          fail(`memory %${m.name} uses channel ${c}, but the device has ${options.channels ?? '?'} channel(s) (0..${(options.channels ?? 1) - 1})`);
        }
      }
    }
  }
  try { topoOrder(g); } catch { fail('the streams form a cycle'); }
}
