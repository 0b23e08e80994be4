import { EXIT } from './exit-codes.js';

/**
 * An error meant for the person at the terminal: printed as `chaosflow: <message>` without a stack trace, and
 * the process exits with `exitCode`. Anything else that escapes a command is a bug and prints its stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
