/**
 * The runs a schedule started, from Temporal visibility: every run a Schedule starts carries the built-in search
 * attribute `TemporalScheduledById` (the schedule id) and `TemporalScheduledStartTime` (its tick), and chaosflow's
 * `ChaosflowPhase`. This is where a schedule's `historyLimit` is honoured: the newest N finished runs are shown;
 * older ones stay in Temporal until the namespace's retention removes them (Temporal has no per-schedule limit).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { RUN_WORKFLOW_TYPE } from '../../common/run-input.js';
import { TERMINAL_PHASES } from '../../common/run-status.js';
import { SA_PHASE, SA_SCHEDULED_START_TIME } from '../../common/search-attributes.js';
import { temporalError } from './open-schedule.js';

/** chaosflow's phases of a started run, and how Temporal can close a run without one. */
export const RUN_OUTCOMES = [
  'Running',
  ...TERMINAL_PHASES,
  'Cancelled',
  'Terminated',
  'TimedOut',
  'Unknown',
] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface ScheduleRun {
  workflowId: string;
  runId: string;
  /** The tick the run was for (ISO), as Temporal recorded it. */
  scheduledAt?: string;
  startedAt: string;
  closedAt?: string;
  /** Temporal's execution status (`RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, ...). */
  temporalStatus: string;
  /** chaosflow's phase as the run last published it. */
  phase?: string;
  outcome: RunOutcome;
}

export interface ScheduleRuns {
  running: ScheduleRun[];
  /** Newest first, at most `limit`. */
  finished: ScheduleRun[];
  /** Every run of the schedule that visibility still holds. */
  total: number;
}

/** Runs shown when a schedule sets no `historyLimit` (Chaos Mesh would keep none; Temporal keeps them anyway). */
export const DEFAULT_RUNS_SHOWN = 10;

export function scheduleRunsQuery(scheduleId: string): string {
  return `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND TemporalScheduledById = '${quote(scheduleId)}'`;
}

export async function listScheduleRuns(
  client: Client,
  scheduleId: string,
  limit: number = DEFAULT_RUNS_SHOWN,
): Promise<ScheduleRuns> {
  const base = scheduleRunsQuery(scheduleId);
  try {
    const running: ScheduleRun[] = [];
    for await (const info of client.workflow.list({ query: `${base} AND ExecutionStatus = 'Running'` })) {
      running.push(runOf(info));
    }
    const finished: ScheduleRun[] = [];
    if (limit > 0) {
      const query = `${base} AND ExecutionStatus != 'Running'`;
      for await (const info of client.workflow.list({ query, pageSize: limit })) {
        finished.push(runOf(info));
        if (finished.length >= limit) break;
      }
    }
    // Counting needs advanced visibility; without it the total is what was listed.
    const total = await client.workflow
      .count(base)
      .then((c) => c.count)
      .catch(() => running.length + finished.length);
    return { running: running.sort(newestFirst), finished: finished.sort(newestFirst), total };
  } catch (err) {
    throw temporalError(err, scheduleId, 'list the runs of');
  }
}

function runOf(info: WorkflowExecutionInfo): ScheduleRun {
  const scheduledAt = info.typedSearchAttributes.get(SA_SCHEDULED_START_TIME);
  const phase = info.typedSearchAttributes.get(SA_PHASE);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    temporalStatus: info.status.name,
    ...(phase ? { phase } : {}),
    outcome: outcomeOf(info.status.name, phase),
  };
}

/** What a person wants to know about a run: chaosflow's phase where it is final, Temporal's status otherwise. */
export function outcomeOf(status: string, phase: string | undefined): RunOutcome {
  const known = (p: string | undefined): p is RunOutcome =>
    (RUN_OUTCOMES as readonly string[]).includes(p ?? '');
  switch (status) {
    case 'RUNNING':
    case 'PAUSED':
      return phase === 'RecoveryFailed' ? 'RecoveryFailed' : 'Running';
    case 'COMPLETED':
      return known(phase) && phase !== 'Running' ? phase : 'Succeeded';
    case 'FAILED':
      return known(phase) && phase !== 'Running' && phase !== 'Succeeded' ? phase : 'Failed';
    case 'CANCELLED':
      return 'Cancelled';
    case 'TERMINATED':
      return 'Terminated';
    case 'TIMED_OUT':
      return 'TimedOut';
    default:
      return 'Unknown';
  }
}

function newestFirst(a: ScheduleRun, b: ScheduleRun): number {
  return (b.scheduledAt ?? b.startedAt).localeCompare(a.scheduledAt ?? a.startedAt);
}

function quote(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
