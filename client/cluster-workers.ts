/**
 * Whether each cluster a run names has a worker: the pollers the Temporal service has seen on the cluster's
 * activity task queue. A run's activities for a cluster without one wait (no schedule-to-start timeout), so
 * `chaosflow get` shows the cluster as waiting for its worker. The service forgets a poller a few minutes after
 * its last poll, so a worker that just died still counts for that long.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { clusterTaskQueue } from '../common/cluster-task-queue.js';
import type { RunStatus } from '../common/run-status.js';

export interface ClusterWorkers {
  cluster: string;
  taskQueue: string;
  /** Workers that polled the cluster's queue recently. */
  workers: number;
}

/** `TASK_QUEUE_TYPE_ACTIVITY`: a cluster's worker polls for activities only. */
const ACTIVITY_QUEUE = 2;

/** The clusters of the run's nodes, in node order, each once. */
export function runClusters(status: RunStatus): string[] {
  return [...new Set(Object.values(status.nodes).flatMap((n) => (n.cluster ? [n.cluster] : [])))];
}

export async function readClusterWorkers(
  handle: WorkflowHandle,
  clusters: readonly string[],
): Promise<ClusterWorkers[]> {
  if (clusters.length === 0) return [];
  const { taskQueue } = await handle.describe();
  const { workflowService, options } = handle.client;
  return Promise.all(
    clusters.map(async (cluster) => {
      const queue = clusterTaskQueue(taskQueue, cluster);
      const described = await workflowService.describeTaskQueue({
        namespace: options.namespace,
        taskQueue: { name: queue },
        taskQueueType: ACTIVITY_QUEUE,
      });
      return { cluster, taskQueue: queue, workers: described.pollers?.length ?? 0 };
    }),
  );
}
