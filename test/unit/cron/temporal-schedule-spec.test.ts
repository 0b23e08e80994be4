import type { ScheduleSpec } from '@temporalio/client';
import { decodeScheduleSpec, encodeScheduleSpec } from '@temporalio/client/lib/schedule-helpers.js';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cronSchedule } from '../../../common/cron/next-fire-times.js';
import {
  toTemporalScheduleSpec,
  type TemporalScheduleSpec,
} from '../../../common/cron/temporal-schedule-spec.js';
import { evaluateSpec, offsetReader, type EvaluatedSpec } from './temporal-spec-evaluator.js';

/** What the Temporal client sends the server, read back: proves the client accepts the shape as it is. */
function throughClient(spec: TemporalScheduleSpec): EvaluatedSpec {
  return decodeScheduleSpec(encodeScheduleSpec(spec));
}

/** Chaos Mesh's fire times in (from, to]. */
function robfigTimes(expression: string, fromMs: number, toMs: number, defaultTimezone: string): number[] {
  const schedule = cronSchedule(expression, defaultTimezone);
  const out: number[] = [];
  for (let t = schedule.next(fromMs); t !== undefined && t <= toMs; t = schedule.next(t)) out.push(t);
  return out;
}

const YEAR_START = Date.parse('2024-01-01T00:00:00Z');
const YEAR_END = Date.parse('2025-01-01T00:00:00Z');

