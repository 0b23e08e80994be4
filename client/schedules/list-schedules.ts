/**
 * `list`: every chaosflow schedule on the Temporal namespace (ids starting with `chaosflow/`), with what it runs,
 * its cron, its state, the next fire time and the last tick taken. Schedule listing is eventually consistent:
 * a schedule created a moment ago may be missing for a second.
 */
import type { Client } from '@temporalio/client';
import { describeOrUndefined, temporalError } from './open-schedule.js';
import { refOfScheduleId, SCHEDULE_ID_PREFIX } from './schedule-id.js';
import { settingsOfMemo, type ScheduleSettings } from './schedule-settings.js';

export interface ScheduleListEntry {
  scheduleId: string;
  namespace: string;
  name: string;
  type?: ScheduleSettings['type'];
  schedule?: string;
  timezone?: string;
  concurrencyPolicy?: ScheduleSettings['concurrencyPolicy'];
  paused: boolean;
  note?: string;
  /** ISO. */
  nextFireTime?: string;
  lastTick?: { scheduledAt: string; workflowId: string };
}

export interface ListSchedulesOptions {
  /** Only schedules of this manifest namespace. */
  namespace?: string;
}

export async function listSchedules(
  client: Client,
  options: ListSchedulesOptions = {},
): Promise<ScheduleListEntry[]> {
  const ids: string[] = [];
  try {
    for await (const summary of client.schedule.list()) {
      const ref = refOfScheduleId(summary.scheduleId);
      if (!ref || (options.namespace !== undefined && ref.namespace !== options.namespace)) continue;
      ids.push(summary.scheduleId);
    }
  } catch (err) {
    throw temporalError(err, `${SCHEDULE_ID_PREFIX}*`, 'list');
  }
  const entries: ScheduleListEntry[] = [];
  for (const scheduleId of ids.sort()) {
    const description = await describeOrUndefined(client.schedule.getHandle(scheduleId));
    const ref = refOfScheduleId(scheduleId);
    if (!description || !ref) continue; // deleted while we listed
    const settings = settingsOfMemo(description.action.memo);
    const next = description.info.nextActionTimes[0];
    const last = description.info.recentActions.at(-1);
    entries.push({
      scheduleId,
      namespace: ref.namespace,
      name: ref.name,
      ...(settings
        ? {
            type: settings.type,
            schedule: settings.schedule,
            timezone: settings.timezone,
            concurrencyPolicy: settings.concurrencyPolicy,
          }
        : {}),
      paused: description.state.paused,
      ...(description.state.note && description.state.paused ? { note: description.state.note } : {}),
      ...(next ? { nextFireTime: next.toISOString() } : {}),
      ...(last
        ? {
            lastTick: {
              scheduledAt: last.scheduledAt.toISOString(),
              workflowId: last.action.workflow.workflowId,
            },
          }
        : {}),
    });
  }
  return entries;
}
