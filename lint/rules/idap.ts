/**
 * IDAP: an ap_fifo or axis interface on an array (or pointer) that the
 * function reads or writes out of order, or more than once: a FIFO gives each
 * element once, in order.
 */
import { diff, isConst } from '../affine.js';
import { Rule } from '../rule.js';
import { accessesOf, fillsGaps, interfaces, pattern } from './interfaces.js';

export const idap: Rule = {
  cls: 'IDAP',
  name: 'fifo-access',
  severity: 'error',
  description: 'ap_fifo/axis interface on an array accessed non-sequentially or more than once',
  check({ model, report }) {
    for (const it of interfaces(model)) {
      if (!['ap_fifo', 'axis', 'fifo'].includes(it.mode) || !it.param || !it.func) continue;
      if (!it.param.pointer && it.param.dims.length === 0) continue;
      const acc = accessesOf(model, it.func, it.port);
      if (!acc || acc.length === 0) continue;
      const where = `'${it.port}' has ${/^[aeiou]/.test(it.mode) ? 'an' : 'a'} ${it.mode} interface (line ${it.pragma.node.startPosition.row + 1}${it.via ? `, as ${it.via}` : ''}) but`;
      const rw = acc.find((a) => a.readWrite);
      if (rw) { report(rw.node, `${where} '${rw.node.parent?.text ?? rw.node.text}' reads and writes it`); continue; }
      const patterns = acc.map((a) => pattern(model, it.func!, a));
      // x[2*i] then x[2*i + 1] in one iteration: one pass, in order
      const interleaved = acc.length > 1 && patterns.every((p) => p.kind === 'strided' && fillsGaps(p, patterns))
        && patterns.every((p, i) => i === 0 || (diff(p.index!, patterns[i - 1].index!) ?? 0) === 1);
      if (interleaved) continue;
      if (acc.length > 1) {
        // x[0], x[1], x[2] in order outside loops is still one pass.
        const consts = acc.map((a) => (a.index ? model.eval(a.index, it.func) : undefined));
        const inOrder = consts.every((c, i) => isConst(c) && c.c === i) && acc.every((a) => model.enclosingLoops(a.node).length === 0);
        if (!inOrder) { report(acc[1].node, `${where} it is accessed at ${acc.length} places ('${acc[0].node.text}', '${acc[1].node.text}'${acc.length > 2 ? ', ...' : ''})`); continue; }
      }
      for (const a of acc) {
        const p = pattern(model, it.func, a);
        if (p.kind !== 'sequential' && p.kind !== 'unknown') { report(a.node, `${where} '${a.node.text}' is ${p.kind === 'repeated' ? 'accessed more than once' : `not sequential (${p.kind})`}: ${p.detail}`); break; }
      }
    }
  },
};
