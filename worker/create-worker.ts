import {
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
  type InjectedSinks,
} from '@temporalio/worker';
import type { ChaosflowActivities } from '../activities/contract.js';
import type { RunMetrics } from '../telemetry/run-metrics.js';
import type { RunFinishedSinks } from '../workflows/run-finished-interceptor.js';

export interface ChaosflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ChaosflowActivities;
  bundle: WorkflowBundleWithSourceMap;
  /** Time given to running inject/recover calls on shutdown before they are cancelled. Default 30 s. */
  shutdownGraceMs?: number;
  /** Where the runs this worker completes are counted by final phase; default nowhere. */
  runs?: RunMetrics;
}

/** The chaosflow Temporal worker: the interpreter workflows and the activities, on one task queue. */
export async function createChaosflowWorker(options: ChaosflowWorkerOptions): Promise<Worker> {
  const sinks: InjectedSinks<RunFinishedSinks> = {
    chaosflowRuns: {
      finished: { fn: (_info, phase) => options.runs?.finished(phase), callDuringReplay: false },
    },
  };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.bundle,
    activities: { ...options.activities },
    sinks,
    shutdownGraceTime: options.shutdownGraceMs ?? 30_000,
  });
}
