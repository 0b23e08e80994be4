/** SchedulePlan -> Temporal Schedule options, without a server: every row of the mapping table. */
import type { ScheduleOptions } from '@temporalio/client';
import { encodeScheduleSpec } from '@temporalio/client/lib/schedule-helpers.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CONCURRENCY_OVERLAP,
  DEFAULT_CATCHUP_WINDOW_MS,
  MIN_CATCHUP_WINDOW_MS,
  mapSchedule,
} from '../../../client/schedules/schedule-mapping.js';
import { ScheduleError } from '../../../client/schedules/schedule-errors.js';
import { SETTINGS_MEMO_KEY, settingsOfMemo } from '../../../client/schedules/schedule-settings.js';
import { RUN_WORKFLOW_TYPE, type RunInput } from '../../../common/run-input.js';
import type { SchedulePlan } from '../../../common/schedule-plan.js';
import { schedulePlan } from './schedule-plan-fixture.js';

const ANCHOR = Date.parse('2026-03-01T10:00:00.400Z');
const map = (plan: SchedulePlan, taskQueue = 'chaosflow') => mapSchedule(plan, { taskQueue, anchor: ANCHOR });

describe('mapSchedule', () => {
  it('maps concurrencyPolicy Forbid (the default), Allow and Replace to SKIP, ALLOW_ALL and CANCEL_OTHER', () => {
    expect(map(schedulePlan()).policies.overlap).toBe('SKIP');
    expect(map(schedulePlan('concurrencyPolicy: Forbid')).policies.overlap).toBe('SKIP');
    expect(map(schedulePlan('concurrencyPolicy: Allow')).policies.overlap).toBe('ALLOW_ALL');
    expect(map(schedulePlan('concurrencyPolicy: Replace')).policies.overlap).toBe('CANCEL_OTHER');
    expect(Object.values(CONCURRENCY_OVERLAP)).not.toContain('TERMINATE_OTHER');
  });

  it('sets the catch-up window to startingDeadlineSeconds, raised to 10 s with a note when smaller', () => {
    const thirty = map(schedulePlan('startingDeadlineSeconds: 30'));
    expect(thirty.policies.catchupWindow).toBe(30_000);
    expect(thirty.settings.notes.join(' ')).not.toMatch(/minimum/);
    const three = map(schedulePlan('startingDeadlineSeconds: 3'));
    expect(three.policies.catchupWindow).toBe(MIN_CATCHUP_WINDOW_MS);
    expect(three.settings.startingDeadlineSeconds).toBe(3);
    expect(three.settings.notes.join(' ')).toMatch(/startingDeadlineSeconds: 3 is below Temporal's minimum/);
  });

  it('without startingDeadlineSeconds picks one interval, between 10 s and 60 s, never the 1-year default', () => {
    expect(map(schedulePlan('', '@every 2s')).policies.catchupWindow).toBe(MIN_CATCHUP_WINDOW_MS);
    expect(map(schedulePlan('', '@every 30s')).policies.catchupWindow).toBe(30_000);
    expect(map(schedulePlan('', '*/20 * * * * *')).policies.catchupWindow).toBe(20_000);
    expect(map(schedulePlan('', '@hourly')).policies.catchupWindow).toBe(DEFAULT_CATCHUP_WINDOW_MS);
    expect(map(schedulePlan('', '0 9 * * MON-FRI')).settings.notes.join(' ')).toMatch(
      /at most one late tick/,
    );
  });

  it('translates the cron with the cron helper: calendars in the zone, jitter, and @every on the creation grid', () => {
    const cron = map(schedulePlan('timezone: Europe/Paris\n  jitter: 5s', '30 9 * * MON-FRI'));
    expect(cron.spec.timezone).toBe('Europe/Paris');
    expect(cron.spec.jitter).toBe(5_000);
    expect(cron.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 9, end: 9 }],
      minute: [{ start: 30, end: 30 }],
    });
    expect(cron.spec.intervals).toBeUndefined();
    const every = map(schedulePlan('', '@every 7s'));
    expect(every.spec.calendars).toBeUndefined();
    // Anchor truncated to the second: 10:00:00 UTC, and 7 s ticks from there.
    const [interval] = every.spec.intervals ?? [];
    expect(interval).toEqual({ every: 7_000, offset: (Math.floor(ANCHOR / 1000) * 1000) % 7_000 });
    // The Temporal client encodes it as it is.
    expect(() => encodeScheduleSpec(cron.spec)).not.toThrow();
  });

  it('keeps the OR of day-of-month and day-of-week as two calendars', () => {
    expect(map(schedulePlan('', '0 0 13 * 5')).spec.calendars).toHaveLength(2);
  });

  it('rejects what the translator rejects with an error naming the manifest and its file', () => {
    const plan = { ...schedulePlan('', '@every 2s', 'drills.yaml'), schedule: 'TZ=Mars/Olympus 0 9 * * *' };
    let caught: unknown;
    try {
      map(plan);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ScheduleError);
    expect((caught as ScheduleError).code).toBe('SCHEDULE_SPEC_REJECTED');
    expect((caught as ScheduleError).message).toMatch(/Schedule team-a\/drill \(drills\.yaml:1\)/);
    expect((caught as ScheduleError).message).toMatch(/Mars\/Olympus/);
  });

  it('starts chaosflowRun with the tick plan, a deterministic id base and search attributes naming the schedule', () => {
    const plan = schedulePlan('historyLimit: 4');
    const mapped = map(plan, 'queue-7');
    expect(mapped.scheduleId).toBe('chaosflow/team-a/drill');
    expect(mapped.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: RUN_WORKFLOW_TYPE,
      taskQueue: 'queue-7',
      workflowId: 'chaosflow/team-a/drill',
    });
    expect(mapped.action.args).toEqual([{ plan: plan.run } satisfies RunInput]);
    const attributes = Object.fromEntries(
      (mapped.action.typedSearchAttributes as { key: { name: string }; value: unknown }[]).map((p) => [
        p.key.name,
        p.value,
      ]),
    );
    expect(attributes).toEqual({
      ChaosflowKind: 'NetworkChaos',
      ChaosflowNamespace: 'team-a',
      ChaosflowName: 'drill',
      ChaosflowPhase: 'Pending',
      ChaosflowSchedule: 'chaosflow/team-a/drill',
    });
    const settings = settingsOfMemo(mapped.action.memo);
    expect(settings).toMatchObject({
      historyLimit: 4,
      concurrencyPolicy: 'Forbid',
      overlap: 'SKIP',
      type: 'NetworkChaos',
    });
    expect(mapped.action.memo?.[SETTINGS_MEMO_KEY]).toBe(mapped.settings);
    expect(mapped.memo).toMatchObject({ kind: 'Schedule', namespace: 'team-a', name: 'drill' });
  });

  it('gives every tick the run’s summary, the schedule, and the node tree as details for the Temporal UI', () => {
    const mapped = map(schedulePlan());
    expect(mapped.action.staticSummary).toMatch(
      /^NetworkChaos team-a\/drill: 1 fault, 0 checks; tick of Schedule team-a\/drill \(.+\)$/,
    );
    expect(mapped.action.staticDetails).toMatch(
      /^\*\*NetworkChaos\*\* `team-a\/drill`\n\n- `\S+` \*\*NetworkChaos\//,
    );
  });

  it('creates a suspended manifest paused, with a note that says how to resume', () => {
    expect(map(schedulePlan()).initialState).toEqual({ paused: false });
    const suspended = map(schedulePlan('suspend: true'));
    expect(suspended.initialState.paused).toBe(true);
    expect(suspended.initialState.note).toMatch(/spec\.suspend.*chaosflow schedule unpause team-a\/drill/);
  });

  it('fingerprints what the schedule is made of, not where the file was or the order of keys', () => {
    const a = map(schedulePlan('historyLimit: 2\n  concurrencyPolicy: Allow', '@every 2s', 'a.yaml'));
    const b = map(
      schedulePlan('concurrencyPolicy: Allow\n  historyLimit: 2', '@every 2s', 'elsewhere/b.yaml'),
    );
    expect(b.settings.fingerprint).toBe(a.settings.fingerprint);
    const c = map(schedulePlan('historyLimit: 3\n  concurrencyPolicy: Allow'));
    expect(c.settings.fingerprint).not.toBe(a.settings.fingerprint);
    const d = mapSchedule(schedulePlan('historyLimit: 2\n  concurrencyPolicy: Allow'), {
      taskQueue: 'other',
      anchor: ANCHOR,
    });
    expect(d.settings.fingerprint).not.toBe(a.settings.fingerprint);
  });

  it('produces options the Temporal client accepts for create', () => {
    const mapped = map(schedulePlan());
    const options = {
      scheduleId: mapped.scheduleId,
      spec: mapped.spec,
      action: mapped.action,
      policies: mapped.policies,
      memo: mapped.memo,
      typedSearchAttributes: mapped.typedSearchAttributes,
      state: mapped.initialState,
    };
    expectTypeOf(options).toExtend<ScheduleOptions>();
    expect(options.policies.pauseOnFailure).toBe(false);
  });
});
