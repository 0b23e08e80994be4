/**
 * Finding a chaosflow schedule on Temporal by what a person typed, and turning Temporal's errors into
 * ScheduleErrors that name the schedule and say what to do.
 */
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { ScheduleError } from './schedule-errors.js';
import { parseScheduleRef, type ScheduleRef } from './schedule-id.js';
import { settingsOfMemo, type ScheduleSettings } from './schedule-settings.js';

export interface OpenedSchedule {
  ref: ScheduleRef;
  handle: ScheduleHandle;
  description: ScheduleDescription;
  /** Undefined when the schedule was not created by chaosflow (its id only follows the convention). */
  settings: ScheduleSettings | undefined;
}

/** `ref` is `[namespace/]name` or a schedule id. */
export async function openSchedule(client: Client, ref: string | ScheduleRef): Promise<OpenedSchedule> {
  const parsed = typeof ref === 'string' ? parseScheduleRef(ref) : ref;
  const handle = client.schedule.getHandle(parsed.scheduleId);
  const description = await describeOrUndefined(handle);
  if (!description) {
    throw new ScheduleError(
      'SCHEDULE_NOT_FOUND',
      `no schedule ${parsed.namespace}/${parsed.name} (id ${parsed.scheduleId}) on Temporal namespace ${client.options.namespace}`,
      {
        scheduleId: parsed.scheduleId,
        ref: typeof ref === 'string' ? ref : parsed.scheduleId,
        hint: 'Create it with `chaosflow schedule apply FILE`, or see `chaosflow schedule list` for the schedules that exist',
      },
    );
  }
  return { ref: parsed, handle, description, settings: settingsOfMemo(description.action.memo) };
}

/** The description, or undefined when no such schedule exists. */
export async function describeOrUndefined(handle: ScheduleHandle): Promise<ScheduleDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw temporalError(err, handle.scheduleId, 'describe');
  }
}

/** Wraps a failed Temporal call on a schedule. */
export function temporalError(err: unknown, scheduleId: string, what: string): ScheduleError {
  if (err instanceof ScheduleError) return err;
  const reason =
    err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return new ScheduleError(
    'SCHEDULE_TEMPORAL_ERROR',
    `Temporal refused to ${what} schedule ${scheduleId}: ${reason}`,
    {
      scheduleId,
      hint: 'Check that the Temporal server is reachable and the schedule exists, then try again',
    },
    { cause: err },
  );
}
