/**
 * The CLI's configuration: the only place the `chaosflow` command reads its environment. Commands get typed,
 * frozen values from here.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { resolveTemporalConfig, type TemporalConfig, type TemporalFlags } from '../client/temporal-config.js';

/**
 * Adds `--address`, `--namespace`, `--task-queue`, `--profile` and the `temporal` CLI's connection flags (API key,
 * TLS, mTLS; `client/temporal-config.ts` has the table) to a command that talks to Temporal.
 */
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
    )
    .addOption(
      new Option('--api-key <key>', 'API key, e.g. for Temporal Cloud; turns TLS on (TEMPORAL_API_KEY)'),
    )
    .addOption(new Option('--tls', 'connect with TLS (TEMPORAL_TLS)'))
    .addOption(
      new Option('--tls-cert-path <file>', 'client certificate for mTLS (TEMPORAL_TLS_CLIENT_CERT_PATH)'),
    )
    .addOption(
      new Option('--tls-key-path <file>', 'client private key for mTLS (TEMPORAL_TLS_CLIENT_KEY_PATH)'),
    )
    .addOption(
      new Option(
        '--tls-ca-path <file>',
        'CA that signed the server certificate (TEMPORAL_TLS_SERVER_CA_CERT_PATH)',
      ),
    )
    .addOption(new Option('--tls-server-name <name>', 'server name to verify (TEMPORAL_TLS_SERVER_NAME)'))
    .addOption(
      new Option(
        '--tls-disable-host-verification',
        'do not verify the server host name (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)',
      ),
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

/** True when the terminal is interactive and colour/redraw is allowed (`NO_COLOR` unset). */
export function interactive(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env['NO_COLOR'];
}
