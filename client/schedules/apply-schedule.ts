/**
 * `apply`: create the Temporal Schedule of a Schedule manifest, or update it in place. An update replaces the
 * whole spec, action and policies (never merges them with what Temporal describes: a kept `calendars` next to a
 * new spec would fire twice, sdk-typescript#1926) and keeps the pause state unless the manifest's `suspend`
 * changed since the last apply. A manifest whose compiled form (and task queue) did not change is left alone.
 */
import {
  ScheduleAlreadyRunning,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import type { SchedulePlan } from '../../common/schedule-plan.js';
import { mapSchedule, suspendNote, type MappedSchedule } from './schedule-mapping.js';
import { describeOrUndefined, temporalError } from './open-schedule.js';
import { settingsOfMemo, type ScheduleSettings } from './schedule-settings.js';
import { scheduleIdOf } from './schedule-id.js';

export const APPLY_OUTCOMES = ['created', 'updated', 'unchanged'] as const;
export type ApplyOutcome = (typeof APPLY_OUTCOMES)[number];

export interface ApplyScheduleOptions {
  taskQueue: string;
  /** The creation time of a new schedule (the anchor of `@every`). Default: now. */
  now?: Date;
}

export interface ApplyResult {
  scheduleId: string;
  namespace: string;
  name: string;
  outcome: ApplyOutcome;
  paused: boolean;
  /** The pause note, when paused. */
  note?: string;
  /** Next fire times as Temporal computed them (UTC instants; `settings.timezone` is the schedule's zone). */
  nextFireTimes: Date[];
  settings: ScheduleSettings;
}

export async function applySchedule(
  client: Client,
  plan: SchedulePlan,
  options: ApplyScheduleOptions,
): Promise<ApplyResult> {
  const scheduleId = scheduleIdOf(plan.source.namespace, plan.source.name);
  const handle = client.schedule.getHandle(scheduleId);
  let existing = await describeOrUndefined(handle);
  let outcome: ApplyOutcome;
  if (!existing) {
    const mapped = mapSchedule(plan, { taskQueue: options.taskQueue, anchor: options.now ?? new Date() });
    try {
      await client.schedule.create({
        scheduleId,
        spec: mapped.spec,
        action: mapped.action,
        policies: mapped.policies,
        typedSearchAttributes: mapped.typedSearchAttributes,
        memo: mapped.memo,
        state: mapped.initialState,
      });
      outcome = 'created';
    } catch (err) {
      // Someone created it between our describe and create: update theirs instead.
      if (!(err instanceof ScheduleAlreadyRunning)) throw temporalError(err, scheduleId, 'create');
      existing = await describeOrUndefined(handle);
      if (!existing) throw temporalError(err, scheduleId, 'create');
      outcome = await updateInPlace(client, plan, existing, options.taskQueue);
    }
  } else {
    outcome = await updateInPlace(client, plan, existing, options.taskQueue);
  }
  const after = await describeWithNextTimes(handle);
  if (!after) throw temporalError(new Error('it disappeared right after apply'), scheduleId, 'describe');
  const settings = settingsOfMemo(after.action.memo);
  if (!settings)
    throw temporalError(new Error('its action carries no chaosflow settings'), scheduleId, 'read');
  return {
    scheduleId,
    namespace: plan.source.namespace,
    name: plan.source.name,
    outcome,
    paused: after.state.paused,
    ...(after.state.paused && after.state.note ? { note: after.state.note } : {}),
    nextFireTimes: after.info.nextActionTimes,
    settings,
  };
}

/**
 * Right after a create or an update Temporal may describe the schedule before its scheduler has computed the
 * next fire times; they appear within a moment.
 */
async function describeWithNextTimes(
  handle: ScheduleHandle,
  waitMs = 3_000,
): Promise<ScheduleDescription | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const description = await describeOrUndefined(handle);
    if (!description || description.info.nextActionTimes.length > 0 || Date.now() > deadline)
      return description;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function updateInPlace(
  client: Client,
  plan: SchedulePlan,
  existing: ScheduleDescription,
  taskQueue: string,
): Promise<ApplyOutcome> {
  const mapped = mapSchedule(plan, { taskQueue, anchor: existing.info.createdAt });
  const previous = settingsOfMemo(existing.action.memo);
  if (previous?.fingerprint === mapped.settings.fingerprint) return 'unchanged';
  const handle = client.schedule.getHandle(mapped.scheduleId);
  try {
    await handle.update((current) => ({
      spec: mapped.spec,
      action: mapped.action,
      policies: mapped.policies,
      typedSearchAttributes: mapped.typedSearchAttributes,
      state: pauseStateAfterUpdate(current, previous, mapped),
    }));
  } catch (err) {
    throw temporalError(err, mapped.scheduleId, 'update');
  }
  return 'updated';
}

/**
 * Someone may have paused or unpaused the schedule since the last apply (`chaosflow schedule pause`, the
 * Temporal UI): that stands unless the manifest's own `suspend` changed.
 */
export function pauseStateAfterUpdate(
  current: Pick<ScheduleDescription, 'state'>,
  previous: Pick<ScheduleSettings, 'suspend'> | undefined,
  mapped: Pick<MappedSchedule, 'settings'>,
): { paused: boolean; note?: string } {
  const { suspend, namespace, name } = mapped.settings;
  const keep = { paused: current.state.paused, ...(current.state.note ? { note: current.state.note } : {}) };
  if (previous === undefined ? suspend === current.state.paused : previous.suspend === suspend) return keep;
  return suspend
    ? { paused: true, note: suspendNote(namespace, name) }
    : { paused: false, note: 'unpaused: the manifest no longer sets spec.suspend' };
}
