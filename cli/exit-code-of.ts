/**
 * What escaped a command, to the process exit code and the message on stderr: usage errors 2, a `CliError`
 * its own code (1 for an invalid manifest or a failed run), and anything else, a bug in chaosflow, 70
 * (`EXIT.internal`) with its stack, so that scripts can tell "my manifest is wrong" from "chaosflow broke".
 */
import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

export function exitCodeOf(err: unknown, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; help and version exit 0.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    stderr(`chaosflow: ${err.message}\n`);
    return err.exitCode;
  }
  stderr(`chaosflow: internal error (a bug, please report it):\n${describe(err)}\n`);
  return EXIT.internal;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
