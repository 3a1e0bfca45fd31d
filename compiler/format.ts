/** Text helpers shared by every report and message the command line prints. */

/** Sizes in one unit system everywhere: binary prefixes (1 KiB = 1024 B). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (Math.abs(n) < 1024) return `${Number.isInteger(n) ? n : n.toFixed(2)} B`;
  let v = n / 1024, u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(2)} ${units[u]}`;
}

/**
 * Control characters, ANSI escapes and bidirectional overrides in text that
 * comes from a model (names of nodes, values, graphs) could rewrite the
 * terminal or reorder what the user reads: show them as visible escapes.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`);
}
