/**
 * MLU (heuristic, warning): manual loop unrolling that omits or repeats an
 * iteration. A run of three or more statements that differ only in integer
 * constants should step those constants evenly (a[i+0], a[i+1], a[i+2] ...);
 * in four or more copies a skip (0, 1, 3, 4) or a repeat (0, 1, 1, 2) is
 * suspicious (reduction trees, 8, 4, 2, 1, are left alone), and so is a loop body
 * whose copies cover fewer or more iterations than the loop's step.
 */
import { FileModel, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

function shape(stmt: Node): { skeleton: string; numbers: number[] } {
  const text = stmt.text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '').replace(/\s+/g, '').replace(/\[([A-Za-z_]\w*)\]/g, '[$1+0]');
  const numbers: number[] = [];
  const skeleton = text.replace(/\b\d+\b/g, (m) => { numbers.push(Number(m)); return '#'; });
  return { skeleton, numbers };
}

function check(model: FileModel, block: Node, report: (n: Node, m: string) => void) {
  const stmts = block.namedChildren.filter((c): c is Node => c !== null && c.type === 'expression_statement');
  const all = block.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment' && c.type !== 'preproc_call');
  let i = 0;
  while (i < stmts.length) {
    const first = shape(stmts[i]);
    let j = i + 1;
    const run = [first];
    // consecutive in the block: the next named sibling must be the next statement
    while (j < stmts.length && stmts[j].startIndex === nextStart(all, stmts[j - 1])) {
      const s = shape(stmts[j]);
      if (s.skeleton !== first.skeleton || s.numbers.length !== first.numbers.length) break;
      run.push(s);
      j++;
    }
    if (run.length >= 3 && first.numbers.length > 0) {
      for (let k = 0; k < first.numbers.length; k++) {
        const seq = run.map((r) => r.numbers[k]);
        if (seq.every((v) => v === seq[0])) continue;
        const diffs = seq.slice(1).map((v, x) => v - seq[x]);
        const counts = new Map<number, number>();
        for (const d of diffs) counts.set(d, (counts.get(d) ?? 0) + 1);
        const [step] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        if (step === 0) continue;
        const odd = diffs.findIndex((d) => d !== step);
        // 8, 4, 2, 1 or 1, 3, 7: a reduction tree, not an unrolled loop
        const ratios = seq.slice(1).map((v, x) => (seq[x] === 0 ? NaN : v / seq[x]));
        if (ratios.every((r) => r === 2 || r === 0.5) || seq.slice(1).every((v, x) => v === 2 * seq[x] + 1)) continue;
        if (odd >= 0 && run.length >= 4 && counts.get(step)! >= diffs.length - 1) {
          const what = diffs[odd] === 0 ? `repeats ${seq[odd]}` : `goes ${seq[odd]} -> ${seq[odd + 1]} (step ${step} elsewhere)`;
          report(stmts[i + odd + 1], `manually unrolled statements use ${seq.join(', ')}: the sequence ${what}; an iteration is omitted or repeated? ('${snippet(stmts[i + odd + 1])}')`);
          break;
        }
        // The whole body of a loop stepping by S: the copies should cover S iterations.
        const loop = block.parent ? model.loopOfNode(block.parent) : undefined;
        if (odd < 0 && loop?.step && Math.abs(step) === 1 && run.length === stmts.length && all.length === stmts.length && Math.abs(loop.step) !== run.length && Math.abs(loop.step) > 1) {
          report(stmts[i], `the loop steps by ${Math.abs(loop.step)} but its body has ${run.length} unrolled copies (${seq.join(', ')})`);
          break;
        }
      }
    }
    i = j;
  }
}

function nextStart(all: Node[], stmt: Node): number {
  const k = all.findIndex((s) => s.id === stmt.id);
  return k >= 0 && k + 1 < all.length ? all[k + 1].startIndex : -1;
}

export const mlu: Rule = {
  cls: 'MLU',
  name: 'manual-unroll-sequence',
  severity: 'warning',
  description: 'manually unrolled statements whose constant sequence skips or repeats an iteration (heuristic)',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const block of [fn.body, ...descendants(fn.body, 'compound_statement')]) check(model, block, report);
    }
  },
};
