import { printable } from './format.js';

/**
 * An error caused by the user's input (model, flags, files). The CLI prints
 * its message as one line and exits non-zero; anything else is a bug and
 * shows a trace only under --verbose.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(printable(message)); // a hostile name from a model stays one visible line
    this.name = 'UserError';
  }
}

/** An op or construct we do not support yet: exit code 3 so scripts can tell. */
export class UnsupportedError extends UserError {
  constructor(message: string) {
    super(message, 3);
    this.name = 'UnsupportedError';
  }
}

/**
 * How to bind symbolic dims, for both audiences: errors raised by the API
 * reach TypeScript callers as well as the command line.
 */
export function bindHint(dims: readonly string[]): string {
  const value = (d: string) => (d.startsWith('past') ? 0 : 8);
  const cli = dims.map((d) => `--bind ${d}=${value(d)}`).join(' ');
  const api = dims.map((d) => `${/^[A-Za-z_$][\w$]*$/.test(d) ? d : JSON.stringify(d)}: ${value(d)}`).join(', ');
  return `(CLI: ${cli}; API: bindings: { ${api} })`;
}

/** An option's name in both forms, "maxNewTokens (--max-new-tokens)", for errors the API raises. */
export function optionName(api: string, cli: string): string {
  return `${api} (${cli})`;
}
