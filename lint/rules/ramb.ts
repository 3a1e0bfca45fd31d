/**
 * RAMB: an m_axi port accessed in an order that defeats bursts: data-dependent
 * (an index read from memory or computed in the loop), strided, or reversed.
 */
import { Rule } from '../rule.js';
import { accessesOf, fillsGaps, interfaces, pattern } from './interfaces.js';

export const ramb: Rule = {
  cls: 'RAMB',
  name: 'maxi-random-access',
  severity: 'error',
  description: 'm_axi port accessed randomly (data-dependent, strided, reversed), so no bursts',
  check({ model, report }) {
    for (const it of interfaces(model)) {
      if (it.mode !== 'm_axi' || !it.param || !it.func) continue;
      if (!it.param.pointer && it.param.dims.length === 0) continue;
      const acc = accessesOf(model, it.func, it.port);
      if (!acc) continue;
      const patterns = acc.map((a) => pattern(model, it.func!, a));
      let reported = false; // one finding per port
      acc.forEach((a, i) => {
        const p = patterns[i];
        if (reported || (p.kind === 'strided' && fillsGaps(p, patterns))) return;
        if (p.kind === 'data-dependent' || p.kind === 'strided' || p.kind === 'reversed') {
          report(a.node, `m_axi port '${it.port}' (line ${it.pragma.node.startPosition.row + 1}${it.via ? `, as ${it.via}` : ''}) is accessed ${p.kind === 'data-dependent' ? 'at data-dependent addresses' : p.kind} in '${a.node.text}': ${p.detail}; no bursts`);
          reported = true;
        }
      });
    }
  },
};
