/**
 * ILNU: a partial unroll (`unroll factor=K`) of a loop whose inner loops are
 * not fully unrolled: the copies cannot be flattened into one body. A loop
 * that is also pipelined has its inner loops unrolled by the tool, and a
 * factor reaching the trip count (symbolically too: factor=P over `u < P`) is
 * a full unroll.
 */
import { Affine, add, diff, konst, sub, sym } from '../affine.js';
import { FileModel, Pragma, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';
import { isOff, pipelined } from './mlp.js';

function tripCount(model: FileModel, loop: Node): Affine | undefined {
  const l = model.loopOfNode(loop);
  if (!l?.lo || !l.hi || Math.abs(l.step ?? 0) !== 1) return undefined;
  return add(sub(l.hi, l.lo), konst(1));
}

function factorOf(model: FileModel, p: Pragma): Affine | undefined {
  const f = p.opts.get('factor');
  if (f === undefined) return undefined;
  if (/^\d+$/.test(f)) return konst(Number(f));
  if (p.func?.template.has(f)) return p.func.template.get(f) ?? sym(f);
  return model.constant(f) ?? sym(f);
}

/** The unroll of this loop covers every iteration. */
function full(model: FileModel, p: Pragma, loop: Node): boolean {
  const factor = factorOf(model, p);
  if (!factor) return true;
  const trip = tripCount(model, loop);
  const d = trip && diff(factor, trip);
  return d !== undefined && d >= 0;
}

export const ilnu: Rule = {
  cls: 'ILNU',
  name: 'partial-unroll-inner',
  severity: 'error',
  description: 'partial unroll of a loop whose inner loops are not fully unrolled',
  check({ model, report }) {
    for (const p of model.pragmas) {
      if (p.kind !== 'unroll' || isOff(p) || p.placement !== 'loop' || !p.owner) continue;
      const factor = factorOf(model, p);
      if (!factor || (factor.t.size === 0 && factor.c <= 1)) continue;
      if (full(model, p, p.owner) || pipelined(model, p.owner)) continue;
      const body = p.owner.childForFieldName('body');
      if (!body) continue;
      const inner = descendants(body, ['for_statement', 'while_statement', 'do_statement']).find((l) => {
        const u = model.pragmasOf(l, 'unroll').find((q) => !isOff(q));
        return !u || !full(model, u, l);
      });
      if (inner) report(p.node, `'${snippet(p.node)}' partially unrolls a loop whose inner loop at line ${inner.startPosition.row + 1} ('${snippet(inner, 40)}') is not fully unrolled`);
    }
  },
};
