/**
 * OOB: an array index whose range, from the enclosing loops' bounds, leaves
 * the declared extent: `for (i = 0; i <= N; i++) a[i]` with `int a[N]`,
 * `a[i + 1]` up to i = N - 1, a constant index >= N or < 0. Accesses under a
 * guard that names the index's variables (if, ?:, &&, an early continue) are
 * left alone: the guard may be what keeps them in range.
 */
import { diff, show } from '../affine.js';
import { Func, FileModel, ancestors, descendants, identifiersIn, isInside } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

/** a[i][j] -> base `a` and the index nodes, outermost first. */
export function subscriptChain(n: Node): { base: Node; indices: Node[] } | undefined {
  const indices: Node[] = [];
  let cur: Node | null = n;
  while (cur && cur.type === 'subscript_expression') {
    const list = cur.childForFieldName('indices') ?? cur.childForFieldName('index');
    const idx = list?.type === 'subscript_argument_list' ? list.namedChildren[0] : list;
    if (!idx) return undefined;
    indices.unshift(idx);
    cur = cur.childForFieldName('argument');
  }
  return cur ? { base: cur, indices } : undefined;
}

/** Whether a guard between the access and its function may keep names in range. */
export function guarded(model: FileModel, at: Node, names: Set<string>): boolean {
  const mentions = (n: Node | null) => n !== null && [...identifiersIn(n)].some((x) => names.has(x));
  let child: Node = at;
  for (const p of ancestors(at)) {
    if (p.type === 'function_definition') break;
    if (p.type === 'if_statement' && child.id !== p.childForFieldName('condition')?.id && mentions(p.childForFieldName('condition'))) return true;
    if (p.type === 'conditional_expression' && child.id !== p.childForFieldName('condition')?.id && mentions(p.childForFieldName('condition'))) return true;
    if (p.type === 'binary_expression' && /^(&&|\|\|)$/.test(p.childForFieldName('operator')?.text ?? '') && child.id === p.childForFieldName('right')?.id && mentions(p.childForFieldName('left'))) return true;
    if (p.type === 'case_statement' || p.type === 'switch_statement') { if (mentions(p.childForFieldName('condition') ?? p.childForFieldName('value'))) return true; }
    child = p;
  }
  // An early exit before the access: if (i == N - 1) continue; / break; / return;
  for (const loop of model.enclosingLoops(at)) {
    const body = loop.node.childForFieldName('body');
    if (!body) continue;
    for (const ifs of descendants(body, 'if_statement')) {
      if (ifs.startIndex > at.startIndex || isInside(at, ifs)) continue;
      if (!mentions(ifs.childForFieldName('condition'))) continue;
      if (descendants(ifs, ['break_statement', 'continue_statement', 'return_statement']).length > 0) return true;
    }
  }
  return false;
}

export function checkIndex(model: FileModel, fn: Func, idx: Node, extent: ReturnType<FileModel['eval']>):
  { kind: 'high' | 'low'; value: string } | undefined {
  if (!extent) return undefined;
  const a = model.eval(idx, fn);
  if (!a) return undefined;
  const max = model.bound(a, fn, 'max');
  const min = model.bound(a, fn, 'min');
  const over = max && diff(max, extent);
  if (over !== undefined && over >= 0) return { kind: 'high', value: show(max!) };
  if (min && min.t.size === 0 && min.c < 0) return { kind: 'low', value: show(min) };
  return undefined;
}

export const oob: Rule = {
  cls: 'OOB',
  name: 'out-of-bounds',
  severity: 'error',
  description: 'array index outside the declared extent, from constant indices and loop bounds',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const s of descendants(fn.body, 'subscript_expression')) {
        if (s.parent?.type === 'subscript_expression' && s.parent.childForFieldName('argument')?.id === s.id) continue; // the outer one handles the chain
        const chain = subscriptChain(s);
        if (!chain || chain.base.type !== 'identifier') continue;
        const decl = model.lookup(chain.base.text, fn);
        if (!decl || decl.dims.length === 0) continue;
        // A parameter `T a[N]` is a pointer to N-element rows... its first extent is still what callers pass.
        chain.indices.forEach((idx, k) => {
          if (k >= decl.dims.length) return;
          const r = checkIndex(model, fn, idx, decl.dims[k]);
          if (!r) return;
          const names = identifiersIn(idx);
          if (guarded(model, s, names)) return;
          const ext = show(decl.dims[k]!);
          report(idx, r.kind === 'high'
            ? `index '${snippet(idx)}' of '${snippet(s)}' reaches ${r.value}, but ${decl.name} has ${ext} elements in that dimension`
            : `index '${snippet(idx)}' of '${snippet(s)}' goes down to ${r.value}, below 0`);
        });
      }
    }
  },
};
