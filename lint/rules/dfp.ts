/**
 * DFP: `#pragma HLS dataflow` where it cannot work: outside a function body,
 * inside a branch (if/else/case), or in a region with fewer than two tasks
 * (function calls or loops) to overlap.
 */
import { FileModel, descendants, identifiersIn } from '../model.js';
import type { Node } from '../parser.js';
import { Rule, snippet } from '../rule.js';

const NOT_TASKS = /(^|\.|->)(read|write|read_nb|write_nb|empty|full|size|range|to_int|to_uint|to_float|to_double)$|^(std::)?(memcpy|memset|printf|fprintf|assert)$/;

function tasks(region: Node, skip?: number): number {
  let n = 0;
  for (const s of region.namedChildren) {
    if (s && s.id === skip) continue;
    let st: Node | null = s;
    while (st?.type === 'labeled_statement') st = st.namedChildren[st.namedChildCount - 1] ?? null;
    if (!st) continue;
    if (st.type === 'for_statement' || st.type === 'while_statement' || st.type === 'do_statement' || st.type === 'for_range_loop') n++;
    else if (st.type === 'expression_statement') {
      const e = st.namedChildren[0];
      const call = e?.type === 'call_expression' ? e : e?.type === 'assignment_expression' && e.childForFieldName('right')?.type === 'call_expression' ? e.childForFieldName('right') : null;
      if (call && !NOT_TASKS.test(call.childForFieldName('function')?.text ?? '')) n++;
    } else if (st.type === 'declaration' && /\btask\b/.test(st.childForFieldName('type')?.text ?? '')) n++; // hls::task t(f, in, out);
    else if (st.type === 'compound_statement') n += tasks(st);
    else if (/^preproc_(if|ifdef|else|elif|elifdef)$/.test(st.type)) {
      // #ifdef HOST ... #else ... #endif: the tasks of one configuration, the larger
      const alt = st.childForFieldName('alternative');
      n += Math.max(tasks(st, alt?.id), alt ? tasks(alt) : 0);
    }
  }
  return n;
}

/** if (CONFIG_T::io_type == io_serial): a branch on constants only, settled before synthesis. */
function compileTimeBranch(model: FileModel, at: Node): boolean {
  for (let p = at.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'if_statement' && p.type !== 'switch_statement') continue;
    const cond = p.childForFieldName('condition');
    if (!cond) return false;
    const fn = model.funcOf(at);
    const ids = [...identifiersIn(cond)];
    return ids.every((id) => !model.lookup(id, fn) || model.lookup(id, fn)!.isConst) && descendants(cond, 'call_expression').length === 0;
  }
  return false;
}

export const dfp: Rule = {
  cls: 'DFP',
  name: 'dataflow-placement',
  severity: 'error',
  description: 'dataflow pragma outside a function body, inside a branch, or in a region with fewer than two tasks',
  check({ model, report }: { model: FileModel; report: (n: Node, m: string) => void }) {
    for (const p of model.pragmas) {
      if (p.kind !== 'dataflow') continue;
      if (p.placement === 'top') { report(p.node, `'${snippet(p.node)}' stands outside any function body; it belongs inside the function (or loop) whose tasks should overlap`); continue; }
      if (p.placement === 'branch' && !compileTimeBranch(model, p.node)) { report(p.node, `'${snippet(p.node)}' stands inside a branch; dataflow applies to a whole function or loop body`); continue; }
      if (p.placement === 'block' || p.placement === 'branch') continue;
      const body = p.owner?.childForFieldName('body');
      if (!body) continue;
      const n = tasks(body);
      if (n < 2) report(p.node, `'${snippet(p.node)}': the ${p.placement} body has ${n === 0 ? 'no task' : 'one task'} (function call or loop) to overlap`);
    }
  },
};
