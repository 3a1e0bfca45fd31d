/** DID: array_partition dim= beyond the array's number of dimensions (or negative). */
import { Rule, snippet } from '../rule.js';
import { partitions } from './partition.js';

export const did: Rule = {
  cls: 'DID',
  name: 'partition-dim',
  severity: 'error',
  description: 'array_partition/array_reshape dim= beyond the dimensions of the array',
  check({ model, report }) {
    for (const p of partitions(model)) {
      if (Number.isNaN(p.dim)) continue;
      if (p.dim < 0) { report(p.pragma.node, `'${snippet(p.pragma.node, 80)}': dim=${p.dim} is negative`); continue; }
      if (!p.decl) continue;
      const rank = p.decl.dims.length + (p.decl.pointer ? 1 : 0);
      if (rank === 0 || p.decl.pointer) continue; // a pointer's shape is the caller's
      if (p.dim > rank) report(p.pragma.node, `'${snippet(p.pragma.node, 80)}': ${p.variable} has ${rank} dimension${rank === 1 ? '' : 's'}, not ${p.dim}`);
    }
  },
};
