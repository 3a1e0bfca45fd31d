/**
 * BUF (heuristic, warning): copying from the wrong half of a split buffer.
 * Two halves (lo/hi, 0/1, first/second, top/bottom, left/right, even/odd)
 * filled from the same element of one source: one of them should read the
 * other half (buf[i + N/2], buf[2*i + 1], buf[1][i]).
 */
import { descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

const PAIRS: [RegExp, RegExp][] = [[/lo(w)?/i, /hi(gh)?/i], [/0/, /1/], [/first/i, /second/i], [/top/i, /bot(tom)?/i], [/left/i, /right/i], [/even/i, /odd/i], [/lower/i, /upper/i], [/ping/i, /pong/i], [/_a$/i, /_b$/i]];

function halves(a: string, b: string): boolean {
  return PAIRS.some(([x, y]) => (x.test(a) && y.test(b) && a.replace(x, '') === b.replace(y, '')) || (y.test(a) && x.test(b) && a.replace(y, '') === b.replace(x, '')));
}

function base(n: Node | null): string | undefined {
  while (n && n.type === 'subscript_expression') n = n.childForFieldName('argument');
  return n?.type === 'identifier' ? n.text : undefined;
}

export const buf: Rule = {
  cls: 'BUF',
  name: 'split-buffer-half',
  severity: 'warning',
  description: 'two halves of a split buffer copied from the same element of one source (heuristic)',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const block of [fn.body, ...descendants(fn.body, 'compound_statement')]) {
        const assigns = block.namedChildren
          .filter((s): s is Node => s !== null && s.type === 'expression_statement')
          .map((s) => s.namedChildren[0])
          .filter((e): e is Node => !!e && e.type === 'assignment_expression' && e.childForFieldName('operator')?.text === '=');
        for (let i = 0; i < assigns.length; i++) {
          for (let j = i + 1; j < assigns.length; j++) {
            const [a, b] = [assigns[i], assigns[j]];
            const ra = a.childForFieldName('right');
            const rb = b.childForFieldName('right');
            const la = base(a.childForFieldName('left'));
            const lb = base(b.childForFieldName('left'));
            if (!ra || !rb || !la || !lb || ra.type !== 'subscript_expression') continue;
            if (ra.text.replace(/\s+/g, '') !== rb.text.replace(/\s+/g, '') || !halves(la, lb)) continue;
            report(rb, `'${la}' and '${lb}' are two halves but both copy '${snippet(ra)}': one should read the other half of ${base(ra)}`);
          }
        }
      }
    }
  },
};
