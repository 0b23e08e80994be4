/**
 * A Schedule manifest as a Temporal Schedule on the real dev server, end to end: ticks start runs that inject
 * and recover (FAKE driver records), `describe` shows them with outcomes, pause/unpause, backfill, delete, and
 * apply on an existing schedule updating it in place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleReport } from '../../../client/schedules/describe-schedule.js';
import { readRunStatus } from '../../../client/runs.js';
import { scheduleBackfillAction } from '../../../cli/commands/schedule/backfill.js';
import { scheduleDeleteAction } from '../../../cli/commands/schedule/delete.js';
import { scheduleDescribeAction } from '../../../cli/commands/schedule/describe.js';
import { scheduleListAction } from '../../../cli/commands/schedule/list.js';
import { schedulePauseAction, scheduleUnpauseAction } from '../../../cli/commands/schedule/pause.js';
import {
  captureIo,
  chaosSchedule,
  sleep,
  startScheduleTestEnv,
  waitFor,
  type ScheduleTestEnv,
  type Tick,
} from './schedule-test-env.js';
import { runCli } from '../../harness/cli.js';

let t: ScheduleTestEnv;

beforeAll(async () => {
  t = await startScheduleTestEnv();
});
afterAll(async () => {
  await t?.stop();
});

const done = (tick: Tick) => tick.injects.length > 0 && tick.recovers.length >= tick.injects.length;

async function describeJson(name: string): Promise<ScheduleReport> {
  const io = captureIo();
  expect(await scheduleDescribeAction(name, { ...t.flags, output: 'json' }, io)).toBe(0);
  return JSON.parse(io.out()) as ScheduleReport;
}

describe('a chaos schedule on Temporal', () => {
  it('fires an @every 2s schedule repeatedly, every run recovers its fault, and describe shows the runs', async () => {
    const applied = await t.apply(
      chaosSchedule('every-two', { duration: '300ms', extra: 'historyLimit: 5' }),
    );
    expect(applied).toMatchObject({
      outcome: 'created',
      scheduleId: 'chaosflow/default/every-two',
      paused: false,
    });
    const next = applied.nextFireTimes.map((d) => d.getTime());
    expect(next.slice(1).map((v, i) => v - next[i]!)).toEqual(Array(next.length - 1).fill(2_000));

    const ticks = await waitFor('three finished ticks', () => {
      const finished = t.ticks(applied.scheduleId).filter(done);
      return finished.length >= 3 && finished;
    });
    for (const tick of ticks) {
      expect(tick.recovers[0]).toBeGreaterThanOrEqual(tick.injects[0]!);
      expect([...t.env.driver.active].filter((k) => k.startsWith(`${tick.workflowId}/`))).toEqual([]);
    }
    // Consecutive ticks are 2 s apart on the grid, and each started soon after its scheduled time.
    const times = ticks.map((k) => k.scheduledAt);
    for (let i = 1; i < times.length; i++) expect((times[i]! - times[i - 1]!) % 2_000).toBe(0);
    for (const tick of ticks) expect(tick.injects[0]! - tick.scheduledAt).toBeLessThan(2_000);

    // The run knows which tick it was for.
    const first = ticks[0]!;
    const status = await readRunStatus(t.run(first.workflowId));
    expect(status.phase).toBe('Succeeded');
    expect(Date.parse(status.scheduledAt ?? '')).toBe(first.scheduledAt);

    const report = await waitFor('the finished runs in visibility', async () => {
      const r = await describeJson('every-two');
      return r.recentRuns.filter((run) => run.outcome === 'Succeeded').length >= 3 && r;
    });
    expect(report.settings).toMatchObject({
      schedule: '@every 2s',
      concurrencyPolicy: 'Forbid',
      historyLimit: 5,
    });
    expect(report.nextFireTimes).toHaveLength(10);
    expect(report.counts.taken).toBeGreaterThanOrEqual(3);
    const shown = new Map(report.recentRuns.map((r) => [r.workflowId, r]));
    for (const tick of ticks) {
      const run = shown.get(tick.workflowId);
      expect(run?.outcome).toBe('Succeeded');
      expect(Date.parse(run?.scheduledAt ?? '')).toBe(tick.scheduledAt);
    }
    expect(report.recentRuns.length).toBeLessThanOrEqual(5);

    // The built CLI entry point, as a person runs it.
    const cli = await runCli(['schedule', 'describe', 'every-two', '--address', t.flags.address]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Next fire times \(UTC\)/);
    expect(cli.stdout).toContain(`${first.workflowId}`);
    expect(cli.stdout).toMatch(/Succeeded/);

    const list = captureIo();
    await scheduleListAction({ ...t.flags, output: 'json' }, list);
    expect(JSON.parse(list.out())).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'every-two', type: 'NetworkChaos', paused: false }),
      ]),
    );
    expect(await scheduleDeleteAction('every-two', t.flags, captureIo())).toBe(0);
  });

  it('stops firing while paused, shows the note, and fires again once unpaused', async () => {
    const { scheduleId } = await t.apply(chaosSchedule('pausable', { duration: '200ms' }));
    await waitFor('a first tick', () => t.ticks(scheduleId).some(done));
    const io = captureIo();
    expect(await schedulePauseAction('pausable', { ...t.flags, note: 'release freeze' }, io)).toBe(0);
    expect(io.out()).toBe('paused pausable\n');
    const pausedAt = Date.now();
    await sleep(5_000);
    expect(t.ticks(scheduleId).filter((k) => k.scheduledAt > pausedAt)).toEqual([]);
    const report = await describeJson('pausable');
    expect(report).toMatchObject({ paused: true, note: 'release freeze' });

    expect(await scheduleUnpauseAction('pausable', t.flags, captureIo())).toBe(0);
    const unpausedAt = Date.now();
    await waitFor(
      'a tick after unpause',
      () => t.ticks(scheduleId).some((k) => k.scheduledAt > unpausedAt - 1_000 && done(k)),
      8_000,
    );
    expect(await scheduleDeleteAction('pausable', t.flags, captureIo())).toBe(0);
  });

  it('backfills a past window with one run per tick in it, one after another, even while paused', async () => {
    const applied = await t.apply(chaosSchedule('backfilled', { duration: '100ms', extra: 'suspend: true' }));
    expect(applied.paused).toBe(true);
    expect(applied.note).toMatch(/spec\.suspend/);
    const description = await t.env.temporal.client.schedule.getHandle(applied.scheduleId).describe();
    const interval = description.spec.intervals?.[0];
    expect(interval?.every).toBe(2_000);
    // A window of exactly six grid ticks: both ends on the grid, and both included.
    const to = Math.floor((Date.now() - interval!.offset) / 2_000) * 2_000 + interval!.offset;
    const from = to - 10_000;
    const expected = [0, 1, 2, 3, 4, 5].map((n) => from + n * 2_000);

    const io = captureIo();
    const code = await scheduleBackfillAction(
      'backfilled',
      { ...t.flags, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      io,
    );
    expect(code).toBe(0);
    expect(io.out()).toMatch(/overlap BUFFER_ALL/);
    const ticks = await waitFor('six backfilled runs', () => {
      const finished = t.ticks(applied.scheduleId).filter(done);
      return finished.length >= 6 && finished;
    });
    await sleep(1_000);
    expect(t.ticks(applied.scheduleId).map((k) => k.scheduledAt)).toEqual(expected);
    // BUFFER_ALL: each backfilled run starts after the previous one ended.
    for (let i = 1; i < ticks.length; i++) {
      expect(ticks[i]!.injects[0]).toBeGreaterThanOrEqual(ticks[i - 1]!.recovers.at(-1)!);
    }
    expect(await scheduleDeleteAction('backfilled', t.flags, captureIo())).toBe(0);
  });

  it('stops firing once deleted; --abort-running aborts the running tick, which recovers its fault', async () => {
    const { scheduleId } = await t.apply(chaosSchedule('deletable', { duration: '60s' }));
    const running = await waitFor('the first tick injected', () => t.ticks(scheduleId)[0]);
    const io = captureIo();
    expect(
      await scheduleDeleteAction('deletable', { ...t.flags, abortRunning: true, output: 'json' }, io),
    ).toBe(0);
    const result = JSON.parse(io.out()) as { running: string[]; aborted: string[] };
    expect(result.aborted).toEqual([running.workflowId]);
    const deletedAt = Date.now();
    await waitFor('the aborted tick recovered', () => t.ticks(scheduleId)[0]!.recovers.length > 0, 10_000);
    expect(t.ticks(scheduleId)[0]!.recovers[0]! - deletedAt).toBeLessThan(5_000);
    const status = await readRunStatus(t.run(running.workflowId));
    expect(status.phase).toBe('Aborted');
    await sleep(4_000);
    expect(t.ticks(scheduleId)).toHaveLength(1);
    const missing = captureIo();
    await expect(scheduleDescribeAction('deletable', t.flags, missing)).rejects.toThrow(
      /no schedule default\/deletable/,
    );
  });

  it('leaves a running tick to finish when deleted without --abort-running', async () => {
    const { scheduleId } = await t.apply(chaosSchedule('left-running', { duration: '3s' }));
    const running = await waitFor('the first tick injected', () => t.ticks(scheduleId)[0]);
    const io = captureIo();
    expect(await scheduleDeleteAction('left-running', t.flags, io)).toBe(0);
    expect(io.out()).toContain(running.workflowId);
    const handle = t.run(running.workflowId);
    const final = await handle.result();
    expect(final.phase).toBe('Succeeded');
    expect(t.ticks(scheduleId)).toHaveLength(1);
    expect(t.ticks(scheduleId)[0]!.recovers.length).toBeGreaterThan(0);
  });

  it('updates in place: unchanged when nothing changed, the whole spec replaced, a manual pause kept', async () => {
    const cron = chaosSchedule('updated', { schedule: '*/10 * * * * *', extra: 'historyLimit: 1' });
    const created = await t.apply(cron);
    expect(created.outcome).toBe('created');
    expect((await t.apply(cron)).outcome).toBe('unchanged');
    await schedulePauseAction('updated', { ...t.flags, note: 'on hold' }, captureIo());

    const every = await t.apply(
      chaosSchedule('updated', { schedule: '@every 30s', extra: 'historyLimit: 1' }),
    );
    expect(every).toMatchObject({ outcome: 'updated', paused: true, note: 'on hold' });
    const description = await t.env.temporal.client.schedule.getHandle(every.scheduleId).describe();
    // The cron's calendar is gone (a kept one would fire alongside the interval: sdk-typescript#1926).
    expect(description.spec.calendars ?? []).toEqual([]);
    expect(description.spec.intervals).toHaveLength(1);
    const next = every.nextFireTimes.map((d) => d.getTime());
    expect(next[1]! - next[0]!).toBe(30_000);
    // `@every` stays on the grid of the schedule's creation.
    expect((next[0]! - Math.floor(description.info.createdAt.getTime() / 1000) * 1000) % 30_000).toBe(0);

    const suspended = await t.apply(
      chaosSchedule('updated', { schedule: '@every 30s', extra: 'historyLimit: 1\n  suspend: true' }),
    );
    expect(suspended).toMatchObject({ outcome: 'updated', paused: true });
    expect(suspended.note).toMatch(/spec\.suspend/);
    const resumed = await t.apply(
      chaosSchedule('updated', { schedule: '@every 30s', extra: 'historyLimit: 1' }),
    );
    expect(resumed).toMatchObject({ outcome: 'updated', paused: false });
    expect(await scheduleDeleteAction('updated', t.flags, captureIo())).toBe(0);
  });
});
