/**
 * Translates a Chaos Mesh schedule into a Temporal Schedule spec with the same fire times.
 *
 * Structured `calendars` rather than `cronExpressions`: Temporal reads a 6-field cron as ending in a *year*,
 * has no `?`, and ANDs day-of-month with day-of-week; calendars state the meaning instead of relying on a second
 * dialect. Where Chaos Mesh ORs the day fields (both restricted), two calendars are emitted, one per day field;
 * Temporal fires at the union of its calendars.
 *
 * `@every d` becomes an interval. Temporal intervals are aligned to the Unix epoch (`epoch + n*every + offset`)
 * while robfig counts from the schedule's start, so the offset is chosen to put the grid on `anchor + n*d`
 * (anchor truncated to the second, as robfig does): the first run is at `anchor + d`, as in Chaos Mesh. What
 * remains different: Chaos Mesh counts each interval from the wall-clock time the previous run actually started
 * (so its runs drift later by the controller's latency, and a pause or a Forbid-skipped run moves the phase);
 * Temporal stays on the fixed grid.
 *
 * Daylight saving time is not translated, and the two schedulers agree except on the nights clocks change in
 * some zones (measured over a year of fire times for 20 expressions, and against a real Temporal server):
 * - zones west of UTC (America/*): identical, including the skipped 02:30 and the twice-run 01:30;
 * - zones with DST whose standard offset is UTC or east of it (Europe/*, Australia/Sydney, Pacific/Auckland):
 *   on the night the clocks go back, Temporal's calendar code (service/worker/scheduler/calendar.go) runs a
 *   repeated wall-clock time once, not twice, and can run the hour before the change an hour late;
 * - Australia/Lord_Howe (30-minute shifts): robfig itself misbehaves right after each shift.
 * The result's `notes` say so when the zone is affected; nothing is rejected, since every other day matches.
 *
 * The types below mirror `@temporalio/client`'s `ScheduleSpec` (which `common/` must not import); a test checks
 * that the result is assignable to it.
 */
import { CronError } from './cron-error.js';
import { CRON_FIELD_BOUNDS, type CronField, type CronFieldName } from './cron-fields.js';
import { parseCron, type SpecCron } from './parse-cron.js';
import { lookupTimeZone, zoneQuirks } from './time-zone.js';

export const TEMPORAL_MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;
export type TemporalMonth = (typeof TEMPORAL_MONTHS)[number];

export const TEMPORAL_DAYS_OF_WEEK = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
] as const;
export type TemporalDayOfWeek = (typeof TEMPORAL_DAYS_OF_WEEK)[number];

export interface TemporalRange<U> {
  start: U;
  end: U;
  step: number;
}

/** Every field is set explicitly: Temporal's defaults (0 for second, minute, hour) are not cron's. */
export interface TemporalCalendarSpec {
  second: TemporalRange<number>[] | '*';
  minute: TemporalRange<number>[] | '*';
  hour: TemporalRange<number>[] | '*';
  dayOfMonth: TemporalRange<number>[] | '*';
  month: TemporalRange<TemporalMonth>[] | '*';
  dayOfWeek: TemporalRange<TemporalDayOfWeek>[] | '*';
  comment?: string;
}

export interface TemporalIntervalSpec {
  /** Milliseconds, a whole number of seconds. */
  every: number;
  /** Milliseconds in [0, every): the phase from the Unix epoch. */
  offset: number;
}

export interface TemporalScheduleSpec {
  calendars?: TemporalCalendarSpec[];
  intervals?: TemporalIntervalSpec[];
  /** IANA name; always set, so the schedule never depends on the server's default. */
  timezone: string;
  /** Milliseconds. */
  jitter?: number;
}

export type TimezoneSource = 'expression' | 'manifest' | 'default';

export interface CronTranslation {
  spec: TemporalScheduleSpec;
  timezone: string;
  /** Where the zone came from: the `CRON_TZ=`/`TZ=` prefix, the manifest's `timezone`, or the UTC default. */
  timezoneSource: TimezoneSource;
  /** Differences from Chaos Mesh that remain, and choices made, as sentences for status and `chaosflow plan`. */
  notes: string[];
}

export interface TranslateOptions {
  /** The manifest's time zone (a chaosflow extension). Must agree with a prefix in the expression. */
  timezone?: string;
  /** Delay each run by a random 0..jitterMs (Temporal's `jitter`). */
  jitterMs?: number;
  /** When the schedule starts counting (`@every` only): Chaos Mesh's creationTimestamp. */
  anchor?: Date | number;
}

export const DEFAULT_TIMEZONE = 'UTC';

