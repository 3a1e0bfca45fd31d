/** APT: array_partition type error: cyclic or block without factor=, complete with one, or a type that is none of the three. */
import { Rule, snippet } from '../rule.js';
import { partitions } from './partition.js';

export const apt: Rule = {
  cls: 'APT',
  name: 'partition-type',
  severity: 'error',
  description: 'array_partition/array_reshape type error: cyclic or block without factor, complete with a factor, unknown type',
  check({ model, report }) {
    for (const p of partitions(model)) {
      const text = snippet(p.pragma.node, 80);
      if (p.badType) report(p.pragma.node, `'${text}': type=${p.badType} is not cyclic, block or complete`);
      else if ((p.type === 'cyclic' || p.type === 'block') && p.factorText === undefined) report(p.pragma.node, `'${text}': a ${p.type} partition needs factor=`);
      else if ((p.type === 'complete' || p.type === undefined) && p.factorText !== undefined) report(p.pragma.node, `'${text}': a complete partition takes no factor= (factor=${p.factorText}); cyclic or block was meant`);
    }
  },
};
