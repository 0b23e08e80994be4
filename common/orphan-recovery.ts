/**
 * Runs that closed without draining their fault ledger — terminated (from the CLI, the Temporal UI, a reset) or
 * timed out — are orphans: no chaosflow code of theirs runs again, so the janitor recovers what they left
 * injected (docs/design.md §4, layer 4). These are the names and shapes the worker, the CLI and the Temporal UI
 * share about it.
 */
import type { FaultEntry } from './run-status.js';

/** The janitor's workflow type (wire API: recorded in history). */
export const JANITOR_WORKFLOW_TYPE = 'chaosflowJanitor';

/** Temporal's close statuses that leave a run's ledger undrained. */
export const ORPHAN_CLOSE_STATUSES = ['Terminated', 'TimedOut'] as const;
export type OrphanCloseStatus = (typeof ORPHAN_CLOSE_STATUSES)[number];

const BY_TEMPORAL_STATUS: Readonly<Record<string, OrphanCloseStatus>> = {
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
};

/** The orphan status of a run by its Temporal status name (`TERMINATED`), or undefined if it closed otherwise. */
export function orphanCloseStatus(temporalStatus: string): OrphanCloseStatus | undefined {
  return BY_TEMPORAL_STATUS[temporalStatus];
}

/** Orphaned while the janitor works, then RecoveredByJanitor; RecoveryFailed while a recover keeps failing. */
export type OrphanPhase = 'Orphaned' | 'RecoveredByJanitor' | 'RecoveryFailed';

/** How `get` and `list` show an orphan's phase: `Terminated while Running: RecoveredByJanitor`. */
export function orphanPhaseLabel(
  closedAs: OrphanCloseStatus,
  runPhase: string,
  orphanPhase: OrphanPhase,
): string {
  return `${closedAs} while ${runPhase}: ${orphanPhase}`;
}

/** One janitor per closed run (its Temporal run id): a second scan, or a second worker, cannot start another. */
export function janitorWorkflowId(orphanRunId: string): string {
  return `chaosflow-janitor/${orphanRunId}`;
}

export interface OrphanRef {
  workflowId: string;
  runId: string;
  closedAs: OrphanCloseStatus;
  closedAt: string;
}

/** What the janitor reports (its `status` query), and what `chaosflow get` shows of an orphan. */
export interface OrphanRecovery {
  orphan: OrphanRef;
  janitorWorkflowId: string;
  phase: OrphanPhase;
  startedAt: string;
  endedAt?: string;
  /** The orphan's faults that were not recovered when it closed, as the janitor left them. */
  faults: FaultEntry[];
  /** Faults the run that replaced a reset orphan still holds: left to it. */
  leftToCurrentRun: number;
  errors: string[];
}
