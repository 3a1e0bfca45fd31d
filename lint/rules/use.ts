/**
 * USE (heuristic, warning): unintended sign extension. A signed narrow value
 * (char, short, int8_t, ap_int<W> ...) OR-ed or XOR-ed into a wider word, or a
 * cast to a signed narrow type stored into a wider unsigned one: the sign bit
 * is copied into every higher bit.
 */
import { FileModel, Func, descendants } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

function signedNarrow(model: FileModel, fn: Func, n: Node): number | undefined {
  let type: string | undefined;
  if (n.type === 'parenthesized_expression' && n.namedChildren[0]) return signedNarrow(model, fn, n.namedChildren[0]);
  if (n.type === 'cast_expression') type = n.childForFieldName('type')?.text;
  else if (n.type === 'call_expression' && /^static_cast$/.test(n.childForFieldName('function')?.childForFieldName('name')?.text ?? '')) {
    type = n.childForFieldName('function')?.childForFieldName('arguments')?.text.replace(/^<|>$/g, '');
  } else if (n.type === 'identifier') {
    const d = model.lookup(n.text, fn);
    if (d && d.dims.length === 0 && !d.pointer) type = d.type;
  } else if (n.type === 'subscript_expression') {
    let base: Node | null = n;
    while (base?.type === 'subscript_expression') base = base.childForFieldName('argument');
    const d = base?.type === 'identifier' ? model.lookup(base.text, fn) : undefined;
    if (d && (d.dims.length > 0 || d.pointer)) type = d.type;
  }
  if (!type) return undefined;
  const w = model.typeWidth(type, fn);
  if (!w || !w.signed || !Number.isFinite(w.width)) return undefined;
  if (type.trim() === 'char') return undefined; // plain char's sign is the platform's
  return w.width < 32 ? w.width : undefined;
}

export const use: Rule = {
  cls: 'USE',
  name: 'sign-extension',
  severity: 'warning',
  description: 'signed narrow value OR-ed into a wider word, or stored into a wider unsigned one through a signed cast (heuristic)',
  check({ model, report }) {
    for (const fn of model.functions) {
      for (const e of descendants(fn.body, 'binary_expression')) {
        const op = e.childForFieldName('operator')?.text;
        if (op !== '|' && op !== '^') continue;
        for (const side of [e.childForFieldName('left'), e.childForFieldName('right')]) {
          if (!side) continue;
          const w = signedNarrow(model, fn, side);
          const other = side.id === e.childForFieldName('left')?.id ? e.childForFieldName('right') : e.childForFieldName('left');
          if (w !== undefined && other && /<</.test(other.text)) {
            report(side, `'${snippet(side)}' is a signed ${w}-bit value: in '${snippet(e)}' it is sign-extended before ${op}, setting the high bits when negative`);
            break;
          }
        }
      }
      for (const a of descendants(fn.body, ['assignment_expression', 'init_declarator'])) {
        const left = a.type === 'assignment_expression' ? a.childForFieldName('left') : a.childForFieldName('declarator');
        const right = a.type === 'assignment_expression' ? a.childForFieldName('right') : a.childForFieldName('value');
        if (!left || !right || (right.type !== 'cast_expression' && right.type !== 'call_expression')) continue;
        const w = signedNarrow(model, fn, right);
        if (w === undefined) continue;
        const name = left.type === 'identifier' ? left.text : undefined;
        const d = name ? model.lookup(name, fn) : undefined;
        const dw = d ? model.typeWidth(d.type, fn) : undefined;
        if (dw && !dw.signed && dw.width > w) report(right, `'${snippet(right)}' narrows to a signed ${w}-bit value that '${name}' (${dw.width}-bit unsigned) sign-extends`);
      }
    }
  },
};
