/**
 * The controller's settings, from flags and environment, frozen. Every setting:
 *
 * | flag | environment | default | meaning |
 * |---|---|---|---|
 * | `--address`, `--namespace`, `--task-queue`, `--profile` | `TEMPORAL_*`, `CHAOSFLOW_TASK_QUEUE` | `127.0.0.1:7233`, `default`, `chaosflow` | Temporal, and the worker's task queue runs are started on |
 * | `--kubeconfig` | `CHAOSFLOW_KUBECONFIG` | in-cluster | the cluster whose chaosflow objects are reconciled |
 * | `--ui-url` | `CHAOSFLOW_UI_URL` | `http://localhost:8233` | base URL of the Temporal UI, for the run links in status (`none`: no link) |
 * | `--lease-namespace` | `CHAOSFLOW_LEASE_NAMESPACE` (or the pod's `POD_NAMESPACE`) | `default` | where the leader-election Lease lives |
 * | `--lease-name` | `CHAOSFLOW_LEASE_NAME` | `chaosflow-controller` | the Lease's name |
 * | `--identity` | `POD_NAME` | host name and pid | this replica's name in the Lease |
 * | `--refresh` | `CHAOSFLOW_REFRESH_MS` | `2000` | how often a running object's status is refreshed, ms |
 * | `--log-level` | `CHAOSFLOW_LOG_LEVEL` | `info` | pino level |
 * | `--metrics-address` | `CHAOSFLOW_METRICS_ADDRESS` | off | `HOST:PORT` of Prometheus `/metrics` (`controller/controller-metrics.ts`) |
 */
import { hostname } from 'node:os';
import { resolveTemporalConfig, type TemporalConfig, type TemporalFlags } from '../client/temporal-config.js';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import {
  METRICS_ADDRESS_HINT,
  parseMetricsAddress,
  type MetricsAddress,
} from '../telemetry/metrics-address.js';

export interface ControllerConfig {
  readonly temporal: TemporalConfig;
  readonly kubeconfigFile: string | undefined;
  readonly uiBaseUrl: string | undefined;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly refreshMs: number;
  readonly logLevel: string;
  /** Where `/metrics` is served; undefined: nowhere. */
  readonly metricsAddress: MetricsAddress | undefined;
}

export interface ControllerFlags extends TemporalFlags {
  kubeconfig?: string;
  uiUrl?: string;
  leaseNamespace?: string;
  leaseName?: string;
  identity?: string;
  refresh?: string;
  logLevel?: string;
  metricsAddress?: string;
}

export class ControllerConfigError extends ChaosflowError<
  'CONTROLLER_CONFIG_INVALID',
  { readonly setting: string }
> {
  static override readonly codes: readonly string[] = ['CONTROLLER_CONFIG_INVALID'];
  override readonly name = 'ControllerConfigError';
  constructor(message: string, setting: string) {
    super('CONTROLLER_CONFIG_INVALID', message, { setting });
  }
}

export function parseControllerConfig(
  flags: ControllerFlags,
  env: Readonly<Record<string, string | undefined>>,
): ControllerConfig {
  const refreshText = flags.refresh ?? env['CHAOSFLOW_REFRESH_MS'] ?? '2000';
  const refreshMs = Number(refreshText);
  if (!Number.isInteger(refreshMs) || refreshMs < 100) {
    throw new ControllerConfigError(
      `--refresh must be a whole number of milliseconds >= 100, got '${refreshText}'`,
      'refresh',
    );
  }
  const ui = flags.uiUrl ?? env['CHAOSFLOW_UI_URL'] ?? 'http://localhost:8233';
  const metricsText = flags.metricsAddress ?? (env['CHAOSFLOW_METRICS_ADDRESS'] || undefined);
  const metricsAddress = metricsText === undefined ? undefined : parseMetricsAddress(metricsText);
  if (metricsText !== undefined && !metricsAddress) {
    throw new ControllerConfigError(
      `--metrics-address ${METRICS_ADDRESS_HINT}, got '${metricsText}'`,
      'metrics-address',
    );
  }
  return Object.freeze({
    temporal: resolveTemporalConfig(flags, env),
    kubeconfigFile: flags.kubeconfig ?? (env['CHAOSFLOW_KUBECONFIG'] || undefined),
    uiBaseUrl: ui === 'none' ? undefined : ui,
    leaseNamespace:
      flags.leaseNamespace ?? env['CHAOSFLOW_LEASE_NAMESPACE'] ?? env['POD_NAMESPACE'] ?? 'default',
    leaseName: flags.leaseName ?? env['CHAOSFLOW_LEASE_NAME'] ?? 'chaosflow-controller',
    identity: flags.identity ?? env['POD_NAME'] ?? `${hostname()}-${process.pid}`,
    refreshMs,
    logLevel: flags.logLevel ?? (env['CHAOSFLOW_LOG_LEVEL'] || 'info'),
    metricsAddress,
  });
}
