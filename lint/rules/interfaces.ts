/**
 * The interface pragmas of a file with the parameter each names, and how a
 * parameter's array accesses walk it (the access patterns IDAP and RAMB read).
 */
import { Affine, diff } from '../affine.js';
import { Decl, FileModel, Func, Pragma, descendants, identifiersIn, writes } from '../model.js';
import type { Node } from '../parser.js';

export interface Interface {
  pragma: Pragma;
  mode: string;
  port: string;
  param?: Decl;
  func?: Func;
  /** set when the pragma names a caller's argument that this parameter receives */
  via?: string;
}

const MODES = ['ap_none', 'ap_vld', 'ap_ack', 'ap_hs', 'ap_ovld', 'ap_stable', 'ap_memory', 'bram', 'ap_fifo', 'axis', 'm_axi', 's_axilite', 'ap_ctrl_none', 'ap_ctrl_hs', 'ap_ctrl_chain',
  // Bambu's names
  'none', 'valid', 'ovalid', 'acknowledge', 'handshake', 'fifo', 'array', 'bus'];

export function interfaces(model: FileModel): Interface[] {
  const out: Interface[] = [];
  for (const p of model.pragmas) {
    if (p.kind !== 'interface') continue;
    const mode = (p.opts.get('mode') ?? p.words.find((w) => MODES.includes(w)) ?? '').toLowerCase();
    const port = p.opts.get('port');
    if (!mode || !port || port === 'return') continue;
    const fn = p.func;
    out.push({ pragma: p, mode, port, func: fn, param: fn?.params.find((q) => q.name === port) });
  }
  // load(in, buf) with in an m_axi port: load's parameter is that port too (same file, 3 calls deep).
  const byName = new Map(model.functions.map((f) => [f.name.replace(/^.*::/, ''), f]));
  const derived: Interface[] = [];
  let frontier = out.filter((it) => it.param && it.func && (it.param.pointer || it.param.dims.length > 0));
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: Interface[] = [];
    for (const it of frontier) {
      for (const call of descendants(it.func!.body, 'call_expression')) {
        const f = call.childForFieldName('function');
        const name = (f?.type === 'template_function' ? f.childForFieldName('name')?.text : f?.text)?.replace(/^.*::/, '');
        const callee = name ? byName.get(name) : undefined;
        if (!callee || callee === it.func) continue;
        const args = call.childForFieldName('arguments')?.namedChildren ?? [];
        args.forEach((a, k) => {
          const param = callee.params[k];
          if (a?.type !== 'identifier' || a.text !== it.port || !param || !(param.pointer || param.dims.length > 0)) return;
          if ([...out, ...derived].some((d) => d.func === callee && d.port === param.name)) return;
          const d: Interface = { pragma: it.pragma, mode: it.mode, port: param.name, func: callee, param, via: `${it.port} of ${it.func!.name}` };
          derived.push(d);
          next.push(d);
        });
      }
    }
    frontier = next;
  }
  return [...out, ...derived];
}

/** A parameter passed by value that is not a stream or an array: a scalar. */
export function isScalar(d: Decl): boolean {
  return !d.pointer && d.dims.length === 0 && !/stream|axis|ap_axi|hls::|std::|vector|array/i.test(d.type);
}

export interface Access {
  node: Node;
  index?: Node;
  /** compound assignment or ++: read and written */
  readWrite: boolean;
}

/** Accesses to a pointer or array parameter: p[e], *p, *(p + e). undefined when it escapes (passed on, aliased, walked with p++). */
export function accessesOf(_model: FileModel, fn: Func, name: string): Access[] | undefined {
  const out: Access[] = [];
  for (const id of descendants(fn.body, 'identifier')) {
    if (id.text !== name) continue;
    const p = id.parent;
    if (!p) continue;
    if (p.type === 'subscript_expression' && p.childForFieldName('argument')?.id === id.id) {
      let top: Node = p;
      while (top.parent?.type === 'subscript_expression' && top.parent.childForFieldName('argument')?.id === top.id) top = top.parent;
      const list = p.childForFieldName('indices');
      const index = list?.namedChildren[0] ?? undefined;
      out.push({ node: top, index, readWrite: isReadWrite(top) });
      continue;
    }
    if (p.type === 'pointer_expression' && p.childForFieldName('operator')?.text === '*') { out.push({ node: p, readWrite: isReadWrite(p) }); continue; }
    if (p.type === 'binary_expression' && p.parent?.type === 'parenthesized_expression' && p.parent.parent?.type === 'pointer_expression') {
      const other = p.childForFieldName('left')?.id === id.id ? p.childForFieldName('right') : p.childForFieldName('left');
      out.push({ node: p.parent.parent, index: other ?? undefined, readWrite: isReadWrite(p.parent.parent) });
      continue;
    }
    return undefined; // passed to a call, assigned, walked: not the lint's to follow
  }
  return out;
}

