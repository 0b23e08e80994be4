/**
 * The agents' leases on the run's faults (docs/design.md §4, layer 5): while the run may hold faults, one
 * `holdFaultLeases` activity renews them (it asks the run what it still holds each round). It runs in a scope
 * shielded from the run's own cancellation, so that renewals go on while the ledger drains after an abort or a
 * cancel, and the run stops it once the ledger is drained. Runs started before leases existed do not start it
 * (the `agent-leases` patch), so their histories replay unchanged.
 */
import { CancellationScope, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { clusterActivities } from './activity-stubs.js';
import type { RunContext } from './run-context.js';

export const AGENT_LEASES_PATCH = 'agent-leases';

/**
 * Starts the renewal when the plan has chaos: one activity per cluster its chaos nodes name (on that cluster's
 * worker, which reaches its agents), and one on this workflow's queue for chaos of no cluster (the only one of
 * every plan without `remoteCluster`). The returned function stops them.
 */
export function renewFaultLeases(run: RunContext): () => void {
  const chaos = Object.values(run.plan.templates).filter((t) => t.type === 'Chaos');
  if (chaos.length === 0) return () => undefined;
  if (!patched(AGENT_LEASES_PATCH)) return () => undefined;
  const shield = new CancellationScope({ cancellable: false });
  const scope = new CancellationScope({ cancellable: true, parent: shield });
  const { workflowId, runId } = workflowInfo();
  for (const cluster of new Set(chaos.map((t) => t.chaos.remoteCluster))) {
    const { holdFaultLeases } = clusterActivities(cluster);
    scope
      .run(() => holdFaultLeases({ workflowId, runId, ...(cluster ? { cluster } : {}) }))
      .catch((err: unknown) => {
        if (isCancellation(err)) return;
        log.error(`the agents' leases on this run's faults are no longer renewed: ${errorMessage(err)}`, {
          ...(cluster ? { cluster } : {}),
        });
      });
  }
  return () => scope.cancel();
}
