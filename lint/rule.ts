/** What a lint rule is: one Chrysalis bug class, one module under lint/rules/. */
import type { FileModel } from './model.js';
import type { Node } from './parser.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  file: string;
  line: number;
  column: number;
  /** the Chrysalis class id: OOB, INIT, SHFT ... */
  class: string;
  rule: string;
  severity: Severity;
  message: string;
}

export interface RuleContext {
  model: FileModel;
  target: 'vitis' | 'bambu';
  report(node: Node, message: string): void;
}

export interface Rule {
  /** Chrysalis class id */
  cls: string;
  name: string;
  severity: Severity;
  /** one line for docs and SARIF */
  description: string;
  check(ctx: RuleContext): void;
}

/** The offending text, on one line and short, for a message. */
export function snippet(n: Node, max = 60): string {
  const t = n.text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}
