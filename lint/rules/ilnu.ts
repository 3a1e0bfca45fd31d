/**
 * ILNU: a partial unroll (`unroll factor=K`) of a loop whose inner loops are
 * not fully unrolled: the copies cannot be flattened into one body. A loop
 * that is also pipelined has its inner loops unrolled by the tool, and a
 * factor reaching the trip count is a full unroll.
 */
import { diff, isConst } from '../affine.js';
import { FileModel, Loop, descendants } from '../model.js';
import { Rule, snippet } from '../rule.js';
import { isOff, pipelined } from './mlp.js';

function tripCount(model: FileModel, loop: Loop | undefined): number | undefined {
  if (!loop?.lo || !loop.hi || !loop.step) return undefined;
  const d = diff(loop.hi, loop.lo);
  return d === undefined ? undefined : Math.floor(d / Math.abs(loop.step)) + 1;
}

function fullyUnrolled(model: FileModel, loop: import('../parser.js').Node): boolean {
  const u = model.pragmasOf(loop, 'unroll').find((p) => !isOff(p));
  if (!u) return false;
  const f = u.opts.get('factor');
  if (f === undefined) return true;
  const factor = /^\d+$/.test(f) ? Number(f) : model.constant(f)?.c;
  const trip = tripCount(model, model.loopOfNode(loop));
  return factor !== undefined && trip !== undefined && factor >= trip;
}

export const ilnu: Rule = {
  cls: 'ILNU',
  name: 'partial-unroll-inner',
  severity: 'error',
  description: 'partial unroll of a loop whose inner loops are not fully unrolled',
  check({ model, report }) {
    for (const p of model.pragmas) {
      if (p.kind !== 'unroll' || isOff(p) || p.placement !== 'loop' || !p.owner) continue;
      const f = p.opts.get('factor');
      if (f === undefined) continue;
      const factor = /^\d+$/.test(f) ? Number(f) : model.constant(f);
      const k = typeof factor === 'number' ? factor : isConst(factor) ? factor.c : undefined;
      if (k !== undefined && k <= 1) continue;
      const trip = tripCount(model, model.loopOfNode(p.owner));
      if (k !== undefined && trip !== undefined && k >= trip) continue;
      if (pipelined(model, p.owner)) continue;
      const body = p.owner.childForFieldName('body');
      if (!body) continue;
      const inner = descendants(body, ['for_statement', 'while_statement', 'do_statement']).find((l) => !fullyUnrolled(model, l));
      if (inner) report(p.node, `'${snippet(p.node)}' partially unrolls a loop whose inner loop at line ${inner.startPosition.row + 1} ('${snippet(inner, 40)}') is not fully unrolled`);
    }
  },
};
