/**
 * ZERO (heuristic, warning): a variable initialized to zero where zero cannot
 * be the intended start: a product accumulated with *= from 0 (always 0), a
 * minimum searched from 0 (a maximum from 0 is often meant: a ReLU, an
 * absolute difference).
 */
import { Func, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

const isZero = (n: Node | null | undefined) => !!n && /^\(?\s*(0|0\.0*f?|0u|0l|0ll)\s*\)?$/i.test(n.text.trim());

function zeroed(fn: Func): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const d of fn.locals.values()) if (d.dims.length === 0 && isZero(d.init)) out.set(d.name, d.node);
  return out;
}

function compares(name: string, ifs: Node): 'min' | 'max' | undefined {
  const cond = ifs.childForFieldName('condition');
  const body = ifs.childForFieldName('consequence');
  if (!cond || !body) return undefined;
  const c = /^\(?\s*(.+?)\s*(<|>|<=|>=)\s*(.+?)\s*\)?$/.exec(cond.text.replace(/^\(|\)$/g, ''));
  if (!c) return undefined;
  const assigns = descendants(body, 'assignment_expression').some((a) => a.childForFieldName('left')?.text === name && a.childForFieldName('right')?.text.trim() === (c[1] === name ? c[3] : c[1]));
  if (!assigns) return undefined;
  const lt = c[2].startsWith('<');
  // x < m  -> m = x: a minimum; x > m -> a maximum (and mirrored)
  if (c[3] === name) return lt ? 'min' : 'max';
  if (c[1] === name) return lt ? 'max' : 'min';
  return undefined;
}

export const zero: Rule = {
  cls: 'ZERO',
  name: 'zero-init',
  severity: 'warning',
  description: 'variable initialized to zero where zero cannot be the start: a product, a minimum (heuristic)',
  check({ model, report }) {
    for (const fn of model.functions) {
      const z = zeroed(fn);
      if (z.size === 0) continue;
      for (const a of descendants(fn.body, 'assignment_expression')) {
        const left = a.childForFieldName('left')?.text;
        if (!left || !z.has(left)) continue;
        const op = a.childForFieldName('operator')?.text;
        const right = a.childForFieldName('right');
        if (op === '*=' || (op === '=' && right?.type === 'binary_expression' && right.childForFieldName('operator')?.text === '*' && right.childForFieldName('left')?.text === left)) {
          if (model.reassigned(fn, left) && descendants(fn.body, 'assignment_expression').some((b) => b.childForFieldName('left')?.text === left && b.childForFieldName('operator')?.text === '=' && !isZero(b.childForFieldName('right')) && b.id !== a.id)) continue;
          report(z.get(left)!, `'${left}' starts at 0 and is only multiplied ('${snippet(a)}'): it stays 0; 1 was meant?`);
          z.delete(left);
        }
      }
      for (const ifs of descendants(fn.body, 'if_statement')) {
        for (const [name, node] of z) {
          const kind = compares(name, ifs);
          if (!kind) continue;
          // A maximum from 0 is as often meant (a ReLU, an absolute difference) as not: only minima.
          if (kind === 'min') {
            report(node, `'${name}' starts at 0 but tracks a minimum ('${snippet(ifs.childForFieldName('condition')!)}'): it stays <= 0; start from the first element or the type's largest value`);
            z.delete(name);
          }
        }
      }
    }
  },
};
