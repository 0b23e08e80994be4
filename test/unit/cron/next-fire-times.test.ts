import { describe, expect, it } from 'vitest';
import { cronSchedule, nextFireTimes } from '../../../common/cron/next-fire-times.js';

/**
 * Expected fire times worked out by hand from robfig/cron v3's rules (spec.go, parser.go, constantdelay.go),
 * not by running this code. Calendar facts used: 2024-01-01 is a Monday and 2024 a leap year; New York moves
 * 02:00 EST -> 03:00 EDT on 2024-03-10 and 02:00 EDT -> 01:00 EST on 2024-11-03; Berlin moves 02:00 CET -> 03:00
 * CEST on 2024-03-31 and 03:00 CEST -> 02:00 CET on 2024-10-27; Sao Paulo (2018) moved 00:00 -> 01:00 on
 * 2018-11-04 and 00:00 -> 23:00 (previous day) on 2019-02-17.
 * Every fire time is strictly after `from` (robfig starts at the next whole second).
 */
interface Row {
  expr: string;
  from: string;
  expected: string[];
  /** Stands in for Chaos Mesh's controller-local zone. */
  defaultTz?: string;
  why?: string;
}

const rows: Row[] = [
  // --- 5 fields, seconds default to 0
  {
    expr: '*/15 * * * *',
    from: '2024-01-01T00:07:30Z',
    expected: [
      '2024-01-01T00:15:00Z',
      '2024-01-01T00:30:00Z',
      '2024-01-01T00:45:00Z',
      '2024-01-01T01:00:00Z',
    ],
  },
  {
    expr: '0 */2 * * *',
    from: '2024-01-01T01:00:00Z',
    expected: ['2024-01-01T02:00:00Z', '2024-01-01T04:00:00Z', '2024-01-01T06:00:00Z'],
  },
  {
    expr: '* * * * *',
    from: '2024-01-01T00:00:30Z',
    expected: ['2024-01-01T00:01:00Z', '2024-01-01T00:02:00Z'],
  },
  {
    expr: '5/15 * * * *',
    from: '2024-01-01T00:50:00Z',
    expected: ['2024-01-01T01:05:00Z', '2024-01-01T01:20:00Z', '2024-01-01T01:35:00Z'],
    why: '"5/15" means 5-59/15: minutes 5, 20, 35, 50',
  },
  {
    expr: '59 23 31 12 *',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-12-31T23:59:00Z', '2025-12-31T23:59:00Z'],
  },
  // --- 6 fields: a leading seconds field
  {
    expr: '*/20 * * * * *',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-01T00:00:20Z', '2024-01-01T00:00:40Z', '2024-01-01T00:01:00Z'],
  },
  {
    expr: '30 15 10 * * *',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-01T10:15:30Z', '2024-01-02T10:15:30Z', '2024-01-03T10:15:30Z'],
  },
  // --- names, ranges, lists, steps
  {
    expr: '0 9 * * MON-FRI',
    from: '2024-01-05T10:00:00Z',
    expected: ['2024-01-08T09:00:00Z', '2024-01-09T09:00:00Z', '2024-01-10T09:00:00Z'],
    why: 'Friday 09:00 has passed; the weekend is skipped',
  },
  {
    expr: '0 0 1 JAN,jul *',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-07-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z'],
    why: 'names are case-insensitive; from itself is excluded',
  },
  {
    expr: '0 0 1 */3 *',
    from: '2024-01-01T00:00:00Z',
    expected: [
      '2024-04-01T00:00:00Z',
      '2024-07-01T00:00:00Z',
      '2024-10-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    ],
    why: 'months 1, 4, 7, 10',
  },
  {
    expr: '0 0 * * 1/2',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-03T00:00:00Z', '2024-01-05T00:00:00Z', '2024-01-08T00:00:00Z'],
    why: '"1/2" in day-of-week means 1-6/2: Monday, Wednesday, Friday; day-of-month is * so both must match',
  },
  {
    expr: '0 0 * 2 SUN',
    from: '2024-01-01T00:00:00Z',
    expected: [
      '2024-02-04T00:00:00Z',
      '2024-02-11T00:00:00Z',
      '2024-02-18T00:00:00Z',
      '2024-02-25T00:00:00Z',
      '2025-02-02T00:00:00Z',
    ],
  },
  {
    expr: '0 0 31 * *',
    from: '2024-01-31T00:00:00Z',
    expected: [
      '2024-03-31T00:00:00Z',
      '2024-05-31T00:00:00Z',
      '2024-07-31T00:00:00Z',
      '2024-08-31T00:00:00Z',
    ],
    why: 'months without a 31st are skipped',
  },
  {
    expr: '0 0 29 2 *',
    from: '2024-03-01T00:00:00Z',
    expected: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'],
    why: "leap days only; each is within robfig's five-year search limit",
  },
  // --- `?` and the day-of-month / day-of-week rule
  {
    expr: '0 12 ? * SUN',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-07T12:00:00Z', '2024-01-14T12:00:00Z', '2024-01-21T12:00:00Z'],
    why: '"?" is "*", so day-of-week alone decides',
  },
  {
    expr: '0 0 ? * 1,5',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-05T00:00:00Z', '2024-01-08T00:00:00Z', '2024-01-12T00:00:00Z'],
  },
  {
    expr: '0 0 13 * 5',
    from: '2024-09-01T00:00:00Z',
    expected: [
      '2024-09-06T00:00:00Z',
      '2024-09-13T00:00:00Z',
      '2024-09-20T00:00:00Z',
      '2024-09-27T00:00:00Z',
      '2024-10-04T00:00:00Z',
      '2024-10-11T00:00:00Z',
      '2024-10-13T00:00:00Z',
      '2024-10-18T00:00:00Z',
    ],
    why: 'both day fields restricted: the 13th OR any Friday (2024-10-13 is a Sunday, 2024-09-13 both)',
  },
  {
    expr: '0 0 1,15 * SUN',
    from: '2024-02-01T00:00:00Z',
    expected: [
      '2024-02-04T00:00:00Z',
      '2024-02-11T00:00:00Z',
      '2024-02-15T00:00:00Z',
      '2024-02-18T00:00:00Z',
      '2024-02-25T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-03-03T00:00:00Z',
    ],
    why: 'the 1st, the 15th, or a Sunday',
  },
  {
    expr: '0 0 1-7 * MON',
    from: '2024-01-05T12:00:00Z',
    expected: [
      '2024-01-06T00:00:00Z',
      '2024-01-07T00:00:00Z',
      '2024-01-08T00:00:00Z',
      '2024-01-15T00:00:00Z',
      '2024-01-22T00:00:00Z',
      '2024-01-29T00:00:00Z',
      '2024-02-01T00:00:00Z',
    ],
    why: 'not "the first Monday": days 1-7 OR any Monday, as in Vixie cron',
  },
  {
    expr: '0 0 */1 * MON',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-08T00:00:00Z', '2024-01-15T00:00:00Z', '2024-01-22T00:00:00Z'],
    why: '"*/1" keeps the star bit, so both fields must match: Mondays only',
  },
  {
    expr: '0 0 */2 * MON',
    from: '2024-01-01T00:00:00Z',
    expected: [
      '2024-01-03T00:00:00Z',
      '2024-01-05T00:00:00Z',
      '2024-01-07T00:00:00Z',
      '2024-01-08T00:00:00Z',
      '2024-01-09T00:00:00Z',
    ],
    why: '"*/2" (a step above 1) clears the star bit: odd days OR Mondays',
  },
  {
    expr: '0 0 * * */2',
    from: '2024-01-01T00:00:00Z',
    expected: [
      '2024-01-02T00:00:00Z',
      '2024-01-04T00:00:00Z',
      '2024-01-06T00:00:00Z',
      '2024-01-07T00:00:00Z',
    ],
    why: 'day-of-month is *, so day-of-week alone decides: Sun, Tue, Thu, Sat',
  },
  // --- descriptors
  {
    expr: '@yearly',
    from: '2024-03-01T00:00:00Z',
    expected: ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
  },
  { expr: '@annually', from: '2024-01-01T00:00:00Z', expected: ['2025-01-01T00:00:00Z'] },
  {
    expr: '@monthly',
    from: '2024-01-31T12:00:00Z',
    expected: ['2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'],
  },
  {
    expr: '@weekly',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-07T00:00:00Z', '2024-01-14T00:00:00Z', '2024-01-21T00:00:00Z'],
    why: 'Sundays at midnight',
  },
  {
    expr: '@daily',
    from: '2024-02-28T00:00:00Z',
    expected: ['2024-02-29T00:00:00Z', '2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'],
  },
  {
    expr: '@midnight',
    from: '2024-12-31T23:59:59Z',
    expected: ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z'],
  },
  {
    expr: '@hourly',
    from: '2024-01-01T00:59:59.999Z',
    expected: ['2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z', '2024-01-01T03:00:00Z'],
  },
  // --- @every: from + d, truncated to seconds
  {
    expr: '@every 90s',
    from: '2024-01-01T00:00:00.250Z',
    expected: ['2024-01-01T00:01:30Z', '2024-01-01T00:03:00Z', '2024-01-01T00:04:30Z'],
    why: 'from is truncated to the second before d is added',
  },
  {
    expr: '@every 1h30m',
    from: '2024-01-01T00:00:10Z',
    expected: ['2024-01-01T01:30:10Z', '2024-01-01T03:00:10Z', '2024-01-01T04:30:10Z'],
  },
  {
    expr: '@every 500ms',
    from: '2024-01-01T00:00:00.500Z',
    expected: ['2024-01-01T00:00:01Z', '2024-01-01T00:00:02Z', '2024-01-01T00:00:03Z'],
    why: 'durations under a second become one second',
  },
  {
    expr: '@every 2.9s',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-01T00:00:02Z', '2024-01-01T00:00:04Z'],
    why: 'the sub-second part is dropped, not rounded',
  },
  {
    expr: 'TZ=America/New_York @every 1h',
    from: '2024-03-10T06:30:00Z',
    expected: ['2024-03-10T07:30:00Z', '2024-03-10T08:30:00Z'],
    why: 'the zone does not matter to @every, not even across a DST change',
  },
  // --- time zones
  {
    expr: '0 9 * * *',
    defaultTz: 'Asia/Tokyo',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'],
    why: "no prefix: the default zone (Chaos Mesh: the controller's) applies; 09:00 JST = 00:00Z, from excluded",
  },
  {
    expr: 'TZ=UTC 0 0 * * *',
    defaultTz: 'Asia/Tokyo',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'],
    why: 'the prefix wins over the default zone',
  },
  {
    expr: 'TZ=Asia/Kolkata 0 9 * * *',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-01T03:30:00Z', '2024-01-02T03:30:00Z'],
  },
  {
    expr: 'TZ=America/New_York @daily',
    from: '2024-01-01T00:00:00Z',
    expected: ['2024-01-01T05:00:00Z', '2024-01-02T05:00:00Z'],
  },
  // --- DST, clocks forward: a missing wall-clock time is skipped
  {
    expr: 'TZ=America/New_York 30 2 * * *',
    from: '2024-03-09T00:00:00Z',
    expected: ['2024-03-09T07:30:00Z', '2024-03-11T06:30:00Z', '2024-03-12T06:30:00Z'],
    why: '02:30 does not exist on 2024-03-10 in New York',
  },
  {
    expr: 'CRON_TZ=America/New_York 0 * * * *',
    from: '2024-03-10T05:30:00Z',
    expected: ['2024-03-10T06:00:00Z', '2024-03-10T07:00:00Z', '2024-03-10T08:00:00Z'],
    why: '01:00 EST, then 03:00 EDT: the 02:00 hour does not exist',
  },
  {
    expr: 'TZ=Europe/Berlin 30 2 * * *',
    from: '2024-03-30T00:00:00Z',
    expected: ['2024-03-30T01:30:00Z', '2024-04-01T00:30:00Z'],
    why: '02:30 does not exist on 2024-03-31 in Berlin',
  },
  {
    expr: 'TZ=America/Sao_Paulo @daily',
    from: '2018-11-02T12:00:00Z',
    expected: ['2018-11-03T03:00:00Z', '2018-11-05T02:00:00Z', '2018-11-06T02:00:00Z'],
    why: 'midnight itself did not exist on 2018-11-04 (00:00 -> 01:00), so that day has no run',
  },
  {
    expr: 'TZ=Australia/Lord_Howe 30 1 * * *',
    from: '2024-10-05T12:00:00Z',
    expected: ['2024-10-05T15:00:00Z', '2024-10-05T15:30:00Z', '2024-10-06T14:30:00Z'],
    why: 'a robfig quirk kept on purpose: Lord Howe jumps 02:00 -> 02:30; stepping minutes from 01:59 lands on 02:30, and robfig does not re-check the hour, so it also fires at 02:30',
  },
  // --- DST, clocks back: a repeated wall-clock time fires twice
  {
    expr: 'CRON_TZ=America/New_York 30 1 * * *',
    from: '2024-11-03T04:00:00Z',
    expected: ['2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-04T06:30:00Z'],
    why: '01:30 EDT and 01:30 EST are both 01:30',
  },
  {
    expr: 'TZ=America/New_York 0 0 2 * * *',
    from: '2024-11-03T04:00:00Z',
    expected: ['2024-11-03T07:00:00Z', '2024-11-04T07:00:00Z'],
    why: '02:00 happens once, in EST',
  },
  {
    expr: 'TZ=Europe/Berlin 30 2 * * *',
    from: '2024-10-26T12:00:00Z',
    expected: ['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z', '2024-10-28T01:30:00Z'],
    why: '02:30 CEST, then 02:30 CET',
  },
  {
    expr: 'TZ=America/Sao_Paulo 0 30 23 * * *',
    from: '2019-02-16T12:00:00Z',
    expected: ['2019-02-17T01:30:00Z', '2019-02-17T02:30:00Z', '2019-02-18T02:30:00Z'],
    why: '23:00-24:00 of 2019-02-16 happened twice (-02, then -03)',
  },
];

describe('nextFireTimes (Chaos Mesh / robfig semantics)', () => {
  it('has a table of at least 30 expressions', () => {
    expect(new Set(rows.map((r) => r.expr)).size).toBeGreaterThanOrEqual(30);
  });

  for (const row of rows) {
    const label = `${row.expr}${row.defaultTz ? ` [default ${row.defaultTz}]` : ''} after ${row.from}`;
    it(`fires ${label}${row.why ? ` (${row.why})` : ''}`, () => {
      const got = nextFireTimes(row.expr, new Date(row.from), row.expected.length, row.defaultTz);
      expect(got.map((d) => d.toISOString())).toEqual(row.expected.map((e) => new Date(e).toISOString()));
    });
  }

  it('returns fewer times than asked when none exists within five years, as robfig does', () => {
    // The next February 29th after 2096 is in 2104 (2100 is no leap year): more than five years away.
    const got = nextFireTimes('0 0 29 2 *', new Date('2096-03-01T00:00:00Z'), 2);
    expect(got).toEqual([]);
  });

  it('accepts a timestamp in milliseconds as well as a Date', () => {
    const from = Date.parse('2024-01-01T00:00:00Z');
    expect(nextFireTimes('@hourly', from, 1)[0]?.toISOString()).toBe('2024-01-01T01:00:00.000Z');
  });

  it('refuses a negative count with CRON_BAD_ARGUMENT', () => {
    expect(() => nextFireTimes('@hourly', 0, -1)).toThrow(
      expect.objectContaining({ code: 'CRON_BAD_ARGUMENT' }),
    );
  });

  it('refuses an unknown default time zone with CRON_BAD_TIMEZONE', () => {
    expect(() => nextFireTimes('@hourly', 0, 1, 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'CRON_BAD_TIMEZONE' }),
    );
  });

  it('compiles once and steps through fire times with cronSchedule', () => {
    const schedule = cronSchedule('CRON_TZ=Europe/Berlin 0 8 * * *');
    expect(schedule.timezone).toBe('Europe/Berlin');
    const first = schedule.next(Date.parse('2024-06-01T00:00:00Z'));
    expect(first).toBe(Date.parse('2024-06-01T06:00:00Z'));
    expect(schedule.next(first ?? 0)).toBe(Date.parse('2024-06-02T06:00:00Z'));
  });
});
