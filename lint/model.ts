/**
 * What the rules read: one parsed file with its symbols resolved as far as a
 * fragment allows. Constants come from #define (and -D), const/constexpr
 * declarations, enumerators, static const struct members, template parameter
 * defaults and the template arguments of the file's own calls, and from the
 * headers the file includes with quotes (found beside it or under -I); what
 * stays unknown is a symbol of an affine form (affine.ts). Functions carry
 * their parameters, locals, loops (induction variable, step, range) and the
 * HLS pragmas that belong to them, pragmas before a function header included.
 */
import { Affine, add, isConst, konst, mul, scale, sub, sym } from './affine.js';
import type { Node, Tree } from './parser.js';

export interface Decl {
  name: string;
  /** the declared type as written, qualifiers left out */
  type: string;
  /** array extents, outermost first (undefined: unknown, e.g. `a[]`) */
  dims: (Affine | undefined)[];
  pointer: boolean;
  ref: boolean;
  isConst: boolean;
  isStatic: boolean;
  kind: 'param' | 'local' | 'global';
  node: Node;
  /** the declarator's initializer value */
  init?: Node;
}

export interface Pragma {
  node: Node;
  text: string;
  /** lower-case directive: pipeline, unroll, dataflow, interface, array_partition ... */
  kind: string;
  /** lower-case bare words after the directive (cyclic, m_axi, off ...) */
  words: string[];
  /** lower-case key -> value as written (variable=, port=, factor=, dim=, mode=, type=) */
  opts: Map<string, string>;
  /** where the pragma stands */
  placement: 'function' | 'loop' | 'branch' | 'block' | 'top';
  /** the loop or function statement whose body holds it (for 'top': the next function) */
  owner?: Node;
  func?: Func;
}

export interface Loop {
  node: Node;
  /** symbol standing for the induction variable in affine forms */
  id: string;
  var?: string;
  init?: Affine;
  step?: number;
  /** the comparison of the condition that bounds var, var on the left */
  cond?: { op: string; bound: Affine; node: Node };
  /** var is assigned in the body too: the range is unknown */
  modified: boolean;
  lo?: Affine;
  hi?: Affine;
  func?: Func;
}

export interface Func {
  node: Node;
  name: string;
  body: Node;
  params: Decl[];
  locals: Map<string, Decl>;
  pragmas: Pragma[];
  loops: Loop[];
  template: Map<string, Affine | undefined>;
}

export interface ModelOptions {
  defines?: Record<string, string>;
  /** constants, typedefs and defines read from included headers */
  imported?: Symbols;
}

export interface Macro { params?: string[]; body: string }

export interface Symbols {
  defines: Map<string, string>;
  /** function-like macros, and object-like ones whose body is a _Pragma (pragma macros: macros.ts) */
  macros: Map<string, Macro>;
  /** a tree node of this file, a folded value, or the text of a header's initializer (its tree is gone) */
  constants: Map<string, Node | Affine | string>;
  typedefs: Map<string, string>;
}

const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement', 'for_range_loop']);
const BRANCHES = new Set(['if_statement', 'else_clause', 'case_statement', 'switch_statement', 'condition_clause']);
const PREPROC_BLOCKS = new Set(['preproc_ifdef', 'preproc_if', 'preproc_else', 'preproc_elif', 'preproc_elifdef']);
const TOP = new Set(['translation_unit', 'preproc_ifdef', 'preproc_if', 'preproc_else', 'preproc_elif', 'declaration_list', 'linkage_specification', 'namespace_definition']);

