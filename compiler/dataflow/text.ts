/**
 * Text form of the dataflow IR, for pass tests (IR text in, IR text out) and
 * --print-ir-after. One statement per line:
 *
 *   dataflow gpt2 tokens 8 precision w8a16 device u55c clock 300
 *   input %s0                      (graph inputs/outputs in order: host streams or state memories)
 *   output %s9
 *   mem %wte: weight i8[128, 32] onchip
 *   mem %w2: weight i8[32, 128] external [0, 1]
 *   mem %kv0.k: state i16[1, 2, 16, 16] unplaced past "past.0.key" present "present.0.key"
 *   stream %s1: i16x4[8, 32] t.c depth 2 @emb.0 -> @ln.0 value "x"
 *   task @ln = layernorm(%s1) -> (%s2, %s3) mems() dims {C: 32, T: 8} attrs {epsilon: 1e-05} node "ln_1"
 *       ... plan {tt: 1, uk: 1, un: 4} cost {...}   (after the planning passes)
 *
 * Endpoints are `@task.slot` or `host.index`. Names that are not plain
 * identifiers are JSON strings (%"a b").
 */
import { UserError } from '../errors.js';
import { Cost, DataflowGraph, Endpoint, HOST, MemLocation, MemRole, Memory, Plan, Stream, StreamOrder, TASK_KINDS, Task, TaskKind } from './ir.js';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/\-]*$/;
const COST_KEYS: (keyof Cost)[] = ['ii', 'perToken', 'busy', 'depth', 'extBytes', 'dsp', 'bram18k', 'uram', 'lut', 'ff', 'finish'];
const PLAN_KEYS: (keyof Plan)[] = ['tt', 'uk', 'un'];

function id(n: string): string { return PLAIN.test(n) ? n : JSON.stringify(n); }
function num(x: number): string { return String(x); }
function record(r: Record<string, number | string>): string {
  return `{${Object.keys(r).sort().map((k) => `${id(k)}: ${typeof r[k] === 'number' ? num(r[k] as number) : JSON.stringify(r[k])}`).join(', ')}}`;
}
function endpoint(e: Endpoint): string { return e.task === HOST ? `host.${e.slot}` : `@${id(e.task)}.${e.slot}`; }
function elem(bits: number): string { return `i${bits}`; }
function location(l: MemLocation): string {
  return l.kind === 'external' ? `external [${l.channels.join(', ')}]` : l.kind;
}

