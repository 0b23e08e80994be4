import { type NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ChaosflowActivities } from '../activities/contract.js';

export interface ChaosflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ChaosflowActivities;
  bundle: WorkflowBundleWithSourceMap;
  /** Time given to running inject/recover calls on shutdown before they are cancelled. Default 30 s. */
  shutdownGraceMs?: number;
}

/** The chaosflow Temporal worker: the interpreter workflows and the activities, on one task queue. */
export async function createChaosflowWorker(options: ChaosflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.bundle,
    activities: { ...options.activities },
    shutdownGraceTime: options.shutdownGraceMs ?? 30_000,
  });
}
