/** SMA: a scalar argument (by value) mapped to an array interface: bram, ap_memory, m_axi, ap_fifo, axis (Bambu: array, fifo, m_axi, axis). */
import { Rule, snippet } from '../rule.js';
import { interfaces, isScalar } from './interfaces.js';

const ARRAY_MODES = new Set(['bram', 'ap_memory', 'm_axi', 'ap_fifo', 'axis', 'array', 'fifo', 'bus']);

export const sma: Rule = {
  cls: 'SMA',
  name: 'scalar-as-array',
  severity: 'error',
  description: 'scalar argument mapped to an array interface (bram, ap_memory, m_axi, ap_fifo, axis)',
  check({ model, report }) {
    for (const it of interfaces(model)) {
      if (!ARRAY_MODES.has(it.mode) || !it.param || !isScalar(it.param)) continue;
      if (it.via) continue;
      if (it.param.ref) continue; // a scalar by reference is an output port the tool may map; left to it
      report(it.pragma.node, `'${snippet(it.pragma.node, 80)}': '${it.port}' is a scalar ('${snippet(it.param.node)}'), not an array or pointer`);
    }
  },
};