export function parseNumber(text: string): number | undefined {
  const neg = /^-\s*/.exec(text);
  if (neg) { const v = parseNumber(text.slice(neg[0].length)); return v === undefined ? undefined : -v; }
  const t = text.replace(/'/g, '').replace(/[uUlL]+$/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[bB][01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

/** Parse "#pragma HLS ..." text into a directive, bare words and key=value options. */
export function parsePragma(arg: string): { kind: string; words: string[]; opts: Map<string, string> } | undefined {
  const text = arg.replace(/\\\n/g, ' ').replace(/\/\/.*$|\/\*.*?\*\//g, '').trim();
  const m = /^HLS\s+(\w+)\s*(.*)$/is.exec(text);
  if (!m) return undefined;
  const words: string[] = [];
  const opts = new Map<string, string>();
  const tokens = m[2].replace(/\s*=\s*/g, '=').split(/[\s,]+/).filter(Boolean);
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    if (eq > 0) opts.set(tok.slice(0, eq).toLowerCase(), tok.slice(eq + 1));
    else words.push(tok.toLowerCase());
  }
  return { kind: m[1].toLowerCase(), words, opts };
}

/** A small evaluator for #define and -D values: numbers, names, + - * / % << >> & | ( ). */
function evalText(text: string, lookup: (name: string) => Affine | undefined): Affine | undefined {
  const toks = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*|<<|>>|[-+*/%()&|~]|\S/g) ?? [];
  let pos = 0;
  const peek = () => toks[pos];
  const primary = (): Affine | undefined => {
    const t = toks[pos++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const v = expr(0);
      if (toks[pos++] !== ')') return undefined;
      return v;
    }
    if (t === '-') { const v = primary(); return v && scale(v, -1); }
    if (t === '+') return primary();
    const n = parseNumber(t);
    if (n !== undefined) return konst(n);
    if (/^[A-Za-z_]/.test(t)) return lookup(t);
    return undefined;
  };
  const prec: Record<string, number> = { '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5 };
  const expr = (min: number): Affine | undefined => {
    let left = primary();
    while (left && peek() !== undefined && prec[peek()!] !== undefined && prec[peek()!] >= min) {
      const op = toks[pos++];
      const right = expr(prec[op] + 1);
      if (!right) return undefined;
      left = binary(op, left, right);
    }
    return left;
  };
  const v = expr(0);
  return pos === toks.length ? v : undefined;
}

function binary(op: string, a: Affine, b: Affine): Affine | undefined {
  switch (op) {
    case '+': return add(a, b);
    case '-': return sub(a, b);
    case '*': return mul(a, b);
  }
  if (!isConst(a) || !isConst(b)) return undefined;
  switch (op) {
    case '/': return b.c === 0 ? undefined : konst(Math.trunc(a.c / b.c));
    case '%': return b.c === 0 ? undefined : konst(a.c % b.c);
    case '<<': return konst(a.c * 2 ** b.c);
    case '>>': return konst(Math.floor(a.c / 2 ** b.c));
    case '&': return konst(a.c & b.c);
    case '|': return konst(a.c | b.c);
  }
  return undefined;
}

/** The innermost name a declarator declares, with its pointer/reference/array decoration. */
export function unwrapDeclarator(d: Node | null): { name?: string; nameNode?: Node; sizes: (Node | null)[]; pointer: boolean; ref: boolean; init?: Node; func: boolean } {
  const out = { name: undefined as string | undefined, nameNode: undefined as Node | undefined, sizes: [] as (Node | null)[], pointer: false, ref: false, init: undefined as Node | undefined, func: false };
  let n: Node | null = d;
  while (n) {
    switch (n.type) {
      case 'init_declarator':
        out.init = n.childForFieldName('value') ?? undefined;
        n = n.childForFieldName('declarator');
        continue;
      case 'array_declarator':
        out.sizes.unshift(n.childForFieldName('size'));
        n = n.childForFieldName('declarator');
        continue;
      case 'pointer_declarator':
        out.pointer = true;
        n = n.childForFieldName('declarator');
        continue;
      case 'reference_declarator':
        out.ref = true;
        n = n.namedChildren.find((c) => c !== null && c.type !== 'type_qualifier') ?? null;
        continue;
      case 'parenthesized_declarator':
        n = n.namedChildren[0] ?? null;
        continue;
      case 'function_declarator':
        out.func = true;
        n = n.childForFieldName('declarator');
        continue;
      case 'identifier': case 'field_identifier': case 'qualified_identifier': case 'type_identifier':
        out.name = n.text;
        out.nameNode = n;
        return out;
      default:
        return out;
    }
  }
  return out;
}

function qualifiers(decl: Node): { isConst: boolean; isStatic: boolean } {
  let isConst = false;
  let isStatic = false;
  for (const c of decl.children) {
    if (!c) continue;
    if (c.type === 'type_qualifier' && /^(const|constexpr)$/.test(c.text)) isConst = true;
    if (c.type === 'storage_class_specifier' && c.text === 'static') isStatic = true;
  }
  return { isConst, isStatic };
}

export function ancestors(n: Node): Node[] {
  const out: Node[] = [];
  for (let p = n.parent; p; p = p.parent) out.push(p);
  return out;
}

export function isInside(n: Node, outer: Node): boolean {
  return n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
}

/**
 * The named nodes of one tree by type, in preorder, with each node's preorder
 * span: descendants() answers from it instead of walking the tree in wasm on
 * every call (the rules ask many times per function). One tree at a time.
 */
interface TreeIndex { tree: Tree; span: Map<number, [number, number]>; byType: Map<string, { pre: number[]; nodes: Node[] }> }
let index: TreeIndex | undefined;

function buildIndex(tree: Tree): TreeIndex {
  const span = new Map<number, [number, number]>();
  const byType = new Map<string, { pre: number[]; nodes: Node[] }>();
  const cursor = tree.walk();
  const stack: { id: number; pre: number }[] = [];
  let pre = 0;
  for (;;) {
    if (cursor.nodeIsNamed) {
      const node = cursor.currentNode;
      let list = byType.get(node.type);
      if (!list) { list = { pre: [], nodes: [] }; byType.set(node.type, list); }
      list.pre.push(pre);
      list.nodes.push(node);
      stack.push({ id: node.id, pre });
    } else stack.push({ id: -1, pre });
    pre++;
    if (cursor.gotoFirstChild()) continue;
    for (;;) {
      const done = stack.pop()!;
      if (done.id >= 0) span.set(done.id, [done.pre, pre - 1]);
      if (cursor.gotoNextSibling()) break;
      if (!cursor.gotoParent()) { cursor.delete(); return { tree, span, byType }; }
    }
  }
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Named nodes of the given types in n's subtree, n included, in source order. */
export function descendants(n: Node, types: string | string[]): Node[] {
  if (index?.tree !== n.tree) index = buildIndex(n.tree);
  const range = index.span.get(n.id);
  if (!range) return n.descendantsOfType(types).filter((x): x is Node => x !== null);
  const out: Node[] = [];
  const list = typeof types === 'string' ? [types] : types;
  for (const t of list) {
    const entry = index.byType.get(t);
    if (!entry) continue;
    for (let k = lowerBound(entry.pre, range[0]); k < entry.pre.length && entry.pre[k] <= range[1]; k++) out.push(entry.nodes[k]);
  }
  if (list.length > 1) out.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  return out;
}

/** Forget the index (the tree is about to be deleted). */
export function releaseIndex(tree: Tree): void {
  if (index?.tree === tree) index = undefined;
}

export class FileModel {
  readonly functions: Func[] = [];
  readonly topPragmas: Pragma[] = [];
  readonly pragmas: Pragma[] = [];
  readonly globals = new Map<string, Decl>();
  readonly symbols: Symbols;
  private loopByNode = new Map<number, Loop>();
  private funcByNode = new Map<number, Func>();
  private templateCalls = new Map<string, (Affine | undefined)[][]>();

  constructor(readonly file: string, readonly source: string, readonly tree: Tree, options: ModelOptions = {}) {
    this.symbols = collectSymbols(tree.rootNode, options.imported);
    for (const [k, v] of Object.entries(options.defines ?? {})) this.symbols.defines.set(k, v);
    this.collectTemplateCalls();
    this.collectGlobals();
    for (const fn of descendants(tree.rootNode, 'function_definition')) this.addFunction(fn);
    this.collectPragmas();
  }

  private collectTemplateCalls() {
    for (const tf of descendants(this.tree.rootNode, 'template_function')) {
      const name = tf.childForFieldName('name')?.text;
      const args = tf.childForFieldName('arguments');
      if (!name || !args) continue;
      const vals = args.namedChildren.map((a) => (a && a.type !== 'type_descriptor' ? this.evalConstNode(a) : undefined));
      const list = this.templateCalls.get(name) ?? [];
      list.push(vals);
      this.templateCalls.set(name, list);
    }
  }

  private collectGlobals() {
    for (const d of descendants(this.tree.rootNode, 'declaration')) {
      if (ancestors(d).some((a) => a.type === 'function_definition' || a.type === 'compound_statement')) continue;
      for (const decl of this.declsOf(d, 'global')) this.globals.set(decl.name, decl);
    }
  }

  declsOf(d: Node, kind: Decl['kind']): Decl[] {
    const type = d.childForFieldName('type')?.text ?? '';
    const q = qualifiers(d);
    const out: Decl[] = [];
    for (const dec of d.childrenForFieldName('declarator')) {
      if (!dec) continue;
      const u = unwrapDeclarator(dec);
      if (!u.name || u.func) continue;
      // if (int r = f()) ...: a condition's declaration keeps its value in a field of its own
      if (!u.init && d.childForFieldName('value')) u.init = d.childForFieldName('value')!;
      const dims = u.sizes.map((s) => (s ? this.evalConstNode(s) : undefined));
      // `T a[] = {1, 2, 3}`: the initializer's length is the extent.
      if (dims.length > 0 && dims[0] === undefined && u.init?.type === 'initializer_list') dims[0] = konst(u.init.namedChildCount);
      out.push({ name: u.name, type, dims, pointer: u.pointer, ref: u.ref, isConst: q.isConst, isStatic: q.isStatic, kind, node: dec, init: u.init });
    }
    return out;
  }

  private addFunction(node: Node) {
    const body = node.childForFieldName('body');
    if (!body) return;
    let fd: Node | null = node.childForFieldName('declarator');
    while (fd && fd.type !== 'function_declarator') fd = fd.childForFieldName('declarator') ?? fd.namedChildren[0] ?? null;
    if (!fd) return;
    const name = fd.childForFieldName('declarator')?.text ?? '?';
    const template = new Map<string, Affine | undefined>();
    const fn: Func = { node, name, body, params: [], locals: new Map(), pragmas: [], loops: [], template };
    this.funcByNode.set(node.id, fn);
    const tdecl = node.parent?.type === 'template_declaration' ? node.parent : undefined;
    if (tdecl) {
      const tps = tdecl.childForFieldName('parameters')?.namedChildren ?? [];
      const shortName = name.replace(/^.*::/, '');
      const calls = this.templateCalls.get(shortName) ?? [];
      tps.forEach((tp, i) => {
        if (!tp) return;
        const pname = unwrapDeclarator(tp.childForFieldName('declarator') ?? tp.childForFieldName('name')).name
          ?? tp.namedChildren.find((c) => c?.type === 'identifier' || c?.type === 'type_identifier')?.text;
        if (!pname) return;
        let value: Affine | undefined;
        const dflt = tp.childForFieldName('default_value');
        if (dflt) value = this.evalConstNode(dflt);
        // The file's own calls foo<8>(...): one value for all of them binds the parameter.
        const seen = calls.map((c) => c[i]);
        if (seen.length > 0 && seen.every((v) => isConst(v) && v.c === (seen[0] as Affine).c)) value = seen[0];
        template.set(pname, value);
      });
    }
    const params = fd.childForFieldName('parameters')?.namedChildren ?? [];
    for (const p of params) {
      if (!p || !/parameter_declaration$/.test(p.type)) continue;
      const u = unwrapDeclarator(p.childForFieldName('declarator'));
      if (!u.name) continue;
      const q = qualifiers(p);
      fn.params.push({
        name: u.name, type: p.childForFieldName('type')?.text ?? '', dims: u.sizes.map((s) => (s ? this.evalConstNode(s, fn) : undefined)),
        pointer: u.pointer, ref: u.ref, isConst: q.isConst, isStatic: false, kind: 'param', node: p,
      });
    }
    for (const d of descendants(body, 'declaration')) {
      for (const decl of this.declsOf(d, 'local')) if (!fn.locals.has(decl.name)) fn.locals.set(decl.name, decl);
    }
    // Extents of locals may use the function's own constants and template parameters.
    for (const decl of fn.locals.values()) {
      const u = unwrapDeclarator(decl.node);
      decl.dims = u.sizes.map((s, i) => (s ? this.evalConstNode(s, fn) : decl.dims[i]));
    }
    for (const l of descendants(body, ['for_statement', 'while_statement', 'do_statement'])) {
      if (this.functionOf(l)?.id !== node.id) continue;
      const loop = this.analyzeLoop(l, fn);
      fn.loops.push(loop);
      this.loopByNode.set(l.id, loop);
    }
    this.functions.push(fn);
  }

  /** The function_definition node enclosing n. */
  functionOf(n: Node): Node | undefined {
    for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
    return undefined;
  }

  funcOf(n: Node): Func | undefined {
    const f = this.functionOf(n);
    return f ? this.funcByNode.get(f.id) : undefined;
  }

  loopOfNode(n: Node): Loop | undefined {
    return this.loopByNode.get(n.id);
  }

  /** The loops enclosing n, innermost first. */
  enclosingLoops(n: Node): Loop[] {
    const out: Loop[] = [];
    for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) {
      const l = this.loopByNode.get(p.id);
      const body = p.childForFieldName('body');
      if (l && body && isInside(n, body)) out.push(l);
    }
    return out;
  }

  private analyzeLoop(node: Node, fn: Func): Loop {
    const loop: Loop = { node, id: `@L${node.startIndex}`, modified: false, func: fn };
    const cond = node.childForFieldName('condition');
    const body = node.childForFieldName('body');
    if (node.type === 'for_statement') {
      const init = node.childForFieldName('initializer');
      const update = node.childForFieldName('update');
      if (init?.type === 'declaration') {
        const d = init.childForFieldName('declarator');
        const u = unwrapDeclarator(d);
        loop.var = u.name;
        if (u.init) loop.init = this.eval(u.init, fn);
      } else if (init?.type === 'assignment_expression' && init.childForFieldName('left')?.type === 'identifier') {
        loop.var = init.childForFieldName('left')!.text;
        loop.init = this.eval(init.childForFieldName('right')!, fn);
      }
      const steps = update ? (update.type === 'comma_expression' ? descendants(update, ['update_expression', 'assignment_expression']) : [update]) : [];
      for (const s of steps) {
        const st = stepOf(s, (n) => this.eval(n, fn));
        if (!st) continue;
        if (loop.var === undefined) loop.var = st.var;
        if (st.var === loop.var) loop.step = st.step;
      }
    }
    if (loop.var === undefined && cond) {
      // while (i < N) { ... i++; }: the variable of the first comparison
      const cmp = comparisons(cond)[0];
      const id = cmp && [cmp.left, cmp.right].find((s) => s?.type === 'identifier');
      if (id) loop.var = id.text;
    }
    if (loop.var && cond) {
      for (const c of comparisons(cond)) {
        let op = c.op;
        let other: Node | null = null;
        if (c.left?.type === 'identifier' && c.left.text === loop.var) other = c.right;
        else if (c.right?.type === 'identifier' && c.right.text === loop.var) {
          other = c.left;
          op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op;
        }
        if (!other) continue;
        const bound = this.eval(other, fn);
        if (bound) loop.cond = { op, bound, node: c.node };
        break;
      }
    }
    if (loop.var && body && node.type === 'for_statement') loop.modified = writes(body, loop.var);
    if (node.type !== 'for_statement') {
      // while (i < N) { ...; i++; }: one step statement at the top of the body, the start from
      // the statement before the loop (int i = 0; / i = 0;); anything else leaves the range unknown.
      loop.modified = true;
      if (loop.var && body && node.parent?.type === 'compound_statement') {
        const steps = descendants(body, ['assignment_expression', 'update_expression']).filter((a) => {
          const t = a.type === 'assignment_expression' ? a.childForFieldName('left') : a.childForFieldName('argument');
          return t?.type === 'identifier' && t.text === loop.var;
        });
        const st = steps.length === 1 && steps[0].parent?.type === 'expression_statement' && steps[0].parent.parent?.id === body.id
          ? stepOf(steps[0], (n) => this.eval(n, fn, false)) : undefined;
        const init = st ? this.startBefore(node, loop.var, fn) : undefined;
        if (st && init && !descendants(body, 'pointer_expression').some((p) => p.text === `&${loop.var}`)) {
          loop.step = st.step;
          loop.init = init;
          loop.modified = false;
        }
      }
    }
    if (!loop.modified && loop.init && loop.step && loop.cond) {
      const { op, bound } = loop.cond;
      const s = Math.abs(loop.step);
      // The last value reached: exact when the span is a constant; for a symbolic span
      // with a step > 1, the habit of HLS code (a bound the step divides) is assumed.
      const last = (edge: Affine, strict: boolean): Affine => {
        const span = sub(edge, loop.init!);
        if (isConst(span)) {
          const reach = strict ? Math.abs(span.c) - 1 : Math.abs(span.c);
          return add(loop.init!, konst(Math.sign(loop.step!) * Math.floor(Math.max(reach, 0) / s) * s));
        }
        return add(edge, konst(loop.step! > 0 ? (strict ? -s : 0) : (strict ? s : 0)));
      };
      if (loop.step > 0) {
        loop.lo = loop.init;
        if (op === '<' || op === '!=') loop.hi = last(bound, true);
        else if (op === '<=') loop.hi = last(bound, false);
      } else {
        loop.hi = loop.init;
        if (op === '>' || op === '!=') loop.lo = last(bound, true);
        else if (op === '>=') loop.lo = last(bound, false);
      }
    }
    return loop;
  }

  /** The value name gets right before a loop: the nearest preceding `T name = e;` or `name = e;` in its block. */
  private startBefore(loop: Node, name: string, fn: Func): Affine | undefined {
    const block = loop.parent!;
    let prev: Node | null = loop.previousNamedSibling;
    while (prev && block.id === prev.parent?.id) {
      if (prev.type === 'expression_statement') {
        const e = prev.namedChildren[0];
        if (e?.type === 'assignment_expression' && e.childForFieldName('left')?.text === name) {
          return e.childForFieldName('operator')?.text === '=' ? this.eval(e.childForFieldName('right')!, fn, false) : undefined;
        }
      } else if (prev.type === 'declaration') {
        for (const d of prev.childrenForFieldName('declarator')) {
          const u = unwrapDeclarator(d);
          if (u.name === name) return u.init ? this.eval(u.init, fn, false) : undefined;
        }
      }
      if (writes(prev, name)) return undefined;
      prev = prev.previousNamedSibling;
    }
    return undefined;
  }

  private collectPragmas() {
    const fnStarts = [...this.functions].sort((a, b) => a.node.startIndex - b.node.startIndex);
    for (const pc of descendants(this.tree.rootNode, 'preproc_call')) {
      if (pc.childForFieldName('directive')?.text !== '#pragma') continue;
      const arg = pc.childForFieldName('argument')?.text ?? '';
      const parsed = parsePragma(arg);
      if (!parsed) continue;
      const pragma: Pragma = { node: pc, text: `#pragma ${arg.trim()}`, ...parsed, placement: 'top' };
      // #ifndef LLM2HLS_HOST_TYPES ... #endif around pragmas: the block's place is the pragma's.
      let parent = pc.parent;
      while (parent && PREPROC_BLOCKS.has(parent.type)) parent = parent.parent;
      let container: Node | null = parent;
      if (parent && TOP.has(parent.type)) {
        pragma.placement = 'top';
        const next = fnStarts.find((f) => f.node.startIndex > pc.startIndex);
        if (next) { pragma.owner = next.node; pragma.func = next; }
        this.topPragmas.push(pragma);
      } else {
        if (container && container.type === 'compound_statement') container = container.parent;
        const fn = this.funcOf(pc);
        pragma.func = fn;
        if (container?.type === 'function_definition') { pragma.placement = 'function'; pragma.owner = container; }
        else if (container && LOOPS.has(container.type)) { pragma.placement = 'loop'; pragma.owner = container; }
        else if (container && (BRANCHES.has(container.type) || container.type === 'case_statement')) {
          pragma.placement = 'branch';
          pragma.owner = this.enclosingLoops(pc)[0]?.node ?? fn?.node;
        } else {
          pragma.placement = 'block';
          pragma.owner = this.enclosingLoops(pc)[0]?.node ?? fn?.node;
        }
      }
      this.pragmas.push(pragma);
      pragma.func?.pragmas.push(pragma);
    }
  }

  /** Pragmas of a loop or function (its body's own, not nested loops'). */
  pragmasOf(owner: Node, kind?: string): Pragma[] {
    return this.pragmas.filter((p) => p.owner?.id === owner.id && (p.placement === 'loop' || p.placement === 'function' || p.placement === 'top') && (kind === undefined || p.kind === kind));
  }

  /** A declaration visible in fn by name: local, parameter, then global. */
  lookup(name: string, fn?: Func): Decl | undefined {
    return fn?.locals.get(name) ?? fn?.params.find((p) => p.name === name) ?? this.globals.get(name);
  }

  /** An integer constant expression as an affine form (loop variables unknown). */
  evalConstNode(n: Node, fn?: Func): Affine | undefined {
    return this.eval(n, fn, false);
  }

  /** An expression as an affine form; loop variables become their loop's symbol. */
  eval(n: Node, fn?: Func, loops = true, depth = 0): Affine | undefined {
    if (depth > 30) return undefined;
    switch (n.type) {
      case 'number_literal': { const v = parseNumber(n.text); return v === undefined ? undefined : konst(v); }
      case 'true': return konst(1);
      case 'false': return konst(0);
      case 'parenthesized_expression': case 'condition_clause': {
        const inner = n.namedChildren[n.namedChildCount - 1];
        return inner ? this.eval(inner, fn, loops, depth + 1) : undefined;
      }
      case 'cast_expression': { const v = n.childForFieldName('value'); return v ? this.eval(v, fn, loops, depth + 1) : undefined; }
      case 'unary_expression': {
        const v = n.childForFieldName('argument');
        const a = v ? this.eval(v, fn, loops, depth + 1) : undefined;
        const op = n.childForFieldName('operator')?.text;
        if (!a) return undefined;
        if (op === '-') return scale(a, -1);
        if (op === '+') return a;
        if (op === '~' && isConst(a)) return konst(~a.c);
        return undefined;
      }
      case 'binary_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text ?? '';
        if (!l || !r) return undefined;
        const a = this.eval(l, fn, loops, depth + 1);
        const b = a && this.eval(r, fn, loops, depth + 1);
        return a && b ? binary(op, a, b) : undefined;
      }
      case 'identifier': case 'qualified_identifier': case 'field_expression':
        return this.evalName(n.text, n, fn, loops, depth);
      default:
        return undefined;
    }
  }

  private evalName(name: string, at: Node, fn: Func | undefined, loops: boolean, depth: number): Affine | undefined {
    if (loops && fn) {
      for (let p = at.parent; p && p.type !== 'function_definition'; p = p.parent) {
        const l = this.loopByNode.get(p.id);
        if (l && l.var === name) return sym(l.id);
      }
    }
    if (fn) {
      const local = fn.locals.get(name);
      if (local) {
        if (local.isConst && local.init) return this.eval(local.init, fn, false, depth + 1);
        // `int idx = i + 1;` never assigned again: its value is its initializer's, at the same loop depth.
        if (local.init && local.dims.length === 0 && !local.pointer && loops && !this.reassigned(fn, name)) {
          const v = this.eval(local.init, fn, true, depth + 1);
          if (v && [...v.t.keys()].every((s) => !s.startsWith('@L') || this.enclosesNode(s, at))) return v;
        }
        return sym(name);
      }
      if (fn.template.has(name)) return fn.template.get(name) ?? sym(name);
      if (fn.params.some((p) => p.name === name)) return sym(name);
    }
    return this.constant(name, depth) ?? sym(name);
  }

  private reassignedCache = new Map<string, boolean>();

  /** name is assigned somewhere in fn after its declaration. */
  reassigned(fn: Func, name: string): boolean {
    const key = `${fn.node.id}:${name}`;
    let r = this.reassignedCache.get(key);
    if (r === undefined) { r = writes(fn.body, name); this.reassignedCache.set(key, r); }
    return r;
  }

  /** The loop of symbol s (@L...) encloses node at. */
  private enclosesNode(s: string, at: Node): boolean {
    for (let p = at.parent; p && p.type !== 'function_definition'; p = p.parent) {
      const l = this.loopByNode.get(p.id);
      if (l && l.id === s) return true;
    }
    return false;
  }

  /** A file-level constant by name (define, const, enumerator, struct member, -D, included headers). */
  constant(name: string, depth = 0): Affine | undefined {
    if (depth > 30) return undefined;
    const def = this.symbols.defines.get(name);
    if (def !== undefined) return evalText(def, (n) => this.constant(n, depth + 1) ?? sym(n));
    const c = this.symbols.constants.get(name);
    if (c === undefined) return undefined;
    if (typeof c === 'string') return evalText(c, (n) => (n === name ? undefined : this.constant(n, depth + 1) ?? sym(n)));
    if ('c' in c && 't' in c) return c as Affine;
    return this.eval(c as Node, undefined, false, depth + 1);
  }

  /** Bit width of a type as written (ap_int<W>, int, uint8_t, typedefs), undefined when unknown. */
  typeWidth(type: string, fn?: Func, depth = 0): { width: number; signed: boolean; ap: boolean; symbolic?: Affine } | undefined {
    if (depth > 10) return undefined;
    const t = type.replace(/\b(const|volatile|static|constexpr|typename)\b/g, '').replace(/\s+/g, ' ').trim();
    const ap = /^(?:ap_|ac_)(u?int|u?fixed)\s*<\s*([^,>]+)/.exec(t);
    if (ap) {
      const w = this.evalTextIn(ap[2], fn);
      if (!w) return undefined;
      return { width: isConst(w) ? w.c : NaN, signed: !ap[1].startsWith('u'), ap: true, symbolic: w };
    }
    const std = /^(?:std::)?(u?)int(8|16|32|64)_t$/.exec(t);
    if (std) return { width: Number(std[2]), signed: std[1] === '', ap: false };
    const prim: Record<string, [number, boolean]> = {
      int: [32, true], signed: [32, true], 'signed int': [32, true], unsigned: [32, false], 'unsigned int': [32, false],
      short: [16, true], 'short int': [16, true], 'unsigned short': [16, false], 'unsigned short int': [16, false], 'signed short': [16, true],
      char: [8, true], 'signed char': [8, true], 'unsigned char': [8, false], bool: [1, false],
      long: [64, true], 'long int': [64, true], 'unsigned long': [64, false], 'long long': [64, true], 'long long int': [64, true],
      'unsigned long long': [64, false], 'unsigned long long int': [64, false], size_t: [64, false], 'std::size_t': [64, false],
    };
    if (prim[t]) return { width: prim[t][0], signed: prim[t][1], ap: false };
    const td = this.symbols.typedefs.get(t);
    if (td !== undefined) return this.typeWidth(td, fn, depth + 1);
    return undefined;
  }

  private evalTextIn(text: string, fn?: Func): Affine | undefined {
    return evalText(text, (n) => (fn?.template.has(n) ? fn.template.get(n) ?? sym(n) : this.constant(n) ?? sym(n)));
  }

  /** Largest (or smallest) value of an affine form over the ranges of its loop symbols. */
  bound(a: Affine, fn: Func | undefined, which: 'max' | 'min', depth = 0, narrow?: Map<string, { lo?: Affine; hi?: Affine }>): Affine | undefined {
    if (depth > 12) return undefined;
    let out = konst(a.c);
    for (const [s, k] of a.t) {
      if (!s.startsWith('@L')) { out = add(out, sym(s, k)); continue; }
      const loop = fn?.loops.find((l) => l.id === s);
      const useHi = (k > 0) === (which === 'max');
      const r = (useHi ? narrow?.get(s)?.hi : narrow?.get(s)?.lo) ?? (useHi ? loop?.hi : loop?.lo);
      if (!r) return undefined;
      const rb = this.bound(r, fn, useHi ? 'max' : 'min', depth + 1, narrow);
      if (!rb) return undefined;
      out = add(out, scale(rb, k));
    }
    return out;
  }

  /** 1-based line and column of a node. */
  position(n: Node): { line: number; column: number } {
    return { line: n.startPosition.row + 1, column: n.startPosition.column + 1 };
  }
}

/** `i++`, `--i`, `i += 2`, `i = i - 1` as (var, step). */
export function stepOf(s: Node, evalNode: (n: Node) => Affine | undefined): { var: string; step: number } | undefined {
  if (s.type === 'update_expression') {
    const arg = s.childForFieldName('argument');
    const op = s.childForFieldName('operator')?.text ?? s.text.replace(/\w/g, '');
    if (arg?.type !== 'identifier') return undefined;
    return { var: arg.text, step: op.includes('++') ? 1 : -1 };
  }
  if (s.type === 'assignment_expression') {
    const left = s.childForFieldName('left');
    const right = s.childForFieldName('right');
    const op = s.childForFieldName('operator')?.text;
    if (left?.type !== 'identifier' || !right) return undefined;
    if (op === '+=' || op === '-=') {
      const v = evalNode(right);
      return isConst(v) ? { var: left.text, step: op === '+=' ? v.c : -v.c } : undefined;
    }
    if (op === '=' && right.type === 'binary_expression') {
      const rl = right.childForFieldName('left');
      const rop = right.childForFieldName('operator')?.text;
      const rr = right.childForFieldName('right');
      if (rl?.text === left.text && rr && (rop === '+' || rop === '-')) {
        const v = evalNode(rr);
        return isConst(v) ? { var: left.text, step: rop === '+' ? v.c : -v.c } : undefined;
      }
    }
  }
  return undefined;
}

/** The comparisons of a condition joined by && (an || leaves nothing decided). */
export function comparisons(cond: Node): { op: string; left: Node | null; right: Node | null; node: Node }[] {
  let n: Node | null = cond;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'condition_clause')) n = n.namedChildren[n.namedChildCount - 1] ?? null;
  if (!n || n.type !== 'binary_expression') return [];
  const op = n.childForFieldName('operator')?.text ?? '';
  if (op === '&&') return [...comparisons(n.childForFieldName('left')!), ...comparisons(n.childForFieldName('right')!)];
  if (['<', '<=', '>', '>=', '!=', '=='].includes(op)) return [{ op, left: n.childForFieldName('left'), right: n.childForFieldName('right'), node: n }];
  return [];
}

