/**
 * OOB: an array index whose range, from the enclosing loops' bounds, leaves
 * the declared extent: `for (i = 0; i <= N; i++) a[i]` with `int a[N]`,
 * `a[i + 1]` up to i = N - 1, a constant index >= N or < 0. Guards narrow the
 * ranges (`if (i < N - 1) a[i + 1]`, the else of `if (i == 0)`); an access
 * under a guard the lint cannot read is left alone (guards.ts).
 */
import { diff, show } from '../affine.js';
import { Func, FileModel, descendants, identifiersIn } from '../model.js';
import { narrowing } from '../guards.js';
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

/** The names an index depends on, through the locals it is computed from. */
function namesOf(model: FileModel, fn: Func, idx: Node, depth = 0): Set<string> {
  const out = identifiersIn(idx);
  if (depth < 4) {
    for (const n of [...out]) {
      const d = fn.locals.get(n);
      if (d?.init && !d.isConst) for (const m of namesOf(model, fn, d.init, depth + 1)) out.add(m);
    }
  }
  return out;
}

export function checkIndex(model: FileModel, fn: Func, idx: Node, extent: ReturnType<FileModel['eval']>, access: Node):
  { kind: 'high' | 'low'; value: string } | undefined {
  if (!extent) return undefined;
  const a = model.eval(idx, fn);
  if (!a) return undefined;
  const narrow = narrowing(model, fn, access, namesOf(model, fn, idx));
  if (narrow === 'opaque') return undefined;
  const max = model.bound(a, fn, 'max', 0, narrow);
  const min = model.bound(a, fn, 'min', 0, narrow);
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
          const r = checkIndex(model, fn, idx, decl.dims[k], s);
          if (!r) return;
          const ext = show(decl.dims[k]!);
          report(idx, r.kind === 'high'
            ? `index '${snippet(idx)}' of '${snippet(s)}' reaches ${r.value}, but ${decl.name} has ${ext} elements in that dimension`
            : `index '${snippet(idx)}' of '${snippet(s)}' goes down to ${r.value}, below 0`);
        });
      }
    }
  },
};
