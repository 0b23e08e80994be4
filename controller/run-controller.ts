/**
 * The controller's composition root: the Kubernetes client, the Temporal client, the informers of every kind,
 * the work queue and the leader election, wired once. Every replica keeps its caches warm; only the leader
 * works the queue. `stop()` (SIGINT/SIGTERM in `chaosflow controller`) stops taking work, lets the keys in
 * progress finish, gives the Lease up and closes the connections and the metrics endpoint.
 */
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { loadKubeConfig } from '../activities/kubernetes/kube-config.js';
import { createMetricRegistry } from '../telemetry/metric-registry.js';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server.js';
import type { ControllerConfig } from './config.js';
import { ControllerMetrics } from './controller-metrics.js';
import { ObjectInformers } from './informers.js';
import { KubeWriter } from './kube-writer.js';
import { LeaderElector } from './leader-election.js';
import { Reconciler } from './reconciler.js';
import { RESOURCES } from './resource-kinds.js';
import { TemporalRuns } from './temporal-runs.js';
import { WorkQueue } from './work-queue.js';

export interface RunningController {
  readonly done: Promise<void>;
  /** True while this replica leads. */
  readonly leading: () => boolean;
  stop(): Promise<void>;
}

/** Keys worked on at once. */
const CONCURRENCY = 4;

export async function startController(config: ControllerConfig, logger: Logger): Promise<RunningController> {
  const kubeConfig = loadKubeConfig(config.kubeconfigFile);
  const connection = await Connection.connect(config.temporal.connection);
  const client = new Client({ connection, namespace: config.temporal.namespace });

  // The informers feed the queue, which works through the reconciler, which reads the informers' caches.
  const queued: { work?: WorkQueue } = {};
  const informers = new ObjectInformers(kubeConfig, RESOURCES, (key) => queued.work?.add(key), logger);
  const reconciler = new Reconciler(
    informers,
    new KubeWriter(kubeConfig, logger),
    new TemporalRuns(client, config.temporal.taskQueue),
    client,
    {
      taskQueue: config.temporal.taskQueue,
      temporalNamespace: config.temporal.namespace,
      uiBaseUrl: config.uiBaseUrl,
      refreshMs: config.refreshMs,
      scheduleRefreshMs: Math.max(config.refreshMs, 10_000),
    },
    logger,
  );
  const leader: { elector?: LeaderElector } = {};
  const metrics = new ControllerMetrics(
    createMetricRegistry({ processMetrics: config.metricsAddress !== undefined }),
    () => leader.elector?.leading ?? false,
  );
  const work = new WorkQueue(
    metrics.timed((key) => reconciler.reconcile(key)),
    CONCURRENCY,
    (key, err) => logger.warn({ err, key }, 'reconcile failed; retrying'),
  );
  queued.work = work;
  await informers.start();

  const elector = new LeaderElector({
    kubeConfig,
    namespace: config.leaseNamespace,
    name: config.leaseName,
    identity: config.identity,
    leaseDurationMs: 15_000,
    renewMs: 2_000,
    logger,
    onStartedLeading: () => {
      for (const key of informers.keys()) work.add(key);
      work.start();
    },
    onStoppedLeading: () => work.pause(),
  });
  leader.elector = elector;
  let metricsServer: MetricsServer | undefined;
  if (config.metricsAddress) {
    try {
      metricsServer = await startMetricsServer({
        address: config.metricsAddress,
        registry: metrics.registry,
        logger,
      });
    } catch (err) {
      await informers.stop();
      await connection.close();
      throw err;
    }
  }
  elector.start();
  logger.info(
    {
      identity: config.identity,
      temporal: config.temporal.address,
      lease: `${config.leaseNamespace}/${config.leaseName}`,
    },
    'controller started',
  );

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let stopping: Promise<void> | undefined;
  return {
    done,
    leading: () => elector.leading,
    stop() {
      stopping ??= (async () => {
        work.pause();
        await work.idle();
        work.stop();
        await elector.stop();
        await informers.stop();
        await connection.close();
        await metricsServer?.close();
        logger.info('controller stopped');
        resolveDone();
      })();
      return stopping;
    },
  };
}
