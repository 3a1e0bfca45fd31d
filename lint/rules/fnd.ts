/** FND: an array_partition factor that does not divide the partitioned dimension (every dimension for dim=0). */
import { isConst } from '../affine.js';
import { Rule, snippet } from '../rule.js';
import { partitions } from './partition.js';

export const fnd: Rule = {
  cls: 'FND',
  name: 'partition-factor',
  severity: 'error',
  description: 'array_partition/array_reshape factor that does not divide the partitioned dimension',
  check({ model, report }) {
    for (const p of partitions(model)) {
      if (!p.decl || !isConst(p.factor) || p.factor.c <= 0 || (p.type !== 'cyclic' && p.type !== 'block')) continue;
      const dims = p.dim === 0 ? p.decl.dims.map((_, i) => i) : [p.dim - 1];
      for (const i of dims) {
        const extent = p.decl.dims[i];
        if (!isConst(extent) || extent.c <= 0) continue;
        if (extent.c % p.factor.c !== 0) {
          report(p.pragma.node, `'${snippet(p.pragma.node, 80)}': factor ${p.factor.c} does not divide dimension ${i + 1} of ${p.variable} (${extent.c} elements)`);
          break;
        }
      }
    }
  },
};
