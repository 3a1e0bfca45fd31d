/**
 * Lowering: a fused graph (llm.* kernels + Add, static shapes) and a
 * precision -> the dataflow IR, one task per kernel. Only shapes and sizes
 * of weights are read, never their values, so a 124M-parameter model lowers
 * without touching its weights.
 *
 * - a value with several consumers gets one stream per consumer (the
 *   producer writes each of them; there are no fork tasks);
 * - constants (weights, biases, norm scales, RoPE tables, a folded position
 *   table) become memories; Transpose of a constant is a view of it, and
 *   Identity is an alias;
 * - llm.Attention's keys and values live in one state memory each (K, V); its
 *   past_k/past_v graph inputs and present_k/present_v graph outputs name that
 *   memory (the KV cache lives on the device between passes).
 */
import { UnsupportedError, UserError, bindHint } from '../errors.js';
import { Graph, Node, describeNode, isStatic } from '../graph.js';
import { Precision } from '../numerics/precision.js';
import { DataflowGraph, HOST, Memory, Stream, Task, TaskKind } from './ir.js';

const KINDS: Record<string, TaskKind> = {
  'llm.Linear': 'linear', 'llm.Embedding': 'embedding', 'llm.LayerNorm': 'layernorm', 'llm.RMSNorm': 'rmsnorm',
  'llm.Gelu': 'gelu', 'llm.SiLU': 'silu', 'llm.SwiGLU': 'swiglu', 'llm.RoPE': 'rope', 'llm.Attention': 'attention', Add: 'add',
};