export function toTemporalScheduleSpec(expression: string, options: TranslateOptions = {}): CronTranslation {
  const parsed = parseCron(expression);
  const notes: string[] = [];
  const { timezone, timezoneSource } = chooseTimezone(expression, parsed.timezone, options.timezone);
  if (timezoneSource === 'default' && parsed.kind === 'spec') {
    notes.push(
      `No time zone given: ${DEFAULT_TIMEZONE} is used (Chaos Mesh uses its controller's local zone, UTC in its default install).`,
    );
  }
  const jitter = options.jitterMs;
  if (jitter !== undefined && (!Number.isFinite(jitter) || jitter < 0)) {
    throw new CronError('CRON_BAD_ARGUMENT', `jitter ${jitter} ms is not a duration`, {
      expression,
      hint: 'Give a jitter of 0 ms or more.',
    });
  }
  const spec: TemporalScheduleSpec = { timezone, ...(jitter ? { jitter } : {}) };

  if (parsed.kind === 'every') {
    const anchor = options.anchor === undefined ? undefined : Number(options.anchor);
    if (anchor === undefined || !Number.isFinite(anchor)) {
      throw new CronError(
        'CRON_ANCHOR_REQUIRED',
        '"@every" needs the time the schedule starts counting from',
        {
          expression,
          hint: "Pass `anchor` (the Schedule's creation time): runs then happen at anchor + n × interval.",
        },
      );
    }
    const every = parsed.everyMs;
    const anchorSecond = Math.floor(anchor / 1000) * 1000;
    spec.intervals = [{ every, offset: ((anchorSecond % every) + every) % every }];
    notes.push(
      `"@every" runs on the fixed grid ${new Date(anchorSecond).toISOString()} + n × ${every / 1000}s; Chaos Mesh counts each interval from the moment the previous run started, so its runs drift later and shift after a pause or a skipped run.`,
    );
    if (parsed.timezone) notes.push('The time zone prefix has no effect on "@every".');
    return { spec, timezone, timezoneSource, notes };
  }

  spec.calendars = calendarsOf(parsed);
  const zone = lookupTimeZone(timezone);
  const quirks = zone.ok ? zoneQuirks(zone.zone) : undefined;
  if (quirks?.repeatedTimeResolvesLate) {
    notes.push(
      `On the night ${timezone} sets its clocks back, Temporal runs a wall-clock time that happens twice only once, and may run a schedule for the hour before the change an hour late; Chaos Mesh runs both passes. Every other day is identical.`,
    );
  }
  if (quirks?.shiftsByFractionOfHour) {
    notes.push(
      `${timezone} shifts its clocks by a fraction of an hour: right after each shift Chaos Mesh's cron library can skip a run or fire at a wrong half hour; Temporal does neither.`,
    );
  }
  if (spec.calendars.length === 2) {
    notes.push(
      'Day-of-month and day-of-week are both restricted: Chaos Mesh fires when EITHER matches, so the spec has one calendar per day field (Temporal would AND them in one calendar).',
    );
  }
  return { spec, timezone, timezoneSource, notes };
}

function chooseTimezone(
  expression: string,
  fromExpression: string | undefined,
  fromManifest: string | undefined,
): { timezone: string; timezoneSource: TimezoneSource } {
  if (fromManifest !== undefined) {
    const lookup = lookupTimeZone(fromManifest);
    if (!lookup.ok)
      throw new CronError('CRON_BAD_TIMEZONE', lookup.problem, { expression, hint: lookup.hint });
    if (fromExpression !== undefined && fromExpression !== fromManifest) {
      throw new CronError(
        'CRON_TIMEZONE_CONFLICT',
        `the expression says time zone "${fromExpression}" but the manifest's timezone is "${fromManifest}"`,
        { expression, hint: 'Give the time zone in one place only, or make both the same.' },
      );
    }
  }
  if (fromExpression !== undefined) return { timezone: fromExpression, timezoneSource: 'expression' };
  if (fromManifest !== undefined) return { timezone: fromManifest, timezoneSource: 'manifest' };
  return { timezone: DEFAULT_TIMEZONE, timezoneSource: 'default' };
}

function calendarsOf(parsed: SpecCron): TemporalCalendarSpec[] {
  const { fields } = parsed;
  const base = {
    second: numeric('second', fields.second),
    minute: numeric('minute', fields.minute),
    hour: numeric('hour', fields.hour),
    month: named('month', fields.month, (v) => TEMPORAL_MONTHS[v - 1]),
  };
  const dayOfMonth = numeric('dayOfMonth', fields.dayOfMonth);
  const dayOfWeek = named('dayOfWeek', fields.dayOfWeek, (v) => TEMPORAL_DAYS_OF_WEEK[v]);
  const what = parsed.descriptor ?? parsed.expression;
  if (fields.dayOfMonth.star || fields.dayOfWeek.star) {
    return [{ ...base, dayOfMonth, dayOfWeek, comment: what }];
  }
  return [
    { ...base, dayOfMonth, dayOfWeek: '*', comment: `${what} (day-of-month)` },
    { ...base, dayOfMonth: '*', dayOfWeek, comment: `${what} (day-of-week)` },
  ];
}

function coversAll(name: CronFieldName, field: CronField): boolean {
  const { min, max } = CRON_FIELD_BOUNDS[name];
  for (let v = min; v <= max; v++) if (field.matches[v] !== true) return false;
  return true;
}

function numeric(name: CronFieldName, field: CronField): TemporalRange<number>[] | '*' {
  if (coversAll(name, field)) return '*';
  return field.ranges.map(({ start, end, step }) => ({ start, end, step }));
}

function named<U>(
  name: CronFieldName,
  field: CronField,
  label: (v: number) => U | undefined,
): TemporalRange<U>[] | '*' {
  if (coversAll(name, field)) return '*';
  return field.ranges.map(({ start, end, step }) => ({
    start: label(start) as U,
    end: label(end) as U,
    step,
  }));
}
