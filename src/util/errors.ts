/**
 * Exit codes that mean something to a script calling ntc.
 * 0 ok, 1 a bug in ntc, 2 wrong usage, 3 bad input data (unreadable file, wrong header, too many
 * malformed rows), 4 a missing system requirement (the lab's tools, root).
 */
export const EXIT = { ok: 0, internal: 1, usage: 2, badInput: 3, missingRequirement: 4 } as const;

/** An error caused by what the user gave us; its message is printed as is, without a stack. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad input data: the message names file, line and field where it can. */
export class InputError extends UserError {
  constructor(message: string) {
    super(message, EXIT.badInput);
    this.name = 'InputError';
  }
}
