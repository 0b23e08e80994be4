/**
 * What became of a run that closed without draining its ledger (terminated, timed out): its janitor's status, read
 * from outside the worker. Undefined for a run that closed any other way.
 */
import { WorkflowNotFoundError, type WorkflowClient } from '@temporalio/client';
import { janitorWorkflowId, orphanCloseStatus, type OrphanRecovery } from '../common/orphan-recovery.js';
import type { chaosflowJanitor } from '../workflows/janitor-workflow.js';
import { janitorStatusQuery } from '../workflows/messages.js';

export async function readOrphanRecovery(
  workflows: WorkflowClient,
  orphan: { workflowId: string; runId: string; status: string; closedAt: Date | undefined },
): Promise<OrphanRecovery | undefined> {
  const closedAs = orphanCloseStatus(orphan.status);
  if (!closedAs) return undefined;
  const janitor = workflows.getHandle<typeof chaosflowJanitor>(janitorWorkflowId(orphan.runId));
  try {
    const description = await janitor.describe();
    return description.status.name === 'RUNNING'
      ? await janitor.query(janitorStatusQuery)
      : await janitor.result();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // Not found yet: the janitor scan has not reached it (or no worker scans: --janitor-interval 0).
    return {
      orphan: {
        workflowId: orphan.workflowId,
        runId: orphan.runId,
        closedAs,
        closedAt: (orphan.closedAt ?? new Date()).toISOString(),
      },
      janitorWorkflowId: janitor.workflowId,
      phase: 'Orphaned',
      startedAt: '',
      faults: [],
      leftToCurrentRun: 0,
      errors: ['no janitor has started yet: a worker scans every --janitor-interval'],
    };
  }
}
