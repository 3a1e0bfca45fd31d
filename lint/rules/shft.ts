/**
 * SHFT: a shift by a negative amount or by at least the shifted operand's
 * width: `x << 32` on an int, `v >> 8` on an ap_uint<8>, `1 << i` for i up to
 * 32. The amount is a constant or the range of loop variables; the width that
 * of the declared type (int and narrower promote to 32 bits; ap_int<W> and
 * ap_fixed<W, I> keep W, symbolic W included).
 */
import { diff, isConst, show } from '../affine.js';
import { FileModel, Func, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

function widthOf(model: FileModel, fn: Func, n: Node): ReturnType<FileModel['typeWidth']> {
  switch (n.type) {
    case 'parenthesized_expression': return n.namedChildren[0] ? widthOf(model, fn, n.namedChildren[0]) : undefined;
    case 'number_literal': {
      if (/^\d|^0x/i.test(n.text) && !/[.eE]/.test(n.text.replace(/^0x[0-9a-f]+/i, ''))) {
        return /ll?$/i.test(n.text.replace(/u/gi, '')) ? { width: 64, signed: !/u/i.test(n.text), ap: false } : { width: 32, signed: !/u/i.test(n.text), ap: false };
      }
      return undefined;
    }
    case 'identifier': {
      const d = model.lookup(n.text, fn);
      return d && d.dims.length === 0 && !d.pointer ? model.typeWidth(d.type, fn) : undefined;
    }
    case 'subscript_expression': {
      let base: Node | null = n;
      let depth = 0;
      while (base?.type === 'subscript_expression') { base = base.childForFieldName('argument'); depth++; }
      if (base?.type !== 'identifier') return undefined;
      const d = model.lookup(base.text, fn);
      return d && (d.dims.length + (d.pointer ? 1 : 0)) === depth ? model.typeWidth(d.type, fn) : undefined;
    }
    case 'binary_expression': {
      // int arithmetic: (a & 0xff) << 40 is still an int
      const op = n.childForFieldName('operator')?.text ?? '';
      if (!['+', '-', '*', '&', '|', '^', '/', '%'].includes(op)) return undefined;
      const a = widthOf(model, fn, n.childForFieldName('left')!);
      const b = widthOf(model, fn, n.childForFieldName('right')!);
      if (!a || !b || a.ap || b.ap || !Number.isFinite(a.width) || !Number.isFinite(b.width)) return undefined;
      return { width: Math.max(32, a.width, b.width), signed: a.signed && b.signed, ap: false };
    }
    case 'cast_expression': {
      const t = n.childForFieldName('type')?.text;
      return t ? model.typeWidth(t, fn) : undefined;
    }
  }
  return undefined;
}

export const shft: Rule = {
  cls: 'SHFT',
  name: 'shift-out-of-range',
  severity: 'error',
  description: 'shift by a negative amount or by at least the width of the shifted operand (ap_int<W> included)',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const e of descendants(fn.body, ['binary_expression', 'assignment_expression'])) {
        const op = e.childForFieldName('operator')?.text;
        if (!op || !['<<', '>>', '<<=', '>>='].includes(op)) continue;
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        if (!left || !right) continue;
        const w = widthOf(model, fn, left);
        if (!w) continue;
        const amount = model.eval(right, fn);
        if (!amount) continue;
        const max = model.bound(amount, fn, 'max');
        const min = model.bound(amount, fn, 'min');
        const promoted = w.ap ? w.width : Math.max(w.width, 32);
        const width = w.ap && w.symbolic ? w.symbolic : { c: promoted, t: new Map() };
        if (min && isConst(min) && min.c < 0) {
          report(e, `'${snippet(e)}' shifts by ${show(min)}, a negative amount`);
          continue;
        }
        const over = max && diff(max, width);
        if (over !== undefined && over >= 0) {
          report(e, `'${snippet(e)}' shifts '${snippet(left, 30)}' (${show(width)} bits) by ${isConst(amount) ? show(amount) : `up to ${show(max!)}`}: at least its width`);
        }
      }
    }
  },
};
