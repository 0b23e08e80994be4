/**
 * Activity stubs with explicit timeouts and retry policies (Temporal retries activities forever by default).
 * One stub per policy; the interpreter never calls `proxyActivities` elsewhere.
 */
import {
  ActivityCancellationType,
  proxyActivities,
  workflowInfo,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { ChaosflowActivities } from '../activities/contract.js';
import { clusterTaskQueue } from '../common/cluster-task-queue.js';
import { NON_RETRYABLE_FAILURE_TYPES } from '../common/failure-types.js';
import type { PlanNotification, PlanStopCondition } from '../common/plan.js';

const NON_RETRYABLE = [...NON_RETRYABLE_FAILURE_TYPES];

const RESOLVE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};
export const { resolveTargets } = proxyActivities<ChaosflowActivities>(RESOLVE_OPTIONS);

const INJECT_RETRY = {
  initialInterval: '1s',
  maximumInterval: '10s',
  maximumAttempts: 5,
  nonRetryableErrorTypes: NON_RETRYABLE,
};

/**
 * Daemon calls carry a 60 s deadline; a batch of targets on one daemon runs in parallel inside the activity.
 * Runs started before `INJECT_AWAITS_CANCELLATION` keep this stub (their histories say so).
 */
export const { injectFaults } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '90s',
  retry: INJECT_RETRY,
});

/** The patch id under which the ledger uses `injectFaultsAwaited`. */
export const INJECT_AWAITS_CANCELLATION = 'chaosflow-inject-awaits-cancellation';

/**
 * The inject of every newer run: cancelling it (an abort, a halt, a deadline) waits until the activity has
 * really ended, so the recover that follows cannot reach the daemon or the target's entity before a call the
 * inject still had under way (the campaign saw such a late inject leave a partition behind). The activity
 * heartbeats (activities/heartbeating.ts), so a worker that died under it is noticed after the heartbeat timeout,
 * not the 90 s.
 */
const INJECT_AWAITED_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '90s',
  heartbeatTimeout: '10s',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: INJECT_RETRY,
};
export const { injectFaults: injectFaultsAwaited } =
  proxyActivities<ChaosflowActivities>(INJECT_AWAITED_OPTIONS);

/**
 * Bounded per call; the workflow's recovery loop retries forever with its own backoff and reports
 * RecoveryFailed meanwhile, so a recover is never given up silently.
 */
const RECOVER_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '90s',
  // It heartbeats (activities/heartbeating.ts): a worker lost mid-recover is retried after 10 s, not 90 s.
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '1s',
    maximumInterval: '10s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};
export const { recoverFaults } = proxyActivities<ChaosflowActivities>(RECOVER_OPTIONS);

/** A probe that fails is a result, not an error: one attempt. Call sites add their summary (`executeWithOptions`). */
export function probeStub(
  timeoutSeconds: number,
): Pick<ActivityInterfaceFor<ChaosflowActivities>, 'probeHttp' | 'runProbe'> {
  return proxyActivities<ChaosflowActivities>({
    startToCloseTimeout: `${timeoutSeconds + 10}s`,
    retry: { maximumAttempts: 1 },
  });
}

/**
 * A task runs at most once per node attempt (side effects; Chaos Mesh #4878): no activity retries; a worker crash
 * is noticed by the heartbeat timeout and fails the attempt, which the node's `retry` may re-run on purpose.
 */
export const { runTask } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '15s',
  retry: { maximumAttempts: 1 },
});

/**
 * A stop condition's watch runs as long as the run and heartbeats after every reading: the heartbeat timeout
 * (two intervals and a margin) notices a lost worker, and the watch starts again, forever, until the run cancels it.
 */
export function stopConditionStub(
  condition: PlanStopCondition,
): Pick<ChaosflowActivities, 'watchStopCondition'> {
  return proxyActivities<ChaosflowActivities>({
    startToCloseTimeout: '1d',
    heartbeatTimeout: `${Math.max(30_000, 2 * condition.intervalMs + 10_000)}ms`,
    retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

/** A webhook gets the notification's attempts, each bounded by its timeout, with backoff from 1 s doubling. */
export function notifyStub(notification: PlanNotification): Pick<ChaosflowActivities, 'notify'> {
  return proxyActivities<ChaosflowActivities>({
    startToCloseTimeout: `${notification.timeoutMs + 5_000}ms`,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: notification.attempts,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
}

/**
 * The janitor's read of a closed run: a query replayed by a worker, so it may wait for one; retried without
 * limit (the janitor has nothing else to do until it knows what to recover).
 */
export const { readOrphan } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * The renewal of the agents' leases runs as long as the run holds faults and heartbeats every round (at most
 * 5 s apart): a lost worker is noticed within the heartbeat timeout and the renewal starts again elsewhere,
 * well within the agents' default 60 s lease. It retries without limit until the run cancels it.
 */
const HOLD_LEASES_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '3650d',
  heartbeatTimeout: '15s',
  retry: { initialInterval: '1s', maximumInterval: '5s' },
};
export const { holdFaultLeases } = proxyActivities<ChaosflowActivities>(HOLD_LEASES_OPTIONS);

/** The activities a chaos node with `remoteCluster` runs on that cluster's worker. */
export type ClusterActivities = Pick<
  ActivityInterfaceFor<ChaosflowActivities>,
  'resolveTargets' | 'injectFaults' | 'recoverFaults' | 'holdFaultLeases'
>;

/**
 * The stubs above, scheduled on cluster `cluster`'s task queue (derived from this workflow's own queue) instead
 * of this workflow's; undefined: the stubs above themselves, so plans without `remoteCluster` schedule exactly
 * the commands they always did. No schedule-to-start timeout, on purpose: while the cluster has no worker its
 * activities wait for one (`chaosflow get` shows the cluster), and never run on another cluster's worker.
 * (Inject is the awaited stub: every run that can name a cluster is newer than `INJECT_AWAITS_CANCELLATION`.)
 */
export function clusterActivities(cluster: string | undefined): ClusterActivities {
  if (cluster === undefined) {
    return { resolveTargets, injectFaults: injectFaultsAwaited, recoverFaults, holdFaultLeases };
  }
  const taskQueue = clusterTaskQueue(workflowInfo().taskQueue, cluster);
  const on = (options: ActivityOptions) => proxyActivities<ChaosflowActivities>({ ...options, taskQueue });
  return {
    resolveTargets: on(RESOLVE_OPTIONS).resolveTargets,
    injectFaults: on(INJECT_AWAITED_OPTIONS).injectFaults,
    recoverFaults: on(RECOVER_OPTIONS).recoverFaults,
    holdFaultLeases: on(HOLD_LEASES_OPTIONS).holdFaultLeases,
  };
}
