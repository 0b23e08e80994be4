/**
 * Where Temporal is and how to reach it, for every chaosflow process (CLI, worker, controller): command-line
 * flags win over the standard Temporal environment configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE` and the `temporal.toml` profile file), which wins over
 * the embedded default (the local dev server of `chaosflow dev`).
 *
 * The connection flags are the `temporal` CLI's, each the same as one variable of the environment configuration:
 *
 * | flag | environment |
 * |---|---|
 * | `--address` | `TEMPORAL_ADDRESS` |
 * | `--namespace` | `TEMPORAL_NAMESPACE` |
 * | `--api-key` | `TEMPORAL_API_KEY` (turns TLS on unless `TEMPORAL_TLS=false`) |
 * | `--tls` | `TEMPORAL_TLS` |
 * | `--tls-cert-path`, `--tls-key-path` | `TEMPORAL_TLS_CLIENT_CERT_PATH`, `TEMPORAL_TLS_CLIENT_KEY_PATH` (mTLS) |
 * | `--tls-ca-path` | `TEMPORAL_TLS_SERVER_CA_CERT_PATH` |
 * | `--tls-server-name` | `TEMPORAL_TLS_SERVER_NAME` |
 * | `--tls-disable-host-verification` | `TEMPORAL_TLS_DISABLE_HOST_VERIFICATION` |
 * | `--profile` | `TEMPORAL_PROFILE` (`TEMPORAL_CONFIG_FILE` names the profile file) |
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from '../common/run-input.js';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export interface TemporalConfig {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Everything the connection needs (TLS, API key, gRPC metadata), address included. */
  readonly connection: NativeConnectionOptions & { address: string };
}

export interface TemporalFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  profile?: string;
  apiKey?: string;
  tls?: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
  tlsDisableHostVerification?: boolean;
}

/** Each connection flag and the variable of the environment configuration it stands for. */
const FLAG_VARIABLES = {
  apiKey: 'TEMPORAL_API_KEY',
  tls: 'TEMPORAL_TLS',
  tlsCertPath: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  tlsKeyPath: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  tlsCaPath: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  tlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
  tlsDisableHostVerification: 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
} as const satisfies Partial<Record<keyof TemporalFlags, string>>;

export function resolveTemporalConfig(
  flags: TemporalFlags,
  env: Readonly<Record<string, string | undefined>>,
): TemporalConfig {
  const defined = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  // A flag wins over its variable: it is applied as that variable, so both mean exactly the same.
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag as keyof typeof FLAG_VARIABLES];
    if (value !== undefined) defined[variable] = String(value);
  }
  const profile = loadClientConnectConfig({
    ...(flags.profile ? { profile: flags.profile } : {}),
    overrideEnvVars: defined,
  });
  const address = flags.address ?? profile.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  return Object.freeze({
    address,
    namespace: flags.namespace ?? profile.namespace ?? 'default',
    taskQueue: flags.taskQueue ?? defined['CHAOSFLOW_TASK_QUEUE'] ?? DEFAULT_TASK_QUEUE,
    connection: { ...profile.connectionOptions, address },
  });
}
