/**
 * `chaosflowJanitor`: recovers what one closed run left injected (docs/design.md §4, layer 4). The worker's
 * janitor scan starts one per terminated or timed-out run, under an id derived from that run's Temporal run id,
 * so each orphan is handled once however many workers scan. It reads the orphan's unrecovered ledger records,
 * adopts them into a ledger of its own under the orphan's run reference (the fault keys, and so the per-target
 * state fragments, are the orphan's) and drains it as the run would have: newest first, retrying with backoff
 * while a recover fails, never giving up. Being a workflow, it survives a crash of the worker running it; a
 * fault recovered twice is harmless.
 */
import { setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OrphanPhase, OrphanRecovery, OrphanRef } from '../common/orphan-recovery.js';
import type { Phase } from '../common/run-status.js';
import { SA_ORPHAN, SA_PHASE } from '../common/search-attributes.js';
import { readOrphan } from './activity-stubs.js';
import { FaultLedger } from './fault-ledger.js';
import { janitorStatusQuery } from './messages.js';

export async function chaosflowJanitor(orphan: OrphanRef): Promise<OrphanRecovery> {
  const status: OrphanRecovery = {
    orphan,
    janitorWorkflowId: workflowInfo().workflowId,
    phase: 'Orphaned',
    startedAt: new Date().toISOString(),
    faults: [],
    leftToCurrentRun: 0,
    errors: [],
  };
  setHandler(janitorStatusQuery, () => status);
  const publish = (phase: OrphanPhase) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: SA_PHASE, value: phase },
      { key: SA_ORPHAN, value: orphan.workflowId },
    ]);
  };
  publish('Orphaned');

  const { ref, records, leftToCurrentRun } = await readOrphan({
    workflowId: orphan.workflowId,
    runId: orphan.runId,
  });
  status.leftToCurrentRun = leftToCurrentRun.length;
  // The janitor has no node tree: a failing recover's error is the janitor's.
  const failing = { phase: 'Running' as Phase, errors: status.errors };
  const ledger = new FaultLedger({
    ref,
    nodeStatus: () => failing,
    markRecoveryFailing: (_nodeId, failing) => {
      if (failing && status.phase !== 'RecoveryFailed') publish('RecoveryFailed');
      if (!failing && status.phase === 'RecoveryFailed') publish('Orphaned');
    },
  });
  ledger.adopt(records);
  setHandler(janitorStatusQuery, () => ({ ...status, faults: ledger.entries() }));
  await ledger.recover(undefined);
  status.faults = ledger.entries();
  status.endedAt = new Date().toISOString();
  publish('RecoveredByJanitor');
  return status;
}
