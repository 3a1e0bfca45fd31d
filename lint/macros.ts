/**
 * Pragma macros: HLS code often writes its pragmas through macros
 * (`LLM2HLS_PIPELINE_LOOP(1)` for `_Pragma("HLS PIPELINE II=1")`, or a
 * `DO_PRAGMA(x)` helper). A line that holds nothing but the invocation of such
 * a macro is rewritten into the `#pragma` line it expands to (or a blank line
 * for an empty macro) before parsing, so that the rules see the pragma and the
 * parser is not thrown by a statement without its semicolon. Lines keep their
 * numbers; only the rewritten line's columns change.
 */
import { Macro, addMacro } from './model.js';

/** The #define lines of a text (no parser needed). */
export function macrosOf(source: string, into = new Map<string, Macro>()): Map<string, Macro> {
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(([^)]*)\))?[ \t]*((?:[^\n\\]|\\\n|\\)*)$/gm;
  for (const m of source.matchAll(re)) {
    const body = m[4].replace(/\\\n/g, ' ').trim();
    if (m[2] !== undefined) addMacro(into, m[1], { params: m[3].split(',').map((p) => p.trim()).filter(Boolean), body });
    else if (body.includes('_Pragma')) addMacro(into, m[1], { body });
  }
  return into;
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

/** The text of the first _Pragma in an expansion: _Pragma("HLS x") or _Pragma(STR(HLS x)). */
export function pragmaText(expansion: string): string | undefined {
  const i = expansion.indexOf('_Pragma');
  if (i < 0) return undefined;
  const rest = expansion.slice(i + 7).trim();
  if (!rest.startsWith('(')) return undefined;
  let depth = 0;
  let end = -1;
  for (let k = 0; k < rest.length; k++) {
    if (rest[k] === '(') depth++;
    else if (rest[k] === ')' && --depth === 0) { end = k; break; }
  }
  if (end < 0) return undefined;
  const inner = rest.slice(1, end).trim();
  const str = /^"((?:[^"\\]|\\.)*)"$/.exec(inner);
  if (str) return str[1].replace(/\\(.)/g, '$1');
  const strMacro = /^[A-Za-z_]\w*\s*\(([\s\S]*)\)$/.exec(inner);
  return strMacro ? strMacro[1].trim() : undefined;
}

/** The macro's body is a _Pragma, or a call of a macro whose body is (DO_PRAGMA helpers). */
function emitsPragma(m: Macro, macros: Map<string, Macro>, depth = 0): boolean {
  if (m.body.includes('_Pragma')) return true;
  const call = /^\s*([A-Za-z_]\w*)\s*\(/.exec(m.body);
  const next = call ? macros.get(call[1]) : undefined;
  return depth < 4 && next !== undefined && next !== m && emitsPragma(next, macros, depth + 1);
}

function expand(m: Macro, args: string[] | undefined): string {
  let body = m.body;
  if (m.params && args) {
    m.params.forEach((p, i) => {
      const v = args[i] ?? '';
      body = body.replace(new RegExp(`#\\s*${p}\\b`, 'g'), JSON.stringify(v)).replace(new RegExp(`\\b${p}\\b`, 'g'), v);
    });
  }
  return body;
}

/** Rewrite lines that only invoke a pragma macro (or hold a bare _Pragma) into #pragma lines. */
export function rewritePragmaMacros(source: string, macros: Map<string, Macro>): string {
  if (!source.includes('_Pragma') && macros.size === 0) return source;
  const lines = source.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = /^(\s*)([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*;?\s*(\/\/.*)?$/.exec(line);
    if (!m) continue;
    let expansion: string | undefined;
    if (m[2] === '_Pragma') expansion = line.trim().replace(/;$/, '');
    else {
      const macro = macros.get(m[2]);
      if (!macro) continue;
      if ((macro.params !== undefined) !== (m[3] !== undefined)) continue;
      if (macro.body !== '' && !emitsPragma(macro, macros)) continue;
      expansion = expand(macro, m[3] === undefined ? undefined : splitArgs(m[3]));
      // DO_PRAGMA(x) -> PRAGMA_SUB(x) -> _Pragma(#x): expand the helper chain
      for (let depth = 0; depth < 4 && !expansion.includes('_Pragma'); depth++) {
        const inner = /^\s*([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*;?\s*$/.exec(expansion);
        const im = inner ? macros.get(inner[1]) : undefined;
        if (!inner || !im) break;
        expansion = expand(im, splitArgs(inner[2]));
      }
    }
    const text = pragmaText(expansion);
    lines[i] = text !== undefined ? `${m[1]}#pragma ${text}` : expansion.trim() === '' ? '' : line;
    changed ||= lines[i] !== line;
  }
  return changed ? lines.join('\n') : source;
}

/**
 * Blank out `#if 0` ... (`#else` | `#endif`) regions, keeping every newline so
 * that lines and columns stay: code switched off is not the design.
 */
export function blankIfZero(source: string): string {
  if (!/^[ \t]*#[ \t]*if[ \t]+0\b/m.test(source)) return source;
  const lines = source.split('\n');
  let depth = 0; // nesting inside a dead region (0: live)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (depth === 0) {
      if (/^[ \t]*#[ \t]*if[ \t]+0\b/.test(l)) depth = 1; // the directives stay, balanced
      continue;
    }
    if (/^[ \t]*#[ \t]*if(n?def)?\b/.test(l)) depth++;
    else if (/^[ \t]*#[ \t]*endif\b/.test(l)) { depth--; if (depth === 0) continue; }
    else if (depth === 1 && /^[ \t]*#[ \t]*(else|elif)\b/.test(l)) { depth = 0; continue; }
    lines[i] = '';
  }
  return lines.join('\n');
}
