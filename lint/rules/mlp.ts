/**
 * MLP: multi-level pipelining: a pipeline pragma in a loop (or function) that
 * sits inside a loop or function that is already pipelined.
 */
import { FileModel, Pragma, ancestors } from '../model.js';
import { Rule, snippet } from '../rule.js';

export function isOff(p: Pragma): boolean {
  return p.words.includes('off') || /^(true|1)$/i.test(p.opts.get('off') ?? '');
}

export function pipelined(model: FileModel, owner: import('../parser.js').Node): Pragma | undefined {
  return model.pragmasOf(owner, 'pipeline').find((p) => !isOff(p));
}

export const mlp: Rule = {
  cls: 'MLP',
  name: 'nested-pipeline',
  severity: 'error',
  description: 'pipeline pragma inside a loop or function that is already pipelined',
  check({ model, report }) {
    for (const p of model.pragmas) {
      if (p.kind !== 'pipeline' || isOff(p) || !p.owner || p.placement === 'top') continue;
      for (const a of ancestors(p.owner)) {
        if (a.type !== 'for_statement' && a.type !== 'while_statement' && a.type !== 'do_statement' && a.type !== 'function_definition') continue;
        const outer = pipelined(model, a);
        if (outer) {
          const what = a.type === 'function_definition' ? 'function' : `loop at line ${a.startPosition.row + 1}`;
          report(p.node, `'${snippet(p.node)}' is inside the ${what}, already pipelined by '${snippet(outer.node)}' (line ${outer.node.startPosition.row + 1}); inner loops of a pipeline are unrolled`);
          break;
        }
        if (a.type === 'function_definition') break;
      }
    }
  },
};
