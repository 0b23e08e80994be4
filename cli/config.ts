/**
 * The CLI's configuration: the only place the `chaosflow` command reads its environment. Commands get typed,
 * frozen values from here.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { resolveTemporalConfig, type TemporalConfig, type TemporalFlags } from '../client/temporal-config.js';

/** Adds `--address`, `--namespace`, `--task-queue` and `--profile` to a command that talks to Temporal. */
export function withTemporalOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--address <host:port>',
        'Temporal frontend (default: TEMPORAL_ADDRESS, profile, or 127.0.0.1:7233)',
      ),
    )
    .addOption(
      new Option(
        '--namespace <name>',
        'Temporal namespace (default: TEMPORAL_NAMESPACE, profile, or default)',
      ),
    )
    .addOption(
      new Option(
        '--task-queue <name>',
        'task queue of the chaosflow worker (default: CHAOSFLOW_TASK_QUEUE or chaosflow)',
      ),
    )
    .addOption(
      new Option('--profile <name>', 'profile of the Temporal client configuration file (TEMPORAL_PROFILE)'),
    );
}

export function temporalConfig(flags: TemporalFlags): TemporalConfig {
  return resolveTemporalConfig(flags, process.env);
}

/** Where `chaosflow dev` keeps its state (Temporal's SQLite file, logs, the agent journal, the demo inventory). */
export function dataDir(): string {
  const base = process.env['CHAOSFLOW_DATA_DIR'];
  if (base) return base;
  const xdg = process.env['XDG_DATA_HOME'];
  return join(xdg || join(homedir(), '.local', 'share'), 'chaosflow');
}

/** Where the installer put the external tools (`scripts/tools/install.sh`). */
export function toolsDir(): string {
  const tools = process.env['CHAOSFLOW_TOOLS'];
  if (tools) return tools;
  return join(process.env['CHAOSFLOW_CACHE'] || join(homedir(), '.cache', 'chaosflow'), 'tools');
}

/** True when the terminal is interactive and colour/redraw is allowed (`NO_COLOR` unset). */
export function interactive(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env['NO_COLOR'];
}
