/**
 * An error caused by the user's input (model, flags, files). The CLI prints
 * its message as one line and exits non-zero; anything else is a bug and
 * shows a trace only under --verbose.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
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