/** Whether a subtree assigns name (=, op=, ++/--, or takes its address). */
export function writes(n: Node, name: string): boolean {
  for (const a of descendants(n, ['assignment_expression', 'update_expression', 'pointer_expression'])) {
    const target = a.type === 'assignment_expression' ? a.childForFieldName('left') : a.childForFieldName('argument');
    if (a.type === 'pointer_expression' && a.childForFieldName('operator')?.text !== '&') continue;
    if (target?.type === 'identifier' && target.text === name) return true;
  }
  return false;
}

export function identifiersIn(n: Node): Set<string> {
  const out = new Set<string>();
  if (n.type === 'identifier') out.add(n.text);
  for (const id of descendants(n, 'identifier')) out.add(id.text);
  return out;
}

/** Two definitions under #if/#else (host and HLS): the one that emits a pragma is the HLS tool's view. */
export function addMacro(macros: Map<string, Macro>, name: string, m: Macro) {
  const old = macros.get(name);
  if (old && old.body.includes('_Pragma') && !m.body.includes('_Pragma')) return;
  macros.set(name, m);
}

/** Symbols that outlive their tree: constants as the text of their initializers. */
export function detach(s: Symbols): Symbols {
  const constants = new Map<string, Node | Affine | string>();
  for (const [k, v] of s.constants) constants.set(k, typeof v === 'string' || ('c' in v && 't' in v) ? v : (v as Node).text);
  return { ...s, constants };
}

