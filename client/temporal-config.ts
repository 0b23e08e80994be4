/**
 * Where Temporal is and how to reach it, for every chaosflow process (CLI, worker, controller): command-line
 * flags win over the standard Temporal environment configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE` and the `temporal.toml` profile file), which wins over
 * the embedded default (the local dev server of `chaosflow dev`).
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
}

export function resolveTemporalConfig(
  flags: TemporalFlags,
  env: Readonly<Record<string, string | undefined>>,
): TemporalConfig {
  const defined = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
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
