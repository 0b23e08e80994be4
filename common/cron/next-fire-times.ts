/**
 * When a Chaos Mesh schedule fires: a line-by-line port of robfig/cron v3's `SpecSchedule.Next` and
 * `ConstantDelaySchedule.Next`, so that fire times match Chaos Mesh's controller also in the corners.
 *
 * - Day-of-month and day-of-week: when either field is `*` or `?` (robfig's star bit; `*\/2` does not count),
 *   both must match; when both are restricted, a day matches if EITHER does (`0 0 13 * 5` = the 13th or any
 *   Friday).
 * - Daylight saving time, as robfig does it (and as its tests state): a wall-clock time that does not exist
 *   (02:30 on a spring-forward night in New York) is skipped, not moved; a wall-clock time that happens twice
 *   (01:30 on a fall-back night) fires twice, once per offset. Hourly and finer schedules simply follow the
 *   wall clock, so they skip the missing hour and run the repeated one twice. Where a clock change is not a
 *   whole hour (Australia/Lord_Howe), robfig's steps in absolute time can land on a wrong half hour right after
 *   the change (`30 1 * * *` also fires at 02:30 when 02:00 becomes 02:30): reproduced, since Chaos Mesh does it.
 * - `@every d`: robfig's ConstantDelaySchedule fires at `from + d`, `from + 2d`, ... with `from` truncated to
 *   the second and `d` truncated to whole seconds (at least one). In Chaos Mesh `from` is the schedule's
 *   creation time, then the wall-clock time of the last run.
 * - A schedule with no fire time within five years of `from` stops there (robfig returns the zero time).
 */
import { CronError } from './cron-error.js';
import { parseCron, type ParsedCron, type SpecCron } from './parse-cron.js';
import { lookupTimeZone, type TimeZone } from './time-zone.js';
import { fromWallClock, wallClock, type WallClock } from './zoned-time.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface CronSchedule {
  /** The zone the fields are read in: the expression's prefix, else the default given. */
  readonly timezone: string;
  readonly parsed: ParsedCron;
  /** The first fire time strictly after `afterMs` (UTC ms), or undefined when there is none within 5 years. */
  next(afterMs: number): number | undefined;
}

/**
 * Compiles an expression once, for callers that step through many fire times (the workflow's Schedule node).
 * `defaultTimezone` stands in for Chaos Mesh's controller-local zone when the expression has no prefix.
 */
export function cronSchedule(expression: string, defaultTimezone = 'UTC'): CronSchedule {
  const parsed = parseCron(expression);
  const timezone = parsed.timezone ?? defaultTimezone;
  const lookup = lookupTimeZone(timezone);
  if (!lookup.ok) {
    throw new CronError('CRON_BAD_TIMEZONE', lookup.problem, { expression, hint: lookup.hint });
  }
  const zone = lookup.zone;
  if (parsed.kind === 'every') {
    const every = parsed.everyMs;
    return { timezone, parsed, next: (afterMs) => Math.floor(afterMs / SECOND) * SECOND + every };
  }
  return { timezone, parsed, next: (afterMs) => specNext(parsed, zone, afterMs) };
}

/** The next `count` fire times after `from`, as Chaos Mesh's controller would compute them. */
export function nextFireTimes(
  expression: string,
  from: Date | number,
  count: number,
  defaultTimezone = 'UTC',
): Date[] {
  const start = typeof from === 'number' ? from : from.getTime();
  if (!Number.isFinite(start) || !Number.isInteger(count) || count < 0) {
    throw new CronError('CRON_BAD_ARGUMENT', `cannot list ${count} fire times after ${String(from)}`, {
      expression,
      hint: 'Pass a valid date and a whole count of 0 or more.',
    });
  }
  const schedule = cronSchedule(expression, defaultTimezone);
  const times: Date[] = [];
  let t = start;
  while (times.length < count) {
    const next = schedule.next(t);
    if (next === undefined) break;
    times.push(new Date(next));
    t = next;
  }
  return times;
}

function dayMatches(s: SpecCron, w: WallClock): boolean {
  const { dayOfMonth, dayOfWeek } = s.fields;
  const dom = dayOfMonth.matches[w.day] === true;
  const dow = dayOfWeek.matches[w.weekday] === true;
  return dayOfMonth.star || dayOfWeek.star ? dom && dow : dom || dow;
}

// The structure, including the `added` flag and the wrap-arounds, follows robfig's spec.go on purpose: its
// DST behaviour comes from exactly these steps (absolute-time hour steps, Go's time.Date normalisation).
function specNext(s: SpecCron, zone: TimeZone, afterMs: number): number | undefined {
  const { second, minute, hour, month } = s.fields;
  let t = Math.floor(afterMs / SECOND) * SECOND + SECOND;
  let w = wallClock(t, zone);
  const set = (utc: number) => {
    t = utc;
    w = wallClock(t, zone);
  };
  let added = false;
  const yearLimit = w.year + 5;

  wrap: for (;;) {
    if (w.year > yearLimit) return undefined;

    while (month.matches[w.month] !== true) {
      if (!added) {
        added = true;
        set(fromWallClock(zone, w.year, w.month, 1, 0, 0, 0));
      }
      set(fromWallClock(zone, w.year, w.month + 1, w.day, w.hour, w.minute, w.second));
      if (w.month === 1) continue wrap;
    }

    while (!dayMatches(s, w)) {
      if (!added) {
        added = true;
        set(fromWallClock(zone, w.year, w.month, w.day, 0, 0, 0));
      }
      set(fromWallClock(zone, w.year, w.month, w.day + 1, w.hour, w.minute, w.second));
      // Where midnight does not exist, the day starts at 01:00 (or the previous 23:00): robfig moves back to the
      // start of the intended day.
      if (w.hour !== 0) set(t + (w.hour > 12 ? 24 - w.hour : -w.hour) * HOUR);
      if (w.day === 1) continue wrap;
    }

    while (hour.matches[w.hour] !== true) {
      if (!added) {
        added = true;
        set(fromWallClock(zone, w.year, w.month, w.day, w.hour, 0, 0));
      }
      set(t + HOUR);
      if (w.hour === 0) continue wrap;
    }

    while (minute.matches[w.minute] !== true) {
      if (!added) {
        added = true;
        set(Math.floor(t / MINUTE) * MINUTE);
      }
      set(t + MINUTE);
      if (w.minute === 0) continue wrap;
    }

    while (second.matches[w.second] !== true) {
      if (!added) {
        added = true;
        set(Math.floor(t / SECOND) * SECOND);
      }
      set(t + SECOND);
      if (w.second === 0) continue wrap;
    }

    return t;
  }
}
