/**
 * An error caused by the user's input (model, flags, files). The CLI prints
 * its message as one line and exits non-zero; anything else is a bug and
 * shows a trace only under --verbose.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(oneLine(message));
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
 * Control characters and line separators (a newline or a terminal escape in
 * a node name from a hostile model) are shown escaped, so a message stays one
 * line and prints as what it is.
 */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
