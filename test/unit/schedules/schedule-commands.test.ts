/** The pure parts of the schedule commands: references, pause state on update, outcomes, CLI times, tables. */
import { describe, expect, it } from 'vitest';
import { pauseStateAfterUpdate } from '../../../client/schedules/apply-schedule.js';
import { ScheduleError } from '../../../client/schedules/schedule-errors.js';
import { parseScheduleRef, refOfScheduleId } from '../../../client/schedules/schedule-id.js';
import { mapSchedule } from '../../../client/schedules/schedule-mapping.js';
import { outcomeOf } from '../../../client/schedules/schedule-runs.js';
import { formatInZone } from '../../../cli/commands/schedule/format-time.js';
import { parseCliTime } from '../../../cli/commands/schedule/parse-time.js';
import { renderScheduleReport } from '../../../cli/commands/schedule/render-schedule.js';
import type { ScheduleReport } from '../../../client/schedules/describe-schedule.js';
import { schedulePlan } from './schedule-plan-fixture.js';

describe('schedule references', () => {
  it('reads name, namespace/name and the full id, and rejects anything else', () => {
    expect(parseScheduleRef('drill')).toEqual({
      namespace: 'default',
      name: 'drill',
      scheduleId: 'chaosflow/default/drill',
    });
    expect(parseScheduleRef('team-a/drill').scheduleId).toBe('chaosflow/team-a/drill');
    expect(parseScheduleRef('chaosflow/team-a/drill').name).toBe('drill');
    expect(() => parseScheduleRef('a/b/c')).toThrow(ScheduleError);
    expect(() => parseScheduleRef('')).toThrow(/does not name a schedule/);
    expect(refOfScheduleId('chaosflow/ns/x')).toEqual({
      namespace: 'ns',
      name: 'x',
      scheduleId: 'chaosflow/ns/x',
    });
    expect(refOfScheduleId('other-schedule')).toBeUndefined();
  });
});

describe('pause state on update', () => {
  const mapped = (suspend: boolean) =>
    mapSchedule(schedulePlan(suspend ? 'suspend: true' : ''), { taskQueue: 'q', anchor: 0 });
  const state = (paused: boolean, note?: string) => ({ state: { paused, ...(note ? { note } : {}) } });

  it('keeps a pause made by hand when the manifest did not change suspend', () => {
    expect(pauseStateAfterUpdate(state(true, 'game day moved'), { suspend: false }, mapped(false))).toEqual({
      paused: true,
      note: 'game day moved',
    });
    expect(pauseStateAfterUpdate(state(false), { suspend: true }, mapped(true))).toEqual({ paused: false });
  });

  it('follows the manifest when its suspend changed', () => {
    expect(pauseStateAfterUpdate(state(false), { suspend: false }, mapped(true))).toMatchObject({
      paused: true,
    });
    expect(pauseStateAfterUpdate(state(true, 'x'), { suspend: true }, mapped(false))).toMatchObject({
      paused: false,
    });
  });
});

describe('run outcomes', () => {
  it("uses chaosflow's phase for closed runs and Temporal's status where the workflow could not say", () => {
    expect(outcomeOf('RUNNING', 'Running')).toBe('Running');
    expect(outcomeOf('RUNNING', 'RecoveryFailed')).toBe('RecoveryFailed');
    expect(outcomeOf('COMPLETED', 'Succeeded')).toBe('Succeeded');
    expect(outcomeOf('FAILED', 'DeadlineExceeded')).toBe('DeadlineExceeded');
    expect(outcomeOf('FAILED', 'Running')).toBe('Failed');
    expect(outcomeOf('CANCELLED', 'Aborted')).toBe('Cancelled');
    expect(outcomeOf('TERMINATED', 'Running')).toBe('Terminated');
    expect(outcomeOf('TIMED_OUT', undefined)).toBe('TimedOut');
  });
});

describe('command-line times', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('reads ISO times, now, and durations before now', () => {
    expect(parseCliTime('2026-02-28T23:00:00Z', '--from', now).toISOString()).toBe(
      '2026-02-28T23:00:00.000Z',
    );
    expect(parseCliTime('now', '--to', now).getTime()).toBe(now);
    expect(parseCliTime('-1h30m', '--from', now).toISOString()).toBe('2026-03-01T10:30:00.000Z');
    expect(() => parseCliTime('yesterday', '--from', now)).toThrow(/--from 'yesterday' is not a time/);
    expect(() => parseCliTime('-5 minutes', '--from', now)).toThrow(ScheduleError);
  });

  it('shows instants in the schedule zone', () => {
    expect(formatInZone('2026-03-29T01:30:00Z', 'Europe/Paris')).toBe('2026-03-29 03:30:00 Europe/Paris');
    expect(formatInZone('2026-03-29T01:30:00Z', 'UTC')).toBe('2026-03-29 01:30:00 UTC');
  });
});

describe('describe table', () => {
  it('shows the raised catch-up window, the pause note, next times in the zone and runs with outcomes', () => {
    const { settings } = mapSchedule(
      schedulePlan('startingDeadlineSeconds: 3\n  timezone: Asia/Tokyo', '0 9 * * *'),
      {
        taskQueue: 'q',
        anchor: 0,
      },
    );
    const report: ScheduleReport = {
      scheduleId: 'chaosflow/team-a/drill',
      namespace: 'team-a',
      name: 'drill',
      settings,
      overlap: 'SKIP',
      catchupWindowMs: 10_000,
      paused: true,
      note: 'release freeze',
      createdAt: '2026-03-01T00:00:00Z',
      nextFireTimes: ['2026-03-02T00:00:00.000Z'],
      counts: { taken: 3, skippedOverlap: 1, missedCatchupWindow: 2, buffered: 0, bufferDropped: 0 },
      totalRuns: 3,
      runsShown: 10,
      running: [],
      recentRuns: [
        {
          workflowId: 'chaosflow/team-a/drill-2026-03-01T00:00:00Z',
          runId: 'r',
          scheduledAt: '2026-03-01T00:00:00.000Z',
          startedAt: '2026-03-01T00:00:00.100Z',
          closedAt: '2026-03-01T00:00:01.100Z',
          temporalStatus: 'COMPLETED',
          phase: 'Succeeded',
          outcome: 'Succeeded',
        },
      ],
    };
    const text = renderScheduleReport(report);
    expect(text).toMatch(/startingDeadlineSeconds 3 raised to Temporal's minimum of 10 s/);
    expect(text).toMatch(/paused: release freeze/);
    expect(text).toMatch(/missed the catch-up window 2/);
    expect(text).toContain('2026-03-02 09:00:00 Asia/Tokyo');
    expect(text).toMatch(
      /chaosflow\/team-a\/drill-2026-03-01T00:00:00Z\s+2026-03-01 09:00:00 Asia\/Tokyo\s+Succeeded\s+1s/,
    );
  });
});
