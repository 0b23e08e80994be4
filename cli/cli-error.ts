import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import { EXIT } from './exit-codes.js';

/** One code per exit code: `CLI_FAILED`, `CLI_USAGE`, `CLI_UNAVAILABLE`, ... */
export const CLI_ERROR_CODES = Object.keys(EXIT).map((name) => `CLI_${name.toUpperCase()}`);

/**
 * An error meant for the person at the terminal: printed as `chaosflow: <message>` without a stack trace, and
 * the process exits with `exitCode`. Anything else that escapes a command is a bug and prints its stack.
 */
export class CliError extends ChaosflowError<string, { readonly exitCode: number }> {
  static override readonly codes: readonly string[] = CLI_ERROR_CODES;
  override readonly name = 'CliError';
  constructor(message: string, exitCode: number = EXIT.failed, options?: { cause?: unknown }) {
    const name = Object.entries(EXIT).find(([, value]) => value === exitCode)?.[0] ?? 'failed';
    super(`CLI_${name.toUpperCase()}`, message, { exitCode }, options);
  }

  get exitCode(): number {
    return this.context.exitCode;
  }
}
