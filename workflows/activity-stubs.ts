/**
 * Activity stubs with explicit timeouts and retry policies (Temporal retries activities forever by default).
 * One stub per policy; the interpreter never calls `proxyActivities` elsewhere.
 */
import { proxyActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { ChaosflowActivities } from '../activities/contract.js';
import { NON_RETRYABLE_FAILURE_TYPES } from '../common/failure-types.js';

const NON_RETRYABLE = [...NON_RETRYABLE_FAILURE_TYPES];

export const { resolveTargets } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Daemon calls carry a 60 s deadline; a batch of targets on one daemon runs in parallel inside the activity. */
export const { injectFaults } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '90s',
  retry: {
    initialInterval: '1s',
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/**
 * Bounded per call; the workflow's recovery loop retries forever with its own backoff and reports
 * RecoveryFailed meanwhile, so a recover is never given up silently.
 */
export const { recoverFaults } = proxyActivities<ChaosflowActivities>({
  startToCloseTimeout: '90s',
  retry: {
    initialInterval: '1s',
    maximumInterval: '10s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

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