describe('toTemporalScheduleSpec', () => {
  it('produces a value the Temporal client accepts as a ScheduleSpec', () => {
    expectTypeOf<TemporalScheduleSpec>().toExtend<ScheduleSpec>();
    const decoded = throughClient(
      toTemporalScheduleSpec('0 9 * * MON-FRI', { timezone: 'Europe/Berlin' }).spec,
    );
    expect(decoded.timezone).toBe('Europe/Berlin');
    expect(decoded.calendars?.[0]?.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
  });

  it('sets every calendar field explicitly, since Temporal defaults second, minute and hour to 0', () => {
    const [calendar] = toTemporalScheduleSpec('* * * * * *').spec.calendars ?? [];
    expect(calendar).toMatchObject({
      second: '*',
      minute: '*',
      hour: '*',
      dayOfMonth: '*',
      month: '*',
      dayOfWeek: '*',
    });
  });

  it('keeps ranges and steps as written', () => {
    const [calendar] = toTemporalScheduleSpec('5/15 9-17/2 * JAN-MAR/2 *').spec.calendars ?? [];
    expect(calendar?.second).toEqual([{ start: 0, end: 0, step: 1 }]);
    expect(calendar?.minute).toEqual([{ start: 5, end: 59, step: 15 }]);
    expect(calendar?.hour).toEqual([{ start: 9, end: 17, step: 2 }]);
    expect(calendar?.month).toEqual([{ start: 'JANUARY', end: 'MARCH', step: 2 }]);
  });

  it("emits one calendar per day field when both are restricted, to keep Chaos Mesh's OR", () => {
    const result = toTemporalScheduleSpec('0 0 13 * 5');
    expect(result.spec.calendars).toHaveLength(2);
    expect(result.spec.calendars?.[0]).toMatchObject({
      dayOfMonth: [{ start: 13, end: 13, step: 1 }],
      dayOfWeek: '*',
    });
    expect(result.spec.calendars?.[1]).toMatchObject({
      dayOfMonth: '*',
      dayOfWeek: [{ start: 'FRIDAY', end: 'FRIDAY', step: 1 }],
    });
    expect(result.notes.join(' ')).toMatch(/EITHER/);
  });

  it('emits a single calendar when either day field is * or ?', () => {
    expect(toTemporalScheduleSpec('0 0 ? * 5').spec.calendars).toHaveLength(1);
    expect(toTemporalScheduleSpec('0 0 13 * *').spec.calendars).toHaveLength(1);
    expect(toTemporalScheduleSpec('0 0 */1 * MON').spec.calendars).toHaveLength(1);
  });

  it('defaults to UTC and says so', () => {
    const result = toTemporalScheduleSpec('@daily');
    expect(result).toMatchObject({ timezone: 'UTC', timezoneSource: 'default', spec: { timezone: 'UTC' } });
    expect(result.notes.join(' ')).toMatch(/UTC is used/);
  });

  it('takes the zone from the expression prefix or from the manifest', () => {
    expect(toTemporalScheduleSpec('CRON_TZ=Asia/Tokyo @daily')).toMatchObject({
      timezone: 'Asia/Tokyo',
      timezoneSource: 'expression',
    });
    expect(toTemporalScheduleSpec('@daily', { timezone: 'Asia/Tokyo' })).toMatchObject({
      timezone: 'Asia/Tokyo',
      timezoneSource: 'manifest',
    });
    expect(toTemporalScheduleSpec('TZ=Asia/Tokyo @daily', { timezone: 'Asia/Tokyo' }).timezoneSource).toBe(
      'expression',
    );
  });

  it('refuses a prefix and a manifest zone that disagree', () => {
    expect(() => toTemporalScheduleSpec('TZ=Asia/Tokyo @daily', { timezone: 'Europe/Paris' })).toThrow(
      expect.objectContaining({ code: 'CRON_TIMEZONE_CONFLICT' }),
    );
  });

  it('refuses an unknown manifest zone', () => {
    expect(() => toTemporalScheduleSpec('@daily', { timezone: 'Europe/Atlantis' })).toThrow(
      expect.objectContaining({ code: 'CRON_BAD_TIMEZONE' }),
    );
  });

  it('passes jitter through in milliseconds and refuses a negative one', () => {
    expect(toTemporalScheduleSpec('@hourly', { jitterMs: 30_000 }).spec.jitter).toBe(30_000);
    expect(() => toTemporalScheduleSpec('@hourly', { jitterMs: -1 })).toThrow(
      expect.objectContaining({ code: 'CRON_BAD_ARGUMENT' }),
    );
  });

  it('turns @every into an interval whose phase puts the first run at anchor + d, truncated to the second', () => {
    const anchor = Date.parse('2024-02-03T04:05:06.789Z');
    const { spec, notes } = toTemporalScheduleSpec('@every 7m', { anchor });
    const [interval] = spec.intervals ?? [];
    expect(interval?.every).toBe(420_000);
    const first = evaluateSpec(spec, anchor, anchor + 420_000)[0];
    expect(new Date(first ?? 0).toISOString()).toBe('2024-02-03T04:12:06.000Z');
    expect(notes.join(' ')).toMatch(/drift/);
  });

  it('requires an anchor for @every', () => {
    expect(() => toTemporalScheduleSpec('@every 5m')).toThrow(
      expect.objectContaining({ code: 'CRON_ANCHOR_REQUIRED' }),
    );
  });
});

describe('Temporal spec fire times equal Chaos Mesh fire times over a year', () => {
  const expressions = [
    '0 0 13 * 5',
    '30 2 * * *',
    '30 1 * * *',
    '0 * * * *',
    '*/15 1-3 * * *',
    '0 0 1-7 * MON',
    '0 0 */2 * MON',
    '0 0 */1 * MON',
    '15,45 */3 * * MON-FRI',
    '*/30 */10 0-3 * * *',
    '10/20 */7 1,15 JAN-JUN *',
    '0 12 ? * SAT,SUN',
    '0 0 31 * *',
    '0 0 29 2 *',
    '0 0 1,15 * SUN',
    '@yearly',
    '@monthly',
    '@weekly',
    '@daily',
    '@hourly',
  ];
  // Zones where the two schedulers agree on every day of the year: no DST, or DST west of UTC (New York;
  // Santiago and St Johns change at midnight and by a half-hour offset).
  const exactZones = ['UTC', 'Asia/Kolkata', 'America/New_York', 'America/Santiago', 'America/St_Johns'];
  for (const zone of exactZones) {
    for (const expression of expressions) {
      it(`${expression} in ${zone}`, () => {
        const { spec } = toTemporalScheduleSpec(expression, { timezone: zone });
        const expected = evaluateSpec(throughClient(spec), YEAR_START, YEAR_END);
        const actual = robfigTimes(expression, YEAR_START, YEAR_END, zone);
        expect(actual.length).toBeGreaterThan(0);
        expect(actual.map((t) => new Date(t).toISOString())).toEqual(
          expected.map((t) => new Date(t).toISOString()),
        );
      });
    }
  }

  // Zones where they differ, only next to a clock change: east of UTC the Temporal server runs a repeated
  // wall-clock time once (see temporal-spec-evaluator.ts); Lord Howe's 30-minute shifts trip robfig. The
  // translation says so in its notes.
  const nearChangeZones: [string, RegExp][] = [
    ['Europe/Berlin', /sets its clocks back/],
    ['Europe/London', /sets its clocks back/],
    ['Australia/Sydney', /sets its clocks back/],
    ['Australia/Lord_Howe', /fraction of an hour/],
  ];
  for (const [zone, note] of nearChangeZones) {
    it(`differs from Chaos Mesh in ${zone} only next to a clock change, and says so`, () => {
      const offsetAt = offsetReader(zone);
      const changes: number[] = [];
      for (let t = YEAR_START; t < YEAR_END; t += 3_600_000) {
        if (offsetAt(t) !== offsetAt(t + 3_600_000)) changes.push(t + 3_600_000);
      }
      expect(changes).toHaveLength(2);
      let differing = 0;
      for (const expression of expressions) {
        const { spec, notes } = toTemporalScheduleSpec(expression, { timezone: zone });
        expect(notes.join(' ')).toMatch(note);
        const temporal = evaluateSpec(throughClient(spec), YEAR_START, YEAR_END);
        const robfig = robfigTimes(expression, YEAR_START, YEAR_END, zone);
        const inTemporal = new Set(temporal);
        const inRobfig = new Set(robfig);
        const union = [...new Set([...temporal, ...robfig])].sort((a, b) => a - b);
        const near = (t: number) => {
          const before = union[union.indexOf(t) - 1] ?? YEAR_START;
          // within a day of a change, or the first run after one (weekly schedules)
          return changes.some((c) => Math.abs(t - c) <= 86_400_000 || (before < c && c <= t));
        };
        const diff = union.filter((t) => !inTemporal.has(t) || !inRobfig.has(t));
        expect(
          diff.filter((t) => !near(t)).map((t) => `${expression}: ${new Date(t).toISOString()}`),
        ).toEqual([]);
        differing += diff.length;
      }
      expect(differing).toBeGreaterThan(0);
    });
  }

  it('adds no DST note for zones where nothing differs', () => {
    for (const zone of exactZones) {
      const { notes } = toTemporalScheduleSpec('0 * * * *', { timezone: zone });
      expect(notes.join(' ')).not.toMatch(/clocks back|fraction of an hour/);
    }
  });

  for (const expression of ['@every 7m', '@every 1h30m', '@every 25h', '@every 2m30.9s']) {
    it(`${expression} from its anchor`, () => {
      const anchor = Date.parse('2024-02-03T04:05:06.789Z');
      const to = anchor + 365 * 86_400_000;
      const { spec } = toTemporalScheduleSpec(expression, { anchor });
      const expected = evaluateSpec(throughClient(spec), anchor, to);
      const actual = robfigTimes(expression, anchor, to, 'UTC');
      expect(actual.length).toBeGreaterThan(0);
      expect(actual).toEqual(expected);
    });
  }

  // cron-parser agrees with robfig on plain expressions in UTC (it ORs the day fields too, but reads `*/1` as `*`
  // differently and knows no `@every`), so it serves as a third opinion there.
  for (const expression of [
    '0 0 13 * 5',
    '*/15 1-3 * * *',
    '0 0 1,15 * SUN',
    '15,45 */3 * * MON-FRI',
    '0 0 31 * *',
  ]) {
    it(`${expression} in UTC matches cron-parser too`, () => {
      const parser = CronExpressionParser.parse(expression, { currentDate: new Date(YEAR_START), tz: 'UTC' });
      const theirs: number[] = [];
      for (let t = parser.next().getTime(); t <= YEAR_END; t = parser.next().getTime()) theirs.push(t);
      expect(robfigTimes(expression, YEAR_START, YEAR_END, 'UTC')).toEqual(theirs);
    });
  }
});
