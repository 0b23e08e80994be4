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
  /** The workflows; absent: an activities-only worker (a cluster's, `--cluster`). */
  bundle?: WorkflowBundleWithSourceMap;
  /** Time given to running inject/recover calls on shutdown before they are cancelled. Default 30 s. */
  shutdownGraceMs?: number;
  /** Where the runs this worker completes are counted by final phase; default nowhere. */
  runs?: RunMetrics;
  /** Activities this worker runs at once; default `ACTIVITY_SLOTS`. */
  maxConcurrentActivities?: number;
}

/**
 * Activities one worker runs at once. Not the SDK's default of 100: every run that holds faults keeps one
 * `holdFaultLeases` activity open for its whole length, so 100 runs on one worker took every slot and their
 * injects and recovers could never start (a halt of 50 runs already waited seconds for slots). chaosflow's
 * activities wait on the network almost all the time, so a worker can hold thousands; past this many runs per
 * worker, add workers.
 */
export const ACTIVITY_SLOTS = 2_000;

/**
 * The chaosflow Temporal worker: the interpreter workflows and the activities, on one task queue; or, without a
 * bundle, the activities only (a cluster's worker, on its cluster's queue).
 */
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
    ...(options.bundle ? { workflowBundle: options.bundle, sinks } : {}),
    activities: { ...options.activities },
    shutdownGraceTime: options.shutdownGraceMs ?? 30_000,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? ACTIVITY_SLOTS,
  });
}
