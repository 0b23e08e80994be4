/**
 * The worker's settings, from flags and environment, frozen. Every setting:
 *
 * | flag | environment | default | meaning |
 * |---|---|---|---|
 * | `--address`, `--namespace`, `--profile` | `TEMPORAL_*` (standard Temporal client configuration) | `127.0.0.1:7233`, `default` | the Temporal server |
 * | `--task-queue` | `CHAOSFLOW_TASK_QUEUE` | `chaosflow` | the task queue runs are started on |
 * | `--cluster` | `CHAOSFLOW_CLUSTER` | — | this worker serves one cluster of many: it runs activities only, on that cluster's queue (`<task-queue>-cluster-<NAME>`, `common/cluster-task-queue.ts`), for chaos nodes with `remoteCluster: NAME`; no workflows and no janitor scan (the control plane's workers run those). NAME is a DNS label |
 * | `--inventory` | `CHAOSFLOW_INVENTORY` | — | host inventory file: where targets and their agents are (host mode) |
 * | `--kubeconfig` | `CHAOSFLOW_KUBECONFIG` | in-cluster when in a pod | Kubernetes mode: targets are the cluster's pods (used when no inventory is given) |
 * | `--daemon-tls-dir` | `CHAOSFLOW_DAEMON_TLS_DIR` | — | Kubernetes mode: `ca.crt`, `tls.crt`, `tls.key` for mutual TLS to every daemon (a mounted Secret); without it, plaintext |
 * | `--daemon-selector` | `CHAOSFLOW_DAEMON_SELECTORS` (comma-separated) | Chaos Mesh's chaos-daemon and chaosflow's agent | Kubernetes mode: label selectors of daemon pods |
 * | `--namespace-filter` | `CHAOSFLOW_NAMESPACE_FILTER=true` | off | Kubernetes mode: only namespaces annotated `chaos-mesh.org/inject=enabled` |
 * | `--pause-image` | `CHAOSFLOW_PAUSE_IMAGE` | `gcr.io/google-containers/pause:latest` | Kubernetes mode: the image pod-failure switches containers to |
 * | `--prometheus-url` | `CHAOSFLOW_PROMETHEUS_URL` | — | the Prometheus of Prometheus probes and stop conditions that name no endpoint |
 * | `--dns-server` | `CHAOSFLOW_DNS_SERVER` | — | Chaos Mesh DNS server address, for DNSChaos |
 * | `--daemon-timeout` | `CHAOSFLOW_DAEMON_TIMEOUT_MS` | `60000` | deadline of each daemon call, ms |
 * | `--shutdown-grace` | `CHAOSFLOW_SHUTDOWN_GRACE_MS` | `30000` | time running activities get on SIGINT/SIGTERM, ms |
 * | `--janitor-interval` | `CHAOSFLOW_JANITOR_INTERVAL_MS` | `5000` | how often the janitor looks for terminated and timed-out runs to recover, ms (`0`: this worker does not look) |
 * | `--log-level` | `CHAOSFLOW_LOG_LEVEL` | `info` | pino level |
 * | `--metrics-address` | `CHAOSFLOW_METRICS_ADDRESS` | off | `HOST:PORT` of `/metrics`: chaosflow's metrics and the Temporal SDK's (`telemetry/`) |
 * | `--register-search-attributes` | — | true | register chaosflow's search attributes on the server at start |
 * | `--run-as` | `CHAOSFLOW_RUN_AS` | `nobody` when the worker is root, else the worker's own user | user that host-mode Tasks and Command probes run as: a name, uid or uid:gid (`activities/tasks/run-as.ts`) |
 */
import { clusterNameProblem } from '../common/cluster-task-queue.js';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import type { TemporalConfig, TemporalFlags } from '../client/temporal-config.js';
import { resolveTemporalConfig } from '../client/temporal-config.js';
import { inCluster } from '../activities/kubernetes/kube-config.js';
import { resolveRunAs, RunAsError, type RunAsUser } from '../activities/tasks/run-as.js';
import { userInfo } from 'node:os';
import {
  METRICS_ADDRESS_HINT,
  parseMetricsAddress,
  type MetricsAddress,
} from '../telemetry/metrics-address.js';

export interface WorkerConfig {
  readonly temporal: TemporalConfig;
  /** The cluster this worker serves (`--cluster`): activities only, on its queue; undefined: the control plane. */
  readonly cluster: string | undefined;
  readonly inventoryFile: string | undefined;
  /** Where targets come from when no inventory is given; undefined: none. */
  readonly kubernetes: KubernetesWorkerConfig | undefined;
  readonly dnsServer: string | undefined;
  readonly prometheusUrl: string | undefined;
  readonly daemonTimeoutMs: number;
  readonly shutdownGraceMs: number;
  /** 0: this worker runs no janitor scan (another must, or orphans stay injected). */
  readonly janitorIntervalMs: number;
  readonly logLevel: string;
  readonly registerSearchAttributes: boolean;
  /** The user host-mode Tasks and Command probes run as (`--run-as`, resolved; see `run-as.ts`). */
  readonly runAs: RunAsUser;
  /** Where `/metrics` is served; undefined: no metrics endpoint. */
  readonly metricsAddress: MetricsAddress | undefined;
}

export interface KubernetesWorkerConfig {
  /** The kubeconfig file; undefined: the in-cluster service account. */
  readonly kubeconfigFile: string | undefined;
  readonly daemonTlsDir: string | undefined;
  readonly daemonSelectors: readonly string[] | undefined;
  readonly namespaceFilter: boolean;
  readonly pauseImage: string | undefined;
}