export function printDataflow(g: DataflowGraph): string {
  const lines = [`dataflow ${id(g.name)} tokens ${g.tokens} precision ${g.precision} device ${g.device} clock ${num(g.clockMHz)}`];
  for (const n of g.inputs) lines.push(`input %${id(n)}`);
  for (const n of g.outputs) lines.push(`output %${id(n)}`);
  for (const m of g.mems) {
    let line = `mem %${id(m.name)}: ${m.role} ${elem(m.bits)}[${m.shape.join(', ')}] ${location(m.location)}`;
    if (m.past !== undefined) line += ` past ${JSON.stringify(m.past)}`;
    if (m.present !== undefined) line += ` present ${JSON.stringify(m.present)}`;
    lines.push(line);
  }
  for (const s of g.streams) {
    lines.push(`stream %${id(s.name)}: ${elem(s.bits)}x${s.lanes}[${s.shape.join(', ')}] ${s.order} depth ${s.depth} ${endpoint(s.from)} -> ${endpoint(s.to)} value ${JSON.stringify(s.value)}`);
  }
  for (const t of g.tasks) {
    const slots = (xs: string[]) => xs.map((x) => (x ? `%${id(x)}` : '_')).join(', ');
    let line = `task @${id(t.name)} = ${t.kind}(${slots(t.inputs)}) -> (${slots(t.outputs)}) mems(${t.mems.map((m) => `%${id(m)}`).join(', ')}) dims ${record(t.dims)} attrs ${record(t.attrs)} node ${JSON.stringify(t.node)}`;
    if (t.plan) line += ` plan ${record(t.plan as unknown as Record<string, number>)}`;
    if (t.cost) line += ` cost ${record(Object.fromEntries(COST_KEYS.map((k) => [k, t.cost![k]])))}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string, private readonly line: number) {}

  fail(msg: string): never { throw new UserError(`dataflow IR line ${this.line}: ${msg} at '${this.text.slice(this.pos, this.pos + 24)}'`); }
  ws(): void { while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++; }
  peek(s: string): boolean { this.ws(); return this.text.startsWith(s, this.pos); }
  eat(s: string): boolean { if (this.peek(s)) { this.pos += s.length; return true; } return false; }
  expect(s: string): void { if (!this.eat(s)) this.fail(`expected '${s}'`); }
  done(): boolean { this.ws(); return this.pos >= this.text.length; }

  string(): string {
    this.ws();
    const m = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a string');
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  /** A plain word or a JSON string. Dots are part of names, so `@a.b.0` is split by endpoint(). */
  word(): string {
    this.ws();
    if (this.text[this.pos] === '"') return this.string();
    const m = /^[A-Za-z0-9_.\/\-+]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  number(): number {
    const w = this.word();
    const x = Number(w);
    if (w === '' || Number.isNaN(x)) this.fail(`expected a number, got '${w}'`);
    return x;
  }

  keyword(): string {
    this.ws();
    const m = /^[A-Za-z]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a keyword');
    this.pos += m[0].length;
    return m[0];
  }

  ref(sigil: '%' | '@'): string { this.expect(sigil); return this.word(); }

  endpoint(): Endpoint {
    let full: string;
    if (this.eat('host.')) return { task: HOST, slot: this.number() };
    this.expect('@');
    this.ws();
    if (this.text[this.pos] === '"') {
      full = this.string();
      this.expect('.');
      return { task: full, slot: this.number() };
    }
    full = this.word();
    const m = /^(.*)\.(\d+)$/.exec(full);
    if (!m) this.fail(`endpoint '@${full}' needs a slot (@task.N)`);
    return { task: m[1], slot: Number(m[2]) };
  }

  numbers(): number[] {
    this.expect('[');
    const out: number[] = [];
    while (!this.eat(']')) { out.push(this.number()); this.eat(','); }
    return out;
  }

  elem(): number {
    this.expect('i');
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected an element width (i8, i16 ...)');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  record(): Record<string, number | string> {
    const r: Record<string, number | string> = {};
    this.expect('{');
    while (!this.eat('}')) {
      const k = this.word();
      this.expect(':');
      r[k] = this.peek('"') ? this.string() : this.number();
      this.eat(',');
    }
    return r;
  }

  slots(): string[] {
    this.expect('(');
    const out: string[] = [];
    while (!this.eat(')')) {
      if (this.eat('_')) out.push('');
      else out.push(this.ref('%'));
      this.eat(',');
    }
    return out;
  }
}

function numbersOf(r: Record<string, number | string>, what: string, p: Parser): Record<string, number> {
  for (const [k, v] of Object.entries(r)) if (typeof v !== 'number') p.fail(`${what} '${k}' must be a number`);
  return r as Record<string, number>;
}

export function parseDataflow(text: string): DataflowGraph {
  const g: DataflowGraph = { name: 'dataflow', tokens: 1, precision: 'w8a16', device: 'none', clockMHz: 300, tasks: [], streams: [], mems: [], inputs: [], outputs: [] };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('//') || line.startsWith('#')) return;
    const p = new Parser(line, i + 1);
    const kw = p.keyword();
    switch (kw) {
      case 'dataflow':
        g.name = p.word();
        while (!p.done()) {
          const k = p.keyword();
          if (k === 'tokens') g.tokens = p.number();
          else if (k === 'precision') g.precision = p.word();
          else if (k === 'device') g.device = p.word();
          else if (k === 'clock') g.clockMHz = p.number();
          else p.fail(`unknown header field '${k}'`);
        }
        break;
      case 'input': g.inputs.push(p.ref('%')); break;
      case 'output': g.outputs.push(p.ref('%')); break;
      case 'mem': {
        const name = p.ref('%');
        p.expect(':');
        const role = p.keyword() as MemRole;
        if (!['weight', 'state', 'reorder'].includes(role)) p.fail(`unknown memory role '${role}'`);
        const bits = p.elem();
        const shape = p.numbers();
        const where = p.keyword();
        let loc: MemLocation = { kind: "unplaced" };
        if (where === 'external') loc = { kind: 'external', channels: p.numbers() };
        else if (where === 'onchip' || where === 'unplaced') loc = { kind: where };
        else p.fail(`unknown memory location '${where}'`);
        const m: Memory = { name, role, bits, shape, location: loc };
        while (!p.done()) {
          const k = p.keyword();
          if (k === 'past') m.past = p.string();
          else if (k === 'present') m.present = p.string();
          else p.fail(`unknown memory field '${k}'`);
        }
        g.mems.push(m);
        break;
      }
      case 'stream': {
        const name = p.ref('%');
        p.expect(':');
        const bits = p.elem();
        p.expect('x');
        const lanes = p.number();
        const shape = p.numbers();
        const order = p.word() as StreamOrder;
        if (order !== 't.c' && order !== 'all.t.c') p.fail(`unknown stream order '${order}'`);
        p.expect('depth');
        const depth = p.number();
        const from = p.endpoint();
        p.expect('->');
        const to = p.endpoint();
        p.expect('value');
        const s: Stream = { name, bits, lanes, shape, order, depth, from, to, value: p.string() };
        g.streams.push(s);
        break;
      }
      case 'task': {
        const name = p.ref('@');
        p.expect('=');
        const kind = p.keyword() as TaskKind;
        if (!TASK_KINDS.includes(kind)) p.fail(`unknown task kind '${kind}'`);
        const inputs = p.slots();
        p.expect('->');
        const outputs = p.slots();
        p.expect('mems');
        const mems = p.slots();
        p.expect('dims');
        const dims = numbersOf(p.record(), 'dim', p);
        p.expect('attrs');
        const attrs = p.record();
        p.expect('node');
        const t: Task = { name, kind, inputs, outputs, mems, dims, attrs, node: p.string() };
        while (!p.done()) {
          const k = p.keyword();
          if (k === 'plan') {
            const r = numbersOf(p.record(), 'plan field', p);
            for (const key of PLAN_KEYS) if (r[key] === undefined) p.fail(`plan needs '${key}'`);
            t.plan = { tt: r.tt, uk: r.uk, un: r.un };
          } else if (k === 'cost') {
            const r = numbersOf(p.record(), 'cost field', p);
            for (const key of COST_KEYS) if (r[key] === undefined) p.fail(`cost needs '${key}'`);
            t.cost = Object.fromEntries(COST_KEYS.map((key) => [key, r[key]])) as unknown as Cost;
          } else p.fail(`unknown task field '${k}'`);
        }
        g.tasks.push(t);
        break;
      }
      default: p.fail(`unknown statement '${kw}'`);
    }
    if (!p.done()) p.fail('unexpected text');
  });
  return g;
}
