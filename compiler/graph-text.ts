/**
 * Text form of the graph IR, for pass tests (IR text in, IR text out) and
 * --print-ir-after. One statement per line:
 *
 *   graph main opset 17
 *   input %x: float32[1, sequence, 32]
 *   const %w: float32[2] = [0.5, 1]
 *   const %big: float32[32, 32] = ...        (values elided: parsed as zeros)
 *   %y = Add(%x, %w) {axis: 1} @node_name
 *   %a, %b = Split(%y, ) {}                 (an empty operand is an omitted input)
 *   output %y: float32[1, sequence, 32]
 *
 * Names that are not plain identifiers are written as JSON strings (%"a b").
 */
import { UserError } from './errors.js';
import { AttrValue, Attrs, Dim, Graph, Node, ValueInfo, ValueType } from './graph.js';
import { DType, Tensor } from './tensor.js';

/** Constants with at most this many elements are printed with their values. */
const INLINE_LIMIT = 64;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/\-]*$/;

function name(n: string): string { return PLAIN.test(n) ? n : JSON.stringify(n); }
function value(n: string): string { return n === '' ? '' : `%${name(n)}`; }
function dim(d: Dim): string { return typeof d === 'number' || PLAIN.test(d) || d === '?' ? String(d) : JSON.stringify(d); }
function type(t: ValueType): string { return `${t.dtype}[${t.shape.map(dim).join(', ')}]`; }
function num(x: number): string { return Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : String(x); }

function tensorLiteral(t: Tensor): string {
  const head = type({ dtype: t.dtype, shape: [...t.shape] });
  return t.size <= INLINE_LIMIT ? `${head} [${t.toArray().map(num).join(', ')}]` : `${head} ...`;
}

function attr(v: AttrValue): string {
  if (v instanceof Tensor) return `tensor ${tensorLiteral(v)}`;
  if (Array.isArray(v)) return `[${(v as (number | string)[]).map((x) => (typeof x === 'number' ? num(x) : JSON.stringify(x))).join(', ')}]`;
  return typeof v === 'number' ? num(v) : JSON.stringify(v);
}

export function printGraph(graph: Graph): string {
  const lines = [`graph ${name(graph.name)} opset ${graph.opset}`];
  for (const v of graph.inputs) lines.push(`input ${value(v.name)}: ${type(v)}`);
  for (const [n, t] of graph.initializers) lines.push(`const ${value(n)}: ${tensorLiteral(t).replace(/ (\[|\.\.\.)/, ' = $1')}`);
  for (const node of graph.nodes) {
    const attrs = Object.keys(node.attrs).sort().map((k) => `${name(k)}: ${attr(node.attrs[k])}`).join(', ');
    const label = node.name ? ` @${name(node.name)}` : '';
    lines.push(`${node.outputs.map(value).join(', ')} = ${node.opType}(${node.inputs.map(value).join(', ')})${attrs ? ` {${attrs}}` : ''}${label}`);
  }
  for (const v of graph.outputs) lines.push(`output ${value(v.name)}: ${type(graph.types.get(v.name) ?? v)}`);
  return lines.join('\n') + '\n';
}

/** A small tokenizer-driven recursive-descent parser for the form above. */
class Parser {
  private pos = 0;
  constructor(private readonly text: string, private readonly line: number) {}

  fail(msg: string): never { throw new UserError(`graph IR line ${this.line}: ${msg} at '${this.text.slice(this.pos, this.pos + 20)}'`); }
  ws(): void { while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++; }
  peek(s: string): boolean { this.ws(); return this.text.startsWith(s, this.pos); }
  eat(s: string): boolean { if (this.peek(s)) { this.pos += s.length; return true; } return false; }
  expect(s: string): void { if (!this.eat(s)) this.fail(`expected '${s}'`); }
  done(): boolean { this.ws(); return this.pos >= this.text.length; }

  word(): string {
    this.ws();
    if (this.text[this.pos] === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.pos));
      if (!m) this.fail('unterminated string');
      this.pos += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    const m = /^[A-Za-z0-9_.\/\-+?]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  value(): string { this.expect('%'); return this.word(); }

  number(): number {
    const w = this.word();
    if (w === 'nan') return NaN;
    if (w === 'inf') return Infinity;
    if (w === '-inf') return -Infinity;
    const x = Number(w);
    if (Number.isNaN(x)) this.fail(`expected a number, got '${w}'`);
    return x;
  }

  type(): ValueType {
    const dtype = this.word() as DType;
    this.expect('[');
    const shape: Dim[] = [];
    while (!this.eat(']')) {
      const w = this.word();
      shape.push(/^\d+$/.test(w) ? Number(w) : w);
      this.eat(',');
    }
    return { dtype, shape };
  }

  tensorValues(t: ValueType): Tensor {
    const shape = t.shape as number[];
    if (this.eat('...')) return Tensor.zeros(t.dtype, shape);
    this.expect('[');
    const values: number[] = [];
    while (!this.eat(']')) { values.push(this.number()); this.eat(','); }
    return Tensor.from(t.dtype, shape, values);
  }

  attrValue(): AttrValue {
    if (this.peek('"')) return this.word();
    if (this.eat('tensor')) return this.tensorValues(this.type());
    if (this.eat('[')) {
      const items: (number | string)[] = [];
      while (!this.eat(']')) { items.push(this.peek('"') ? this.word() : this.number()); this.eat(','); }
      return items as number[] | string[];
    }
    return this.number();
  }

  attrs(): Attrs {
    const attrs: Attrs = {};
    if (!this.eat('{')) return attrs;
    while (!this.eat('}')) {
      const key = this.word();
      this.expect(':');
      attrs[key] = this.attrValue();
      this.eat(',');
    }
    return attrs;
  }
}

export function parseGraph(text: string): Graph {
  const graph: Graph = {
    name: 'graph', opset: 17, inputs: [], outputs: [], initializers: new Map(), nodes: [], types: new Map(), meta: {},
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
    const p = new Parser(line, i + 1);
    if (p.eat('graph ')) {
      graph.name = p.word();
      p.expect('opset');
      graph.opset = p.number();
    } else if (p.eat('input ') || p.peek('output ')) {
      const isOutput = p.eat('output ');
      const n = p.value();
      p.expect(':');
      const info: ValueInfo = { name: n, ...p.type() };
      (isOutput ? graph.outputs : graph.inputs).push(info);
      if (!isOutput) graph.types.set(n, { dtype: info.dtype, shape: info.shape });
    } else if (p.eat('const ')) {
      const n = p.value();
      p.expect(':');
      const t = p.type();
      p.expect('=');
      const tensor = p.tensorValues(t);
      graph.initializers.set(n, tensor);
      graph.types.set(n, t);
    } else {
      const outputs: string[] = [];
      do { outputs.push(p.value()); } while (p.eat(','));
      p.expect('=');
      const opType = p.word();
      p.expect('(');
      const inputs: string[] = [];
      if (!p.eat(')')) {
        do { inputs.push(p.peek('%') ? p.value() : ''); } while (p.eat(','));
        p.expect(')');
      }
      const attrs = p.attrs();
      const node: Node = { name: p.eat('@') ? p.word() : '', opType, inputs, outputs, attrs };
      graph.nodes.push(node);
    }
    if (!p.done()) p.fail('unexpected text');
  });
  return graph;
}