export interface WorkerFlags extends TemporalFlags {
  cluster?: string;
  inventory?: string;
  kubeconfig?: string;
  daemonTlsDir?: string;
  daemonSelector?: string[];
  namespaceFilter?: boolean;
  pauseImage?: string;
  dnsServer?: string;
  prometheusUrl?: string;
  daemonTimeout?: string;
  shutdownGrace?: string;
  janitorInterval?: string;
  logLevel?: string;
  registerSearchAttributes?: boolean;
  runAs?: string;
  metricsAddress?: string;
}

export class WorkerConfigError extends ChaosflowError<
  'WORKER_CONFIG_INVALID',
  { readonly setting?: string }
> {
  static override readonly codes: readonly string[] = ['WORKER_CONFIG_INVALID'];
  override readonly name = 'WorkerConfigError';
  constructor(message: string, context: { readonly setting?: string } = {}) {
    super('WORKER_CONFIG_INVALID', message, context);
  }
}

export function parseWorkerConfig(
  flags: WorkerFlags,
  env: Readonly<Record<string, string | undefined>>,
): WorkerConfig {
  const ms = (flag: string | undefined, name: string, fallback: number): number => {
    const text = flag ?? env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
      throw new WorkerConfigError(
        `${flag === undefined ? name : 'the flag'} must be a whole number of milliseconds, got '${text}'`,
      );
    }
    return value;
  };
  const cluster = clusterName(flags.cluster ?? (env['CHAOSFLOW_CLUSTER'] || undefined));
  return Object.freeze({
    temporal: resolveTemporalConfig(flags, env),
    cluster,
    inventoryFile: flags.inventory ?? (env['CHAOSFLOW_INVENTORY'] || undefined),
    kubernetes: kubernetesConfig(flags, env),
    dnsServer: flags.dnsServer ?? (env['CHAOSFLOW_DNS_SERVER'] || undefined),
    prometheusUrl: httpUrl(flags.prometheusUrl ?? (env['CHAOSFLOW_PROMETHEUS_URL'] || undefined)),
    daemonTimeoutMs: ms(flags.daemonTimeout, 'CHAOSFLOW_DAEMON_TIMEOUT_MS', 60_000),
    shutdownGraceMs: ms(flags.shutdownGrace, 'CHAOSFLOW_SHUTDOWN_GRACE_MS', 30_000),
    // A cluster's worker runs no workflows, so no janitor either (it would start them on the control plane).
    janitorIntervalMs: cluster ? 0 : ms(flags.janitorInterval, 'CHAOSFLOW_JANITOR_INTERVAL_MS', 5_000),
    logLevel: flags.logLevel ?? (env['CHAOSFLOW_LOG_LEVEL'] || 'info'),
    registerSearchAttributes: flags.registerSearchAttributes ?? true,
    runAs: runAsUser(flags.runAs ?? (env['CHAOSFLOW_RUN_AS'] || undefined)),
    metricsAddress: metricsAddress(flags.metricsAddress ?? (env['CHAOSFLOW_METRICS_ADDRESS'] || undefined)),
  });
}

/** `--cluster`: a DNS label, or a setting error saying what one is. */
function clusterName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const problem = clusterNameProblem(name);
  if (problem)
    throw new WorkerConfigError(`--cluster (CHAOSFLOW_CLUSTER): ${problem}`, { setting: 'cluster' });
  return name;
}

/** `--run-as` for the user this worker runs as; a setting error (before anything connects) when unusable. */
function runAsUser(setting: string | undefined): RunAsUser {
  const me = userInfo();
  try {
    return Object.freeze(resolveRunAs(setting, { uid: me.uid, gid: me.gid, home: me.homedir }));
  } catch (err) {
    if (err instanceof RunAsError) throw new WorkerConfigError(err.message, { setting: 'run-as' });
    throw err;
  }
}

function metricsAddress(text: string | undefined): MetricsAddress | undefined {
  if (text === undefined) return undefined;
  const address = parseMetricsAddress(text);
  if (!address) {
    throw new WorkerConfigError(`--metrics-address ${METRICS_ADDRESS_HINT}, got '${text}'`, {
      setting: 'metrics-address',
    });
  }
  return address;
}

/** An http(s) URL, or a setting error naming the fix. */
function httpUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WorkerConfigError(
      `--prometheus-url must be an http(s) URL such as http://prometheus:9090/, got '${text}'`,
      { setting: 'prometheus-url' },
    );
  }
  return url.href;
}

function kubernetesConfig(
  flags: WorkerFlags,
  env: Readonly<Record<string, string | undefined>>,
): KubernetesWorkerConfig | undefined {
  const kubeconfigFile = flags.kubeconfig ?? (env['CHAOSFLOW_KUBECONFIG'] || undefined);
  if (!kubeconfigFile && !inCluster(env)) return undefined;
  const selectors = flags.daemonSelector ?? env['CHAOSFLOW_DAEMON_SELECTORS']?.split(',').filter(Boolean);
  const filter = env['CHAOSFLOW_NAMESPACE_FILTER'];
  if (filter !== undefined && filter !== 'true' && filter !== 'false') {
    throw new WorkerConfigError(`CHAOSFLOW_NAMESPACE_FILTER must be true or false, got '${filter}'`, {
      setting: 'CHAOSFLOW_NAMESPACE_FILTER',
    });
  }
  return Object.freeze({
    kubeconfigFile,
    daemonTlsDir: flags.daemonTlsDir ?? (env['CHAOSFLOW_DAEMON_TLS_DIR'] || undefined),
    daemonSelectors: selectors && selectors.length > 0 ? Object.freeze([...selectors]) : undefined,
    namespaceFilter: flags.namespaceFilter ?? filter === 'true',
    pauseImage: flags.pauseImage ?? (env['CHAOSFLOW_PAUSE_IMAGE'] || undefined),
  });
}
