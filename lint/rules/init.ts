/**
 * INIT: a local read before anything is written to it, in source order:
 * `int sum; for (...) sum += x[i];`. Flow-insensitive on purpose: the first
 * mention after the declaration decides, and a mention that may write (plain
 * assignment, `&x`, a call argument, `s >> x`, `x.f(...)`) clears the variable.
 * Statics and globals start at zero and are left alone.
 */
import { Decl, FileModel, Func, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

const NOT_VALUES = /stream|hls::|std::|ap_axi|axis|window|buffer|task|class|struct|auto|\*/i;

function valueType(model: FileModel, d: Decl, fn: Func): boolean {
  if (d.pointer || d.ref || d.isStatic || d.init || NOT_VALUES.test(d.type)) return false;
  // int e __attribute__((unused)) = f(): an initializer the declarator does not hold
  const rest = model.source.slice(d.node.startIndex, d.node.startIndex + 400);
  if (/^[^;,{}]*=/.test(rest.replace(/==/g, ''))) return false;
  if (model.typeWidth(d.type, fn)) return true;
  if (/^(float|double|half)$/.test(d.type)) return true;
  // A typedef'd name the fragment does not define (data_t, acc_type, typename CONFIG_T::accum_t) or a
  // template type parameter (T, data_T): a value type by the naming habit of HLS code.
  const t = d.type.replace(/^typename\s+/, '');
  if (fn.template.has(t) && fn.template.get(t) === undefined) return true;
  return /^([A-Za-z]\w*::)*[A-Za-z]\w*(_t|_type|_T)$/.test(t) && !model.symbols.typedefs.has(t);
}

type Use = 'write' | 'read' | 'unknown';

let numeric: (n: Node | null) => boolean = () => false;

function classify(id: Node): Use {
  for (let q = id.parent; q && q.type !== 'compound_statement'; q = q.parent) if (q.type.startsWith('gnu_asm')) return 'unknown'; // asm outputs
  // Climb a[i][j] / x.f to the whole lvalue.
  let n: Node = id;
  let p = n.parent;
  while (p && ((p.type === 'subscript_expression' && p.childForFieldName('argument')?.id === n.id) || (p.type === 'field_expression' && p.childForFieldName('argument')?.id === n.id))) {
    if (p.type === 'field_expression' && p.parent?.type === 'call_expression') return 'unknown'; // x.range(...) = v, x.write(...)
    n = p;
    p = n.parent;
  }
  if (!p) return 'unknown';
  switch (p.type) {
    case 'assignment_expression':
      if (p.childForFieldName('left')?.id === n.id) {
        if (p.childForFieldName('operator')?.text !== '=') return 'read';
        // acc = acc + x: the right side is read first
        const right = p.childForFieldName('right');
        const inLambda = (i: Node) => { for (let q = i.parent; q && q.id !== right!.id; q = q.parent) if (q.type === 'lambda_expression') return true; return false; };
        return right && descendants(right, 'identifier').some((i) => i.text === id.text && !inLambda(i)) ? 'read' : 'write';
      }
      return 'read';
    case 'update_expression': return 'read';
    case 'pointer_expression': return p.childForFieldName('operator')?.text === '&' ? 'unknown' : 'read';
    case 'argument_list': return 'unknown';
    case 'call_expression': return p.childForFieldName('function')?.id === n.id ? 'unknown' : 'read'; // x(7, 0) = v: an ap_int range
    case 'sizeof_expression': case 'declaration': case 'init_declarator': return 'unknown';
    case 'binary_expression': {
      // s >> x: a stream read into x, unless s is a number
      if (p.childForFieldName('operator')?.text === '>>' && p.childForFieldName('right')?.id === n.id && !numeric(p.childForFieldName('left'))) return 'unknown';
      return 'read';
    }
    default: return 'read';
  }
}

/** n assigns name a value that does not read it (x = e, not x += e or x = x + e). */
function sets(n: Node, name: string): boolean {
  return descendants(n, 'assignment_expression').some((a) => a.childForFieldName('left')?.text === name && a.childForFieldName('operator')?.text === '='
    && !descendants(a.childForFieldName('right')!, 'identifier').some((i) => i.text === name));
}

/**
 * The read sits in one branch and the other branch writes the variable:
 * `if (i > 0) acc += v; else acc = v;`, `acc = i == 0 ? v : acc + v;`,
 * `if (i == 0 || v > best) best = v;` (the first iteration writes first).
 */
function otherBranchWrites(id: Node, name: string): boolean {
  let child: Node = id;
  for (let p = id.parent; p && p.type !== 'function_definition'; child = p, p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'conditional_expression') {
      const cons = p.childForFieldName('consequence');
      const alt = p.childForFieldName('alternative');
      const cond = p.childForFieldName('condition');
      if (cons && child.id === cons.id && alt && sets(alt, name)) return true;
      if (alt && child.id === alt.id && cons && sets(cons, name)) return true;
      if (cond && child.id === cond.id && cons && sets(cons, name) && /\|\|/.test(cond.text)) return true;
    }
    if (p.type === 'binary_expression' && p.childForFieldName('operator')?.text === '||' && child.id === p.childForFieldName('right')?.id) return true;
  }
  return false;
}

export const init: Rule = {
  cls: 'INIT',
  name: 'uninitialized-read',
  severity: 'error',
  description: 'a local variable or array read before anything is written to it',
  check({ model, report }) {
    for (const fn of model.functions) {
      numeric = (n) => {
        if (!n) return false;
        if (n.type === 'number_literal') return true;
        const d = n.type === 'identifier' ? model.lookup(n.text, fn) : undefined;
        return d !== undefined && model.typeWidth(d.type, fn) !== undefined;
      };
      const ids = descendants(fn.body, 'identifier');
      for (const d of fn.locals.values()) {
        if (!valueType(model, d, fn)) continue;
        // the declarator's own name node ends where the declaration's name is
        const after = d.node.endIndex;
        const first = ids.find((i) => i.text === d.name && i.startIndex >= after);
        if (!first) continue;
        if (classify(first) !== 'read' || otherBranchWrites(first, d.name)) continue;
        let stmt: Node = first;
        while (stmt.parent && stmt.parent.type !== 'compound_statement') stmt = stmt.parent;
        report(first, `'${d.name}' (declared without a value, line ${d.node.startPosition.row + 1}) is read before it is written: '${snippet(stmt)}'`);
      }
    }
  },
};