export interface LowerOptions {
  device?: string;
  clockMHz?: number;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function lowerGraph(graph: Graph, precision: Precision, options: LowerOptions = {}): DataflowGraph {
  const act = precision.activationBits;
  const wbits = precision.weightBits;
  const accBits = precision.float ? 32 : precision.accumulatorBits;

  // --- values: aliases (Identity), weight views (Transpose of a constant), shapes ---
  const alias = new Map<string, string>();
  const resolve = (n: string): string => { while (alias.has(n)) n = alias.get(n)!; return n; };
  const viewShape = new Map<string, number[]>(); // value -> shape of a constant view
  const viewBase = new Map<string, string>(); // value -> underlying initializer
  const shapes = new Map<string, number[]>();
  const shapeOf = (n: string, node?: Node): number[] => {
    const r = resolve(n);
    const s = shapes.get(r) ?? viewShape.get(r) ?? (graph.initializers.get(r)?.shape as number[] | undefined) ?? (graph.types.get(r)?.shape as number[] | undefined);
    if (!s || !isStatic(s)) {
      const dims = (graph.types.get(r)?.shape ?? []).filter((d): d is string => typeof d === 'string');
      throw new UserError(`${node ? describeNode(node) : 'graph'}: the shape of '${n}' is not known or not static; bind its symbolic dims ${bindHint(dims.length ? dims : ['NAME'])}`);
    }
    return s;
  };
  const isConst = (n: string) => graph.initializers.has(resolve(n)) || viewBase.has(resolve(n));
  const constBase = (n: string) => viewBase.get(resolve(n)) ?? resolve(n);
  for (const v of graph.inputs) if (isStatic(v.shape)) shapes.set(v.name, v.shape as number[]);

  // --- tasks ---
  const tasks: Task[] = [];
  const producerOf = new Map<string, { task: Task; slot: number }>();
  const usedNames = new Set<string>();
  const mems = new Map<string, Memory>();
  const stateOfPast = new Map<string, Memory>();
  const stateOfPresent = new Map<string, Memory>();
  const pendingInputs: { task: Task; slot: number; value: string }[] = [];

  const constMem = (n: string, bits: number): string => {
    const base = constBase(n);
    if (!mems.has(base)) {
      const t = graph.initializers.get(base)!;
      mems.set(base, { name: base, role: 'weight', bits, shape: [...t.shape], location: { kind: 'unplaced' } });
    }
    return base;
  };
  const taskName = (node: Node, kind: TaskKind) => {
    let base = node.name || `${kind}${tasks.length}`;
    if (usedNames.has(base)) base = `${base}#${tasks.length}`;
    usedNames.add(base);
    return base;
  };
  const graphInputNames = new Set(graph.inputs.map((i) => i.name));
  const graphOutputNames = new Set(graph.outputs.map((o) => o.name));

  for (const node of graph.nodes) {
    if (node.opType === 'Identity') { alias.set(node.outputs[0], node.inputs[0]); continue; }
    if (node.opType === 'Transpose' && isConst(node.inputs[0])) {
      const s = shapeOf(node.inputs[0], node);
      const perm = (node.attrs.perm as number[] | undefined) ?? s.map((_, i) => s.length - 1 - i);
      viewShape.set(node.outputs[0], perm.map((p) => s[p]));
      viewBase.set(node.outputs[0], constBase(node.inputs[0]));
      continue;
    }
    const kind = KINDS[node.opType];
    if (!kind) {
      throw new UnsupportedError(`${describeNode(node)}: op ${node.opType} is not a fused kernel; the dataflow planner takes llm.* kernels and Add only (run 'llm2hls inspect' to see what did not fuse)`);
    }
    const ins = node.inputs;
    const task: Task = { name: taskName(node, kind), kind, inputs: [], outputs: [], mems: [], dims: {}, attrs: {}, node: node.name };
    const streamIn = (v: string) => { pendingInputs.push({ task, slot: task.inputs.length, value: resolve(v) }); task.inputs.push(''); };
    const out0 = shapeOf(ins[kind === 'embedding' ? 1 : 0], node);
    const rows = (s: number[]) => prod(s.slice(0, -1));
    let outShapes: number[][];
    switch (kind) {
      case 'linear': {
        const w = shapeOf(ins[1], node);
        if (!isConst(ins[1])) throw new UnsupportedError(`${describeNode(node)}: llm.Linear with a computed weight is not supported`);
        const K = out0[out0.length - 1];
        if (w[0] !== K) throw new UserError(`${describeNode(node)}: weight ${JSON.stringify(w)} does not match input width ${K}`);
        task.dims = { T: rows(out0), K, N: w[1] };
        streamIn(ins[0]);
        task.mems.push(constMem(ins[1], wbits));
        if (ins[2]) task.mems.push(constMem(ins[2], accBits));
        outShapes = [[...out0.slice(0, -1), w[1]]];
        break;
      }
      case 'embedding': {
        const table = shapeOf(ins[0], node);
        const ids = shapeOf(ins[1], node);
        task.dims = { T: prod(ids), V: table[0], C: table[1] };
        task.mems.push(constMem(ins[0], wbits));
        if (isConst(ins[1])) { task.inputs.push(''); task.mems.push(constMem(ins[1], 32)); } else streamIn(ins[1]);
        outShapes = [[...ids, table[1]]];
        break;
      }
      case 'layernorm': case 'rmsnorm': case 'gelu': case 'silu': {
        task.dims = { T: rows(out0), C: out0[out0.length - 1] };
        streamIn(ins[0]);
        for (const extra of ins.slice(1)) if (extra) task.mems.push(constMem(extra, act));
        for (const [k, v] of Object.entries(node.attrs)) if (typeof v === 'number' || typeof v === 'string') task.attrs[k] = v;
        outShapes = [out0];
        break;
      }
      case 'swiglu': case 'add': {
        const b = shapeOf(ins[1], node);
        const full = prod(b) > prod(out0) ? b : out0;
        task.dims = { T: rows(full), C: full[full.length - 1] };
        for (const v of ins) {
          if (isConst(v)) task.mems.push(constMem(v, act));
          else streamIn(v);
        }
        if (task.inputs.length === 0) throw new UnsupportedError(`${describeNode(node)}: ${node.opType} of two constants should have been folded`);
        outShapes = [full];
        break;
      }
      case 'rope': {
        const H = Number(node.attrs.heads);
        const C = out0[out0.length - 1];
        task.dims = { T: rows(out0), C, H, D: C / H };
        streamIn(ins[0]);
        for (const extra of ins.slice(1)) {
          if (!isConst(extra)) throw new UnsupportedError(`${describeNode(node)}: llm.RoPE with computed cos/sin tables is not supported`);
          task.mems.push(constMem(extra, act));
        }
        outShapes = [out0];
        break;
      }
      case 'attention': {
        const H = Number(node.attrs.heads);
        const Hk = Number(node.attrs.kv_heads ?? H);
        const C = out0[out0.length - 1];
        const D = C / H;
        const kShape = shapeOf(ins[1], node);
        const S = rows(kShape);
        const P = ins[3] ? shapeOf(ins[3], node)[2] : 0;
        task.dims = { T: rows(out0), S, P, H, Hk, D };
        task.attrs = { causal: Number(node.attrs.causal ?? 1), scale: Number(node.attrs.scale ?? 1 / Math.sqrt(D)) };
        streamIn(ins[0]); streamIn(ins[1]); streamIn(ins[2]);
        const stateShape = [1, Hk, P + S, D];
        for (const [slot, which] of [[3, 'k'], [4, 'v']] as const) {
          const past = ins[slot] ? resolve(ins[slot]) : '';
          const present = node.outputs[slot - 2] ?? '';
          // Without past/present the cache is the pass's own K/V: still a memory, so placement can move it off chip.
          if (past && !graphInputNames.has(past)) throw new UnsupportedError(`${describeNode(node)}: past_${which} must be a graph input (the KV cache), not a computed value`);
          const name = `${task.name}.kv_${which}`;
          const m: Memory = { name, role: 'state', bits: act, shape: stateShape, location: { kind: 'unplaced' } };
          if (past) { m.past = past; stateOfPast.set(past, m); }
          if (present) { m.present = present; stateOfPresent.set(present, m); }
          mems.set(name, m);
          task.mems.push(name);
        }
        outShapes = [out0, stateShape, stateShape];
        break;
      }
      default: throw new Error(`unhandled kind ${kind}`);
    }
    node.outputs.forEach((o, i) => {
      if (!o) return;
      shapes.set(o, outShapes[i] ?? outShapes[0]);
      if (i === 0 || kind !== 'attention') producerOf.set(o, { task, slot: i });
    });
    task.outputs = [];
    tasks.push(task);
  }

  // --- streams: one per (producer value, consumer slot), plus host inputs/outputs ---
  const streams: Stream[] = [];
  const inputs: string[] = [];
  const outputs: string[] = [];
  let count = 0;
  const newStream = (value: string, bits: number, from: Stream['from'], to: Stream['to'], ids = false): Stream => {
    const s = shapeOf(value);
    // Token ids travel one per token ([T, 1]); activations are [T, C] (fp32 ones are 32 bits wide too,
    // so width cannot tell them apart: taken for ids, fp32 rows became T*C one-element "tokens").
    const shape = ids ? [prod(s), 1] : [prod(s.slice(0, -1)), s[s.length - 1]];
    const st: Stream = { name: `s${count++}`, bits, lanes: 1, shape, order: 't.c', depth: 2, from, to, value };
    streams.push(st);
    return st;
  };
  const hostStreams = new Map<string, Stream>();
  const outSlots = new Map<Task, number>();
  const addOutput = (task: Task, s: Stream) => { task.outputs.push(s.name); s.from = { task: task.name, slot: task.outputs.length - 1 }; };

  for (const { task, slot, value } of pendingInputs) {
    const ids = task.kind === 'embedding' && slot === 0;
    const bits = ids ? 32 : act;
    const p = producerOf.get(value);
    if (p) {
      const s = newStream(value, bits, { task: p.task.name, slot: 0 }, { task: task.name, slot }, ids);
      addOutput(p.task, s);
      outSlots.set(p.task, (outSlots.get(p.task) ?? 0) + 1);
      task.inputs[slot] = s.name;
    } else if (graphInputNames.has(value)) {
      if (stateOfPast.has(value)) throw new UnsupportedError(`graph input '${value}' is both a KV cache and a streamed activation`);
      const s = newStream(value, bits, { task: HOST, slot: 0 }, { task: task.name, slot }, ids);
      task.inputs[slot] = s.name;
      hostStreams.set(`${value}\u0000${task.name}\u0000${slot}`, s);
    } else {
      throw new UserError(`value '${value}' read by @${task.name} is neither computed, constant nor a graph input`);
    }
  }
  // Host inputs in graph-input order (a value read by several tasks gives several host streams).
  for (const v of graph.inputs) {
    const state = stateOfPast.get(v.name);
    if (state) { inputs.push(state.name); continue; }
    for (const s of streams) if (s.from.task === HOST && s.value === v.name) { s.from.slot = inputs.length; inputs.push(s.name); }
  }
  for (const o of graph.outputs) {
    const value = resolve(o.name);
    const state = stateOfPresent.get(value);
    if (state) { outputs.push(state.name); continue; }
    const p = producerOf.get(value);
    if (!p) throw new UnsupportedError(`graph output '${o.name}' is not computed by a kernel (a constant or an input passed through is not supported)`);
    const s = newStream(value, act, { task: p.task.name, slot: 0 }, { task: HOST, slot: outputs.length });
    addOutput(p.task, s);
    outputs.push(s.name);
  }
  for (const t of tasks) {
    if (t.outputs.length === 0 && !t.mems.some((m) => mems.get(m)?.role === 'state')) {
      throw new UserError(`task @${t.name} (${t.kind}) computes a value nothing uses; the graph should have been cleaned of dead nodes`);
    }
  }
  void graphOutputNames;

  const tokens = Math.max(1, ...tasks.map((t) => t.dims.T ?? 1));
  return {
    name: graph.name,
    tokens,
    precision: precision.name,
    device: options.device ?? 'none',
    clockMHz: options.clockMHz ?? 300,
    tasks,
    streams,
    mems: [...mems.values()],
    inputs,
    outputs,
  };
}
