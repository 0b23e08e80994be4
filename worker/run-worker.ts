/**
 * The worker's composition root: logger, Temporal runtime and connections, search attributes, the workflow
 * bundle, the daemon client pool, the metrics and the activities, wired once. `startWorker` returns once the
 * worker polls; `stop()` (or SIGINT/SIGTERM, which the Temporal runtime turns into a shutdown) lets running
 * activities finish within the grace period, then closes everything, the metrics endpoint last.
 *
 * Metrics (`--metrics-address`): chaosflow's registry and, proxied into the same `/metrics`, the Temporal SDK's
 * own worker metrics. The SDK's exporter is part of its process-wide runtime; it binds a free 127.0.0.1 port
 * that only this process reads, with Prometheus conventions (`_total` counters, durations in `_seconds`).
 * When the runtime was installed before the worker (the worker embedded in another program), the SDK's part
 * is missing and a warning says so.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ActivityDeps } from '../activities/create-activities.js';
import { createActivities } from '../activities/create-activities.js';
import { DaemonClientPool } from '../activities/daemon/daemon-client-pool.js';
import { registerSearchAttributes } from '../client/search-attribute-registration.js';
import { freePort } from '../embedded/free-port.js';
import { createMetricRegistry } from '../telemetry/metric-registry.js';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server.js';
import { createWorkerMetrics, type WorkerMetrics } from '../telemetry/worker-metrics.js';
import type { WorkerConfig } from './config.js';
import { createChaosflowWorker } from './create-worker.js';
import { startJanitorScan } from './janitor-scan.js';
import { temporalLogger } from './temporal-logger.js';
import { bundleWorkflows } from './workflow-bundle.js';
import { taskQueueFor } from '../common/cluster-task-queue.js';

export interface DepsContext {
  config: WorkerConfig;
  client: Client;
  pool: DaemonClientPool;
  logger: Logger;
  metrics: WorkerMetrics;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped (after `stop()` or a signal). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** The `/metrics` URL, when `metricsAddress` is set. */
  readonly metricsUrl: string | undefined;
}

export interface StartWorkerOptions {
  /** The registry to add the worker's metrics to (the embedded stack shares one with its agent). */
  registry?: Registry;
}

export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  buildDeps: (context: DepsContext) => ActivityDeps,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  let sdkMetricsUrl: string | undefined;
  if (Runtime._instance === undefined) {
    const sdkMetrics = config.metricsAddress ? `127.0.0.1:${await freePort()}` : undefined;
    Runtime.install({
      logger: temporalLogger(logger),
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
        ...(sdkMetrics
          ? {
              metrics: {
                prometheus: {
                  bindAddress: sdkMetrics,
                  countersTotalSuffix: true,
                  unitSuffix: true,
                  useSecondsForDurations: true,
                },
              },
            }
          : {}),
      },
    });
    if (sdkMetrics) sdkMetricsUrl = `http://${sdkMetrics}/metrics`;
  } else if (config.metricsAddress) {
    logger.warn(
      "Temporal SDK metrics not served: this process installed the SDK's runtime before the worker",
    );
  }
  const registry =
    options.registry ?? createMetricRegistry({ processMetrics: config.metricsAddress !== undefined });
  const metrics = createWorkerMetrics(registry);
  let metricsServer: MetricsServer | undefined;
  if (config.metricsAddress) {
    metricsServer = await startMetricsServer({
      address: config.metricsAddress,
      registry,
      ...(sdkMetricsUrl ? { upstream: sdkMetricsUrl } : {}),
      logger,
    });
  }
  try {
    return await startPolling(config, logger, buildDeps, metrics, metricsServer);
  } catch (err) {
    await metricsServer?.close();
    throw err;
  }
}

async function startPolling(
  config: WorkerConfig,
  logger: Logger,
  buildDeps: (context: DepsContext) => ActivityDeps,
  metrics: WorkerMetrics,
  metricsServer: MetricsServer | undefined,
): Promise<RunningWorker> {
  const { temporal } = config;
  const connection = await Connection.connect(temporal.connection);
  const nativeConnection = await NativeConnection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  if (config.registerSearchAttributes) {
    const added = await registerSearchAttributes(connection, temporal.namespace);
    if (added.length) logger.info({ added }, 'registered search attributes');
  }
  const pool = new DaemonClientPool({ defaultDeadlineMs: config.daemonTimeoutMs });
  // A cluster's worker polls its cluster's queue for activities only; the control plane's runs the workflows.
  const taskQueue = taskQueueFor(temporal.taskQueue, config.cluster);
  const worker = await createChaosflowWorker({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    activities: createActivities(buildDeps({ config, client, pool, logger, metrics })),
    ...(config.cluster ? {} : { bundle: await bundleWorkflows() }),
    shutdownGraceMs: config.shutdownGraceMs,
    runs: metrics.runs,
  });
  logger.info(
    {
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue,
      ...(config.cluster ? { cluster: config.cluster } : {}),
    },
    config.cluster ? 'cluster worker started (activities only)' : 'worker started',
  );
  const running = worker.run();
  const janitor = startJanitorScan({
    client,
    taskQueue: temporal.taskQueue,
    intervalMs: config.janitorIntervalMs,
    logger: logger.child({ component: 'janitor' }),
  });
  const done = running.finally(async () => {
    await janitor.stop();
    pool.close();
    await nativeConnection.close();
    await connection.close();
    await metricsServer?.close();
    logger.info('worker stopped');
  });
  return {
    done,
    metricsUrl: metricsServer?.url,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
