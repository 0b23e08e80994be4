/**
 * `watchStopCondition`: one long activity per stop condition, reading it every `intervalMs` until it fires (or,
 * with `onUnavailable: Stop`, until Prometheus cannot be read), heartbeating its last reading. One activity
 * rather than one per reading keeps a long run's history small; the heartbeat timeout notices a dead worker and
 * Temporal starts the watch again elsewhere. Ends only by returning the reading that stops the run, or by
 * cancellation when the run is over.
 */
import type { PlanStopCondition } from '../../common/plan.js';
import type { StopConditionCheck } from '../contract.js';
import { checkStopCondition } from './check-stop-condition.js';

export async function watchStopCondition(
  condition: PlanStopCondition,
  defaultEndpoint: string | undefined,
  signal: AbortSignal,
  heartbeat: (details: { checks: number; last: StopConditionCheck }) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<StopConditionCheck> {
  for (let checks = 1; ; checks++) {
    const check = await checkStopCondition(condition, defaultEndpoint, signal);
    if (check.fired || (check.unavailable && condition.onUnavailable === 'Stop')) return check;
    heartbeat({ checks, last: check });
    await sleep(condition.intervalMs);
  }
}
