/**
 * The run's stop conditions, watched beside the experiment: one `watchStopCondition` activity each, in a scope
 * of their own that the run cancels when the experiment is over. The first condition to fire aborts the run,
 * recording which in `status.stoppedBy`; the abort then recovers every fault as any abort does.
 */
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { stopConditionStub } from './activity-stubs.js';
import type { RunContext } from './run-context.js';

/** Starts the watches; the returned function stops them. */
export function watchStopConditions(run: RunContext): () => void {
  const conditions = run.plan.stopConditions ?? [];
  if (conditions.length === 0) return () => undefined;
  const scope = new CancellationScope();
  for (const condition of conditions) {
    const { watchStopCondition } = stopConditionStub(condition);
    scope
      .run(() => watchStopCondition({ condition }))
      .then(
        (check) => run.stopBy(condition.name, check.at, check.detail),
        (err: unknown) => {
          // Cancelled: the run is over. The watch retries without limit, so anything else is a non-retryable
          // worker-side bug; the run goes on without this watch rather than fail, and logs it.
          if (isCancellation(err)) return;
          log.error(`stop condition ${condition.name} is no longer watched: ${errorMessage(err)}`);
        },
      );
  }
  return () => scope.cancel();
}
