/**
 * The worker's composition root: logger, Temporal runtime and connections, search attributes, the workflow
 * bundle, the daemon client pool and the activities, wired once. `startWorker` returns once the worker polls;
 * `stop()` (or SIGINT/SIGTERM, which the Temporal runtime turns into a shutdown) lets running activities finish
 * within the grace period, then closes everything.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities/create-activities.js';
import { createActivities } from '../activities/create-activities.js';
import { DaemonClientPool } from '../activities/daemon/daemon-client-pool.js';
import { registerSearchAttributes } from '../client/search-attribute-registration.js';
import type { WorkerConfig } from './config.js';
import { createChaosflowWorker } from './create-worker.js';
import { startJanitorScan } from './janitor-scan.js';
import { temporalLogger } from './temporal-logger.js';
import { bundleWorkflows } from './workflow-bundle.js';

export interface DepsContext {
  config: WorkerConfig;
  client: Client;
  pool: DaemonClientPool;
  logger: Logger;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped (after `stop()` or a signal). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  buildDeps: (context: DepsContext) => ActivityDeps,
): Promise<RunningWorker> {
  if (Runtime._instance === undefined) {
    Runtime.install({
      logger: temporalLogger(logger),
      telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    });
  }
  const { temporal } = config;
  const connection = await Connection.connect(temporal.connection);
  const nativeConnection = await NativeConnection.connect(temporal.connection);
  const client = new Client({ connection, namespace: temporal.namespace });
  if (config.registerSearchAttributes) {
    const added = await registerSearchAttributes(connection, temporal.namespace);
    if (added.length) logger.info({ added }, 'registered search attributes');
  }
  const pool = new DaemonClientPool({ defaultDeadlineMs: config.daemonTimeoutMs });
  const worker = await createChaosflowWorker({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    activities: createActivities(buildDeps({ config, client, pool, logger })),
    bundle: await bundleWorkflows(),
    shutdownGraceMs: config.shutdownGraceMs,
  });
  logger.info(
    { address: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue },
    'worker started',
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
    logger.info('worker stopped');
  });
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
