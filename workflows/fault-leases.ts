/**
 * The agents' leases on the run's faults (docs/design.md §4, layer 5): while the run may hold faults, one
 * `holdFaultLeases` activity renews them (it asks the run what it still holds each round). It runs in a scope
 * shielded from the run's own cancellation, so that renewals go on while the ledger drains after an abort or a
 * cancel, and the run stops it once the ledger is drained. Runs started before leases existed do not start it
 * (the `agent-leases` patch), so their histories replay unchanged.
 */
import { CancellationScope, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { holdFaultLeases } from './activity-stubs.js';
import type { RunContext } from './run-context.js';

export const AGENT_LEASES_PATCH = 'agent-leases';

/** Starts the renewal when the plan has chaos; the returned function stops it. */
export function renewFaultLeases(run: RunContext): () => void {
  if (!Object.values(run.plan.templates).some((t) => t.type === 'Chaos')) return () => undefined;
  if (!patched(AGENT_LEASES_PATCH)) return () => undefined;
  const shield = new CancellationScope({ cancellable: false });
  const scope = new CancellationScope({ cancellable: true, parent: shield });
  const { workflowId, runId } = workflowInfo();
  scope
    .run(() => holdFaultLeases({ workflowId, runId }))
    .catch((err: unknown) => {
      if (isCancellation(err)) return;
      log.error(`the agents' leases on this run's faults are no longer renewed: ${errorMessage(err)}`);
    });
  return () => scope.cancel();
}
