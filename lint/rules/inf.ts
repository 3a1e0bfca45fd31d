/**
 * INF: a loop whose termination is wrong: the counter moves away from its
 * bound (`i < N; i--`), an unsigned counter tested `>= 0`, a narrow counter
 * that cannot reach its bound (`ap_uint<4> i; i < 16`), `!=` a bound the step
 * jumps over, or a condition whose variables nothing in the loop changes.
 * `for (;;)` and `while (1)` are free-running on purpose and left alone.
 */
import { diff, isConst, show } from '../affine.js';
import { FileModel, Func, Loop, descendants, identifiersIn, writes } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

/** name may change inside n: assigned, incremented, passed to a call, read from a stream. */
function mayWrite(n: Node, name: string): boolean {
  if (writes(n, name)) return true;
  for (const a of descendants(n, 'argument_list')) if ([...a.namedChildren].some((c) => c && identifiersIn(c).has(name))) return true;
  for (const b of descendants(n, 'binary_expression')) {
    if (b.childForFieldName('operator')?.text === '>>' && b.childForFieldName('right')?.text === name) return true;
  }
  for (const f of descendants(n, 'field_expression')) if (f.childForFieldName('argument')?.text === name) return true;
  return false;
}

function counterType(model: FileModel, fn: Func, loop: Loop): ReturnType<FileModel['typeWidth']> {
  const init = loop.node.childForFieldName('initializer');
  const type = init?.type === 'declaration' ? init.childForFieldName('type')?.text : model.lookup(loop.var!, fn)?.type;
  return type ? model.typeWidth(type, fn) : undefined;
}

function check(model: FileModel, fn: Func, loop: Loop): string | undefined {
  const node = loop.node;
  const cond = node.childForFieldName('condition');
  const body = node.childForFieldName('body');
  if (!cond || !body) return undefined;
  const condValue = model.evalConstNode(cond, fn);
  if (isConst(condValue)) return undefined; // for (;;) / while (1): on purpose
  const exits = descendants(body, ['break_statement', 'return_statement', 'goto_statement']).length > 0
    || descendants(body, 'call_expression').some((c) => /^(exit|abort)$/.test(c.childForFieldName('function')?.text ?? ''));
  if (loop.var && loop.step !== undefined && loop.cond && !loop.modified && !exits) {
    const { op, bound } = loop.cond;
    const d = loop.init && diff(loop.init, bound);
    if (loop.step < 0 && (op === '<' || op === '<=')) {
      if (!(d !== undefined && (op === '<' ? d >= 0 : d > 0))) return `'${loop.var}' counts down (step ${loop.step}) but the loop runs while '${snippet(loop.cond.node)}'`;
    }
    if (loop.step > 0 && (op === '>' || op === '>=')) {
      if (!(d !== undefined && (op === '>' ? d <= 0 : d < 0))) return `'${loop.var}' counts up (step ${loop.step}) but the loop runs while '${snippet(loop.cond.node)}'`;
    }
    if (op === '!=' && d !== undefined && loop.step !== 0 && ((-d) % loop.step !== 0 || Math.sign(-d) !== Math.sign(loop.step))) {
      return `'${loop.var}' starts at ${show(loop.init!)} and steps by ${loop.step}: it never equals ${show(bound)} ('${snippet(loop.cond.node)}')`;
    }
    if (loop.step === 0) return `'${loop.var}' does not change`;
    const t = counterType(model, fn, loop);
    if (t && Number.isFinite(t.width)) {
      const maxValue = t.signed ? 2 ** (t.width - 1) - 1 : 2 ** t.width - 1;
      const minValue = t.signed ? -(2 ** (t.width - 1)) : 0;
      if (isConst(bound)) {
        if (loop.step > 0 && ((op === '<' && bound.c > maxValue) || (op === '<=' && bound.c >= maxValue))) {
          return `'${loop.var}' (${t.width}-bit${t.signed ? '' : ' unsigned'}) never reaches ${bound.c}: '${snippet(loop.cond.node)}' is always true`;
        }
        if (loop.step < 0 && ((op === '>=' && bound.c <= minValue) || (op === '>' && bound.c < minValue))) {
          return `'${loop.var}' is ${t.signed ? `${t.width}-bit` : 'unsigned'}: '${snippet(loop.cond.node)}' is always true`;
        }
      }
    }
  }
  if (exits) return undefined;
  // Nothing in the loop changes what the condition reads.
  if (descendants(cond, ['call_expression', 'subscript_expression', 'pointer_expression', 'field_expression']).length > 0) return undefined;
  const ids = [...identifiersIn(cond)];
  // A name the function does not declare (a member, a global, a macro of a header) may change elsewhere.
  if (ids.some((n) => !model.lookup(n, fn) && model.constant(n) === undefined && !fn.template.has(n))) return undefined;
  const names = ids.filter((n) => {
    const d = model.lookup(n, fn);
    return d !== undefined && !d.isConst;
  });
  if (names.length === 0) return undefined;
  const update = node.childForFieldName('update');
  // while (n-- > 0), while (++it != end): the condition moves its own variable
  if (names.some((n) => mayWrite(body, n) || mayWrite(cond, n) || (update && mayWrite(update, n)))) return undefined;
  if (names.some((n) => { const d = model.lookup(n, fn); return d && (d.kind === 'global' || d.ref || d.pointer || /volatile/.test(d.node.parent?.text ?? '')); })) return undefined;
  return `nothing in the loop changes ${names.map((n) => `'${n}'`).join(', ')}: '${snippet(cond)}' never becomes false${update ? ` (the update '${snippet(update)}' moves something else)` : ''}`;
}

export const inf: Rule = {
  cls: 'INF',
  name: 'infinite-loop',
  severity: 'error',
  description: 'loop whose condition never becomes false (counter moving away from its bound, unsigned >= 0, narrow counter, condition nothing changes)',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const loop of fn.loops) {
        const message = check(model, fn, loop);
        if (message) report(loop.node, message);
      }
    }
  },
};
