/**
 * The messages of a chaosflow run (wire API: names are recorded in history and used by the CLI, the controller
 * and the Temporal UI).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LedgerRecord, RunRef } from '../activities/contract.js';
import type { OrphanRecovery } from '../common/orphan-recovery.js';
import type { FaultEntry, RunStatus } from '../common/run-status.js';

/** Ends every active node and recovers every injected fault. */
export const abortSignal = defineSignal<[{ reason?: string }]>('abort');

/** Stops new nodes and new injections; held faults stay until resumed or aborted. */
export const pauseUpdate = defineUpdate<PauseResult, [{ reason?: string }]>('pause');

/**
 * Resumes a paused run and approves waiting approval gates (`node` limits it to one gate, by node id or
 * template name, and leaves the run paused; `approveGates: false` resumes without approving any gate).
 */
export const resumeUpdate = defineUpdate<ResumeResult, [{ node?: string; approveGates?: boolean }]>('resume');

export const statusQuery = defineQuery<RunStatus>('status');
export const faultsQuery = defineQuery<FaultEntry[]>('faults');

/** What is left to recover, with what recovering it needs: the janitor asks a closed run. */
export const recoveryRecordsQuery = defineQuery<RecoveryRecords>('recoveryRecords');

export interface RecoveryRecords {
  ref: RunRef;
  records: LedgerRecord[];
}

/** The janitor's own status. */
export const janitorStatusQuery = defineQuery<OrphanRecovery>('janitorStatus');

export interface PauseResult {
  paused: boolean;
  /** False when the run was already paused. */
  changed: boolean;
}

export interface ResumeResult {
  /** True when the run was paused and is now running again. */
  unpaused: boolean;
  /** Node ids of the approval gates this resume approved. */
  approved: string[];
}
