/**
 * What the guards around an access say about loop variables: the conditions
 * of the enclosing if / ?: / && / || on the way up, and early exits before it
 * (`if (i == N - 1) continue;`). A comparison of a loop variable with an
 * expression narrows that variable's range (i < K, i == K, i != its last
 * value ...); a guard the lint cannot read (a call, ||, a name that is not a
 * loop variable) makes the access 'opaque': rules leave it alone.
 */
import { Affine, add, diff, konst, scale, sub, sym } from './affine.js';
import { FileModel, Func, ancestors, comparisons, descendants, identifiersIn, isInside } from './model.js';
import type { Node } from './parser.js';

export type Narrowing = Map<string, { lo?: Affine; hi?: Affine }> | 'opaque';

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
const NEGATE: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

function guardsOf(model: FileModel, at: Node): { cond: Node; holds: boolean }[] {
  const out: { cond: Node; holds: boolean }[] = [];
  let child: Node = at;
  for (const p of ancestors(at)) {
    if (p.type === 'function_definition') break;
    const cond = p.childForFieldName('condition');
    if ((p.type === 'if_statement' || p.type === 'conditional_expression') && cond && child.id !== cond.id) {
      const alt = p.childForFieldName('alternative');
      out.push({ cond, holds: !(alt && isInside(child, alt)) });
    }
    if (p.type === 'binary_expression' && child.id === p.childForFieldName('right')?.id) {
      const op = p.childForFieldName('operator')?.text;
      if (op === '&&' || op === '||') out.push({ cond: p.childForFieldName('left')!, holds: op === '&&' });
    }
    if (p.type === 'switch_statement' && cond) out.push({ cond, holds: true }); // opaque below unless it names nothing
    child = p;
  }
  for (const loop of model.enclosingLoops(at)) {
    const body = loop.node.childForFieldName('body');
    if (!body) continue;
    for (const ifs of descendants(body, 'if_statement')) {
      if (ifs.startIndex > at.startIndex || isInside(at, ifs)) continue;
      const cond = ifs.childForFieldName('condition');
      const cons = ifs.childForFieldName('consequence');
      if (cond && cons && descendants(cons, ['break_statement', 'continue_statement', 'return_statement']).length > 0) out.push({ cond, holds: false });
    }
  }
  return out;
}

/** Some of names appear in n outside any subscript (x[i] > 0 reads data; i > 0 bounds i). */
function direct(n: Node, names: Set<string>): boolean {
  const ids = n.type === 'identifier' ? [n] : descendants(n, 'identifier');
  return ids.some((id) => names.has(id.text) && !ancestors(id).some((a) => a.type === 'subscript_expression' && isInside(a, n) && a.childForFieldName('argument')?.id !== id.id));
}

/** The narrowed ranges of the loop variables named in names, or 'opaque'. */
export function narrowing(model: FileModel, fn: Func, at: Node, names: Set<string>): Narrowing {
  const out = new Map<string, { lo?: Affine; hi?: Affine }>();
  const loops = model.enclosingLoops(at);
  for (const g of guardsOf(model, at)) {
    if (!direct(g.cond, names)) continue; // if (valid[i]): says nothing about i's range
    const cmps = comparisons(g.cond);
    if (cmps.length === 0 || descendants(g.cond, 'call_expression').length > 0) return 'opaque';
    if (!g.holds && cmps.length > 1) return 'opaque'; // !(a && b): either may fail
    for (const c of cmps) {
      // L op R as (k * v + rest) op 0, v a loop variable with k = +-1: v op' -rest / k
      const L = c.left && model.eval(c.left, fn);
      const R = c.right && model.eval(c.right, fn);
      if (!L || !R) { if (direct(c.node, names)) return 'opaque'; continue; }
      const d = sub(L, R);
      const loop = loops.find((l) => Math.abs(d.t.get(l.id) ?? 0) === 1);
      if (!loop) {
        if ([...identifiersIn(c.node)].some((x) => names.has(x))) return 'opaque';
        continue;
      }
      const k = d.t.get(loop.id)!;
      const rest = sub(d, sym(loop.id, k));
      const e = scale(rest, -k);
      let op = g.holds ? c.op : NEGATE[c.op];
      if (k < 0) op = FLIP[op];
      const r = out.get(loop.id) ?? {};
      const step = Math.abs(loop.step ?? 1);
      if (op === '<') r.hi = add(e, konst(-1));
      else if (op === '<=') r.hi = e;
      else if (op === '>') r.lo = add(e, konst(1));
      else if (op === '>=') r.lo = e;
      else if (op === '==') { r.lo = e; r.hi = e; }
      else if (op === '!=') {
        // excluding an end of the range moves that end
        const hi = r.hi ?? loop.hi;
        const lo = r.lo ?? loop.lo;
        if (hi && diff(hi, e) === 0) r.hi = add(e, konst(-step));
        else if (lo && diff(lo, e) === 0) r.lo = add(e, konst(step));
      }
      out.set(loop.id, r);
    }
  }
  return out;
}
