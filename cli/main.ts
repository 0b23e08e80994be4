/**
 * Entry point of the `chaosflow` command. Each command lives in its own file under `cli/commands/` and is
 * registered in `cli/commands/index.ts`; commands import heavy SDKs (Temporal, Kubernetes, gRPC) lazily inside
 * their action so that `--help` and `validate` start fast.
 */
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { registerCommands } from './commands/index.js';
import { EXIT } from './exit-codes.js';

const program = new Command('chaosflow')
  .description('Durable chaos engineering on Temporal: Chaos Mesh-style Workflows and Schedules')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeOf(err);
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; help and version exit 0.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof CliError) {
    process.stderr.write(`chaosflow: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`chaosflow: internal error (a bug, please report it):\n${describe(err)}\n`);
  return EXIT.failed;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