/** #defines, constants and typedefs declared anywhere in a tree. */
export function collectSymbols(root: Node, base?: Symbols): Symbols {
  const s: Symbols = {
    defines: new Map(base?.defines),
    macros: new Map(base?.macros),
    constants: new Map(base?.constants),
    typedefs: new Map(base?.typedefs),
  };
  for (const d of descendants(root, 'preproc_def')) {
    const name = d.childForFieldName('name')?.text;
    if (name) s.defines.set(name, d.childForFieldName('value')?.text.trim() ?? '1');
  }
  for (const d of descendants(root, 'preproc_function_def')) {
    const name = d.childForFieldName('name')?.text;
    const params = (d.childForFieldName('parameters')?.namedChildren ?? []).filter((c) => c !== null).map((c) => c!.text);
    if (name) addMacro(s.macros, name, { params, body: d.childForFieldName('value')?.text.trim() ?? '' });
  }
  for (const d of descendants(root, 'preproc_def')) {
    const name = d.childForFieldName('name')?.text;
    const body = d.childForFieldName('value')?.text.trim() ?? '';
    if (name && body.includes('_Pragma')) addMacro(s.macros, name, { body });
  }
  const ambiguous = new Set<string>();
  for (const d of descendants(root, ['declaration', 'field_declaration'])) {
    const q = qualifiers(d);
    if (!q.isConst) continue;
    const type = d.childForFieldName('type')?.text ?? '';
    if (!/int|long|short|char|unsigned|size_t|auto/.test(type)) continue;
    // Locals are the function's business (FileModel.evalName); globals and struct members here.
    if (ancestors(d).some((a) => a.type === 'compound_statement')) continue;
    let prefix = '';
    const owner = ancestors(d).find((a) => a.type === 'struct_specifier' || a.type === 'class_specifier');
    if (owner) prefix = `${owner.childForFieldName('name')?.text ?? '?'}::`;
    for (const dec of d.childrenForFieldName('declarator')) {
      if (!dec) continue;
      let name: string | undefined;
      let value: Node | null = null;
      if (dec.type === 'init_declarator') {
        name = unwrapDeclarator(dec).name;
        value = dec.childForFieldName('value');
      } else if (d.type === 'field_declaration') {
        name = dec.text;
        value = d.childForFieldName('default_value');
      }
      if (name && value && value.type !== 'initializer_list') {
        s.constants.set(prefix + name, value);
        // A member's bare name (used inside its struct) stands for it unless two structs disagree.
        if (prefix) {
          if (!s.constants.has(name) && !ambiguous.has(name)) s.constants.set(name, value);
          else { const old = s.constants.get(name); if (old !== value && (typeof old === 'string' ? old : (old as Node)?.text) !== value.text) { ambiguous.add(name); s.constants.delete(name); } }
        }
      }
    }
  }
  for (const e of descendants(root, 'enumerator_list')) {
    let next = konst(0);
    for (const en of e.namedChildren) {
      if (!en || en.type !== 'enumerator') continue;
      const name = en.childForFieldName('name')?.text;
      const value = en.childForFieldName('value');
      if (!name) continue;
      if (value) { s.constants.set(name, value); next = konst(NaN); }
      else if (!Number.isNaN(next.c)) { s.constants.set(name, next); }
      next = Number.isNaN(next.c) ? next : konst(next.c + 1);
    }
  }
  for (const t of descendants(root, 'type_definition')) {
    const type = t.childForFieldName('type')?.text;
    for (const dec of t.childrenForFieldName('declarator')) if (dec && type) s.typedefs.set(dec.text, type);
  }
  for (const a of descendants(root, 'alias_declaration')) {
    const name = a.childForFieldName('name')?.text;
    const type = a.childForFieldName('type')?.text;
    if (name && type) s.typedefs.set(name, type);
  }
  return s;
}

export { isConst, konst };
