/**
 * AMS: an array argument mapped to a scalar interface (ap_none, ap_vld,
 * ap_ack, ap_hs, ap_ovld, ap_stable; Bambu: none, valid, ovalid, acknowledge,
 * handshake). A pointer used as one value (*p, p[0]) is a scalar port and fine.
 */
import { isConst } from '../affine.js';
import { Rule, snippet } from '../rule.js';
import { accessesOf, interfaces } from './interfaces.js';

const SCALAR_MODES = new Set(['ap_none', 'ap_vld', 'ap_ack', 'ap_hs', 'ap_ovld', 'ap_stable', 'none', 'valid', 'ovalid', 'acknowledge', 'handshake']);

export const ams: Rule = {
  cls: 'AMS',
  name: 'array-as-scalar',
  severity: 'error',
  description: 'array argument mapped to a scalar interface (ap_none, ap_vld, ap_ack, ap_hs, ap_ovld, ap_stable)',
  check({ model, report }) {
    for (const it of interfaces(model)) {
      if (!SCALAR_MODES.has(it.mode) || !it.param || !it.func) continue;
      if (it.via) continue;
      const d = it.param;
      let array = d.dims.length > 0;
      if (!array && d.pointer) {
        const acc = accessesOf(model, it.func, it.port);
        array = acc !== undefined && acc.some((a) => a.index !== undefined && !(isConst(model.eval(a.index, it.func)) && model.eval(a.index, it.func)!.c === 0));
      }
      if (array) report(it.pragma.node, `'${snippet(it.pragma.node, 80)}': '${it.port}' is an array ('${snippet(d.node)}'); ${it.mode} carries one value`);
    }
  },
};
