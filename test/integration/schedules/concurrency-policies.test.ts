/**
 * concurrencyPolicy against the real dev server, with runs (chaos `duration`) longer than the interval: Forbid
 * skips ticks while a run is active, Allow overlaps them, Replace cancels the active run, which recovers its
 * fault before the next run injects (compared on the FAKE driver's timestamps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchedule } from '../../../client/schedules/describe-schedule.js';
import { deleteSchedule } from '../../../client/schedules/schedule-operations.js';
import { listScheduleRuns } from '../../../client/schedules/schedule-runs.js';
import {
  chaosSchedule,
  startScheduleTestEnv,
  waitFor,
  type ScheduleTestEnv,
  type Tick,
} from './schedule-test-env.js';

let t: ScheduleTestEnv;

beforeAll(async () => {
  t = await startScheduleTestEnv();
});
afterAll(async () => {
  await t?.stop();
});

const finished = (tick: Tick) => tick.injects.length > 0 && tick.recovers.length >= tick.injects.length;

describe('concurrencyPolicy', () => {
  it('Forbid skips the ticks that fall while a run is active', async () => {
    const { scheduleId } = await t.apply(chaosSchedule('forbid', { duration: '5s', policy: 'Forbid' }));
    await waitFor('two runs, the first finished', () => {
      const ticks = t.ticks(scheduleId);
      return ticks.length >= 2 && finished(ticks[0]!);
    });
    await deleteSchedule(t.env.temporal.client, 'forbid', { abortRunning: true });
    const [first, second] = t.ticks(scheduleId);
    // The next run started only after the first one recovered, and the ticks in between were skipped.
    expect(second!.injects[0]).toBeGreaterThanOrEqual(first!.recovers.at(-1)!);
    expect(second!.scheduledAt - first!.scheduledAt).toBeGreaterThanOrEqual(6_000);
    const client = t.env.temporal.client;
    const described = await client.schedule
      .getHandle(scheduleId)
      .describe()
      .catch(() => undefined);
    expect(described).toBeUndefined();
  });

  it('Forbid shows the skipped ticks in describe', async () => {
    const { scheduleId } = await t.apply(
      chaosSchedule('forbid-counted', { duration: '5s', policy: 'Forbid' }),
    );
    await waitFor('the first run injected', () => t.ticks(scheduleId)[0]);
    const report = await waitFor(
      'a tick skipped while the run is active',
      async () => {
        const r = await describeSchedule(t.env.temporal.client, 'forbid-counted');
        return r.counts.skippedOverlap >= 1 && r;
      },
      10_000,
    );
    expect(report.running).toHaveLength(1);
    expect(report.overlap).toBe('SKIP');
    await deleteSchedule(t.env.temporal.client, 'forbid-counted', { abortRunning: true });
  });

  it('Allow starts a run on every tick even while earlier runs are still active', async () => {
    const { scheduleId } = await t.apply(chaosSchedule('allow', { duration: '5s', policy: 'Allow' }));
    const overlapping = await waitFor('two runs holding their faults at once', () => {
      const ticks = t.ticks(scheduleId);
      return ticks.length >= 2 && ticks[1]!.injects[0]! < (ticks[0]!.recovers[0] ?? Infinity) && ticks;
    });
    expect(overlapping[1]!.scheduledAt - overlapping[0]!.scheduledAt).toBe(2_000);
    const report = await describeSchedule(t.env.temporal.client, 'allow');
    expect(report.overlap).toBe('ALLOW_ALL');
    expect(report.running.length).toBeGreaterThanOrEqual(2);
    const result = await deleteSchedule(t.env.temporal.client, 'allow', { abortRunning: true });
    expect(result.aborted.length).toBeGreaterThanOrEqual(2);
    await waitFor('every run recovered', () => t.ticks(scheduleId).every(finished), 10_000);
  });

  it('Replace cancels the active run, which recovers its fault before the next run injects', async () => {
    const { scheduleId } = await t.apply(
      chaosSchedule('replace', { schedule: '@every 3s', duration: '60s', policy: 'Replace' }),
    );
    const [first, second] = await waitFor('a second run injected', () => {
      const ticks = t.ticks(scheduleId);
      return ticks.length >= 2 && ticks[1]!.injects.length > 0 && ticks;
    });
    await deleteSchedule(t.env.temporal.client, 'replace', { abortRunning: true });
    expect(first!.recovers.length).toBeGreaterThan(0);
    expect(second!.injects[0]).toBeGreaterThanOrEqual(first!.recovers.at(-1)!);
    expect(second!.scheduledAt - first!.scheduledAt).toBe(3_000);
    const handle = t.env.temporal.client.workflow.getHandle(first!.workflowId);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const runs = await waitFor('the cancelled run in visibility', async () => {
      const r = await listScheduleRuns(t.env.temporal.client, scheduleId);
      return r.finished.some((run) => run.workflowId === first!.workflowId) && r;
    });
    expect(runs.finished.find((run) => run.workflowId === first!.workflowId)?.outcome).toBe('Cancelled');
    expect([...t.env.driver.active].filter((k) => k.startsWith(`${first!.workflowId}/`))).toEqual([]);
    await waitFor(
      'the second run recovered after its abort',
      () => finished(t.ticks(scheduleId)[1]!),
      10_000,
    );
  });
});
