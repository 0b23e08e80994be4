/**
 * Entry point of the `chaosflow` command. Each command lives in its own file under `cli/commands/` and is
 * registered in `cli/commands/index.ts`; commands import heavy SDKs (Temporal, Kubernetes, gRPC) lazily inside
 * their action so that `--help` and `validate` start fast.
 */
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { exitCodeOf } from './exit-code-of.js';

const program = new Command('chaosflow')
  .description('Durable chaos engineering on Temporal: Chaos Mesh-style Workflows and Schedules')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeOf(err, (t) => process.stderr.write(t));
}