function isReadWrite(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'update_expression') return true;
  if (p.type === 'assignment_expression' && p.childForFieldName('left')?.id === n.id && p.childForFieldName('operator')?.text !== '=') return true;
  return false;
}

/** Every write of name in n is name++ / ++name / name += 1 (a running counter). */
function counterOnly(n: Node, name: string): boolean {
  let count = 0;
  for (const a of descendants(n, ['assignment_expression', 'update_expression'])) {
    const target = a.type === 'assignment_expression' ? a.childForFieldName('left') : a.childForFieldName('argument');
    if (target?.type !== 'identifier' || target.text !== name) continue;
    count++;
    if (a.type === 'update_expression' && a.text.includes('++')) continue;
    if (a.type === 'assignment_expression' && a.childForFieldName('operator')?.text === '+=' && a.childForFieldName('right')?.text === '1') continue;
    return false;
  }
  return count > 0;
}

export type Pattern = {
  kind: 'sequential' | 'repeated' | 'strided' | 'reversed' | 'data-dependent' | 'unknown';
  detail?: string;
  /** strided: the index, its innermost loop and stride (to see whether sibling accesses fill the gaps) */
  index?: Affine;
  loop?: string;
  stride?: number;
};

/** How one access walks memory over its enclosing loops. */
export function pattern(model: FileModel, fn: Func, a: Access): Pattern {
  const loops = model.enclosingLoops(a.node).filter((l) => l.node.type === 'for_statement' && l.var);
  if (!a.index) return { kind: 'sequential' }; // *p: on a FIFO each dereference is the next element
  const idx = a.index;
  if (descendants(idx, ['subscript_expression', 'call_expression', 'pointer_expression']).length > 0 || idx.type === 'subscript_expression' || idx.type === 'call_expression') {
    return { kind: 'data-dependent', detail: `index '${idx.text}' is read from data` };
  }
  // A local computed inside the loop (idx = hash[i]; addr = f(i)) is data to the lint.
  for (const name of identifiersIn(idx)) {
    const d = fn.locals.get(name);
    if (!d || d.isConst || loops.some((l) => l.var === name)) continue;
    const inner = loops[0]?.node.childForFieldName('body');
    if (inner && counterOnly(inner, name)) continue; // k++ once per iteration: sequential
    if (inner && (writes(inner, name) || (d.init && inner.startIndex <= d.node.startIndex && d.node.endIndex <= inner.endIndex && model.eval(d.init, fn) === undefined))) {
      return { kind: 'data-dependent', detail: `index '${idx.text}' uses '${name}', computed inside the loop` };
    }
  }
  const e: Affine | undefined = model.eval(idx, fn);
  if (!e) {
    // (i * 7) % N, i ^ mask: a loop variable scrambled into the address
    const scrambled = descendants(idx, 'binary_expression').find((b) => /^(%|\^)$/.test(b.childForFieldName('operator')?.text ?? '') && loops.some((l) => l.var && identifiersIn(b).has(l.var)));
    return scrambled ? { kind: 'data-dependent', detail: `index '${idx.text}' scatters the loop variable ('${scrambled.text}')` } : { kind: 'unknown' };
  }
  if (loops.length === 0) return { kind: 'sequential' };
  const inner = loops[0];
  if (inner.modified || inner.step === undefined) return { kind: 'unknown' };
  const k = (e.t.get(inner.id) ?? 0) * inner.step;
  if (k === 0) return { kind: 'repeated', detail: `index '${idx.text}' does not move with '${inner.var}'` };
  if (k < 0) return { kind: 'reversed', detail: `index '${idx.text}' moves down as '${inner.var}' moves on` };
  if (k > 1) return { kind: 'strided', detail: `index '${idx.text}' jumps by ${k} per iteration of '${inner.var}'`, index: e, loop: inner.id, stride: k };
  for (const outer of loops.slice(1)) {
    const ko = (e.t.get(outer.id) ?? 0) * (outer.step ?? 1);
    if (ko < 0) return { kind: 'reversed', detail: `index '${idx.text}' moves down as '${outer.var}' moves on` };
    if (ko === 0) return { kind: 'repeated', detail: `index '${idx.text}' does not move with '${outer.var}'` };
  }
  return { kind: 'sequential' };
}

/** p[2*i] and p[2*i + 1] in one iteration: together the accesses walk memory in order. */
export function fillsGaps(p: Pattern, all: Pattern[]): boolean {
  const offsets = new Set<number>();
  for (const q of all) {
    if (q.kind !== 'strided' || q.loop !== p.loop || q.stride !== p.stride || !q.index || !p.index) continue;
    const d = diff(q.index, p.index);
    if (d !== undefined) offsets.add(d);
  }
  const lo = Math.min(...offsets);
  for (let k = 0; k < p.stride!; k++) if (!offsets.has(lo + k)) return false;
  return true;
}
