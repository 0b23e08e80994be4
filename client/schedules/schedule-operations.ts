/**
 * The day-to-day operations on a chaosflow schedule: pause and unpause (with a note), trigger a tick now,
 * backfill a past window, and delete (leaving running ticks to finish, or aborting them: they recover their
 * faults either way).
 */
import type { Client } from '@temporalio/client';
import { abortSignal } from '../../workflows/messages.js';
import { openSchedule, temporalError } from './open-schedule.js';
import { ScheduleError } from './schedule-errors.js';
import type { ScheduleRef } from './schedule-id.js';
import { listScheduleRuns } from './schedule-runs.js';
import type { OverlapPolicyName } from './schedule-settings.js';

/**
 * Backfilled ticks all fall "now": under SKIP every one after the first would be dropped. BUFFER_ALL runs them
 * one after another, so the faults of two backfilled ticks never overlap.
 */
export const DEFAULT_BACKFILL_OVERLAP: OverlapPolicyName = 'BUFFER_ALL';
/** "Run now" means now, whatever runs already (Temporal's default for a trigger). */
export const DEFAULT_TRIGGER_OVERLAP: OverlapPolicyName = 'ALLOW_ALL';

export interface PauseResult {
  scheduleId: string;
  /** False when it already was in the requested state. */
  changed: boolean;
  paused: boolean;
  note?: string;
}

export async function pauseSchedule(
  client: Client,
  ref: string | ScheduleRef,
  note = 'paused with chaosflow schedule pause',
): Promise<PauseResult> {
  const { handle, description } = await openSchedule(client, ref);
  if (description.state.paused) {
    return { scheduleId: handle.scheduleId, changed: false, paused: true, ...noteOf(description.state.note) };
  }
  await handle.pause(note).catch((err: unknown) => {
    throw temporalError(err, handle.scheduleId, 'pause');
  });
  return { scheduleId: handle.scheduleId, changed: true, paused: true, note };
}

export async function unpauseSchedule(
  client: Client,
  ref: string | ScheduleRef,
  note = 'unpaused with chaosflow schedule unpause',
): Promise<PauseResult> {
  const { handle, description } = await openSchedule(client, ref);
  if (!description.state.paused) return { scheduleId: handle.scheduleId, changed: false, paused: false };
  await handle.unpause(note).catch((err: unknown) => {
    throw temporalError(err, handle.scheduleId, 'unpause');
  });
  return { scheduleId: handle.scheduleId, changed: true, paused: false };
}

export interface TriggerResult {
  scheduleId: string;
  overlap: OverlapPolicyName;
  /** The run the trigger started, when it showed up within a few seconds (it may not, under SKIP). */
  workflowId?: string;
}

export async function triggerSchedule(
  client: Client,
  ref: string | ScheduleRef,
  options: { overlap?: OverlapPolicyName; waitMs?: number } = {},
): Promise<TriggerResult> {
  const { handle, description } = await openSchedule(client, ref);
  const overlap = options.overlap ?? DEFAULT_TRIGGER_OVERLAP;
  const before = description.info.numActionsTaken;
  await handle.trigger(overlap).catch((err: unknown) => {
    throw temporalError(err, handle.scheduleId, 'trigger');
  });
  const deadline = Date.now() + (options.waitMs ?? 3_000);
  while (Date.now() < deadline) {
    const now = await handle.describe().catch(() => undefined);
    const last = now?.info.recentActions.at(-1);
    if (now && now.info.numActionsTaken > before && last) {
      return { scheduleId: handle.scheduleId, overlap, workflowId: last.action.workflow.workflowId };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { scheduleId: handle.scheduleId, overlap };
}

export interface BackfillOptions {
  /** Inclusive: the dev server (1.24 SDK era) runs a tick that falls exactly on the start. */
  from: Date;
  /** Inclusive. */
  to: Date;
  overlap?: OverlapPolicyName;
}

export interface BackfillResult {
  scheduleId: string;
  from: string;
  to: string;
  overlap: OverlapPolicyName;
}

/** Takes every tick of [from, to] now, as if that time were passing again. Works on a paused schedule too. */
export async function backfillSchedule(
  client: Client,
  ref: string | ScheduleRef,
  options: BackfillOptions,
): Promise<BackfillResult> {
  const { from, to } = options;
  if (!(from.getTime() < to.getTime())) {
    throw new ScheduleError(
      'SCHEDULE_BAD_TIME',
      `the backfill window ${from.toISOString()} .. ${to.toISOString()} is empty`,
      { hint: 'Give --from earlier than --to' },
    );
  }
  const { handle } = await openSchedule(client, ref);
  const overlap = options.overlap ?? DEFAULT_BACKFILL_OVERLAP;
  await handle.backfill({ start: from, end: to, overlap }).catch((err: unknown) => {
    throw temporalError(err, handle.scheduleId, 'backfill');
  });
  return { scheduleId: handle.scheduleId, from: from.toISOString(), to: to.toISOString(), overlap };
}

export interface DeleteResult {
  scheduleId: string;
  /** Runs of the schedule still running when it was deleted. */
  running: string[];
  /** Those that were sent `abort` (with `abortRunning`); they recover their faults and end Aborted. */
  aborted: string[];
}

export async function deleteSchedule(
  client: Client,
  ref: string | ScheduleRef,
  options: { abortRunning?: boolean; reason?: string } = {},
): Promise<DeleteResult> {
  const { handle, description } = await openSchedule(client, ref);
  // Delete first, so no new tick starts while the running ones are aborted.
  await handle.delete().catch((err: unknown) => {
    throw temporalError(err, handle.scheduleId, 'delete');
  });
  const running = new Set(description.info.runningActions.map((a) => a.workflow.workflowId));
  const fromVisibility = await listScheduleRuns(client, handle.scheduleId, 0).catch(() => undefined);
  for (const run of fromVisibility?.running ?? []) running.add(run.workflowId);
  const aborted: string[] = [];
  if (options.abortRunning) {
    const reason = options.reason ?? `schedule ${handle.scheduleId} deleted with --abort-running`;
    for (const workflowId of running) {
      try {
        await client.workflow.getHandle(workflowId).signal(abortSignal, { reason });
        aborted.push(workflowId);
      } catch {
        // It finished between the listing and the signal: nothing left to abort.
      }
    }
  }
  return { scheduleId: handle.scheduleId, running: [...running].sort(), aborted };
}

function noteOf(note: string | undefined): { note?: string } {
  return note ? { note } : {};
}
