/**
 * Parser for the cron dialect of Chaos Mesh's `Schedule.spec.schedule`: robfig/cron v3 with
 * `SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor`.
 *
 * - 5 fields `minute hour day-of-month month day-of-week`, or 6 with a leading `second`;
 * - `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`, and `@every <Go duration>`;
 * - an optional `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix;
 * - per field: lists `a,b`, ranges `a-b`, steps `a-b/n` and `a/n` (= `a-max/n`), `*` and `?` (= `*`), month and
 *   weekday names `JAN`..`DEC`, `SUN`..`SAT` in any case; day-of-week is 0-6 (7 is refused, as robfig does).
 *
 * Deliberately stricter than robfig in three places, each a likely typo that robfig silently accepts: a field
 * with no value at all (`,`), `*-5` (robfig reads it as `*`), and a time zone name in the wrong case.
 */
import { parseGoDuration } from '../duration.js';
import { CronError, type CronErrorCode } from './cron-error.js';
import {
  allField,
  CRON_FIELD_BOUNDS,
  CRON_FIELD_NAMES,
  fieldFromRanges,
  singleField,
  type CronField,
  type CronFieldName,
  type CronRange,
} from './cron-fields.js';
import { lookupTimeZone } from './time-zone.js';

export type ParsedCron = SpecCron | EveryCron;

interface ParsedCommon {
  /** The expression as written. */
  expression: string;
  /** The zone of a `TZ=`/`CRON_TZ=` prefix. Absent: the caller's default applies. */
  timezone?: string;
}

export interface SpecCron extends ParsedCommon {
  kind: 'spec';
  fields: Readonly<Record<CronFieldName, CronField>>;
  /** `@daily` and friends, when the expression was one. */
  descriptor?: string;
}

export interface EveryCron extends ParsedCommon {
  kind: 'every';
  /** robfig's delay: the duration truncated to whole seconds, and at least one second. */
  everyMs: number;
  /** The duration as written after `@every `. */
  duration: string;
}

const MAX_GO_DURATION_MS = 9_223_372_036_854; // math.MaxInt64 nanoseconds

const DESCRIPTORS: Readonly<Record<string, () => Record<CronFieldName, CronField>>> = {
  '@yearly': () => spec(singleField('dayOfMonth', 1), singleField('month', 1), allField('dayOfWeek'), 'day'),
  '@annually': () =>
    spec(singleField('dayOfMonth', 1), singleField('month', 1), allField('dayOfWeek'), 'day'),
  '@monthly': () => spec(singleField('dayOfMonth', 1), allField('month'), allField('dayOfWeek'), 'day'),
  '@weekly': () => spec(allField('dayOfMonth'), allField('month'), singleField('dayOfWeek', 0), 'day'),
  '@daily': () => spec(allField('dayOfMonth'), allField('month'), allField('dayOfWeek'), 'day'),
  '@midnight': () => spec(allField('dayOfMonth'), allField('month'), allField('dayOfWeek'), 'day'),
  '@hourly': () => spec(allField('dayOfMonth'), allField('month'), allField('dayOfWeek'), 'hour'),
};

function spec(
  dayOfMonth: CronField,
  month: CronField,
  dayOfWeek: CronField,
  every: 'day' | 'hour',
): Record<CronFieldName, CronField> {
  return {
    second: singleField('second', 0),
    minute: singleField('minute', 0),
    hour: every === 'hour' ? allField('hour') : singleField('hour', 0),
    dayOfMonth,
    month,
    dayOfWeek,
  };
}

export function parseCron(expression: string): ParsedCron {
  const fail = (
    code: CronErrorCode,
    problem: string,
    hint: string,
    more?: { field?: CronFieldName; part?: string },
  ) => new CronError(code, problem, { expression, hint, ...more });

  let rest = expression.trim();
  if (rest === '') {
    throw fail(
      'CRON_EMPTY',
      'the schedule is empty',
      'Write 5 fields such as "*/5 * * * *", or "@every 10m".',
    );
  }

  let timezone: string | undefined;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const name = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    if (space < 0 || name === '') {
      throw fail(
        'CRON_BAD_TIMEZONE',
        'the time zone prefix is not followed by a schedule, or names no zone',
        'Write the prefix, one space, then the schedule: "CRON_TZ=Europe/Berlin 0 9 * * *".',
      );
    }
    const zone = lookupTimeZone(name);
    if (!zone.ok) throw fail('CRON_BAD_TIMEZONE', zone.problem, zone.hint);
    timezone = name;
    rest = rest.slice(space).trim();
  }

  if (rest.startsWith('@')) return parseDescriptor(rest, expression, timezone, fail);

  const parts = rest.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw fail(
      'CRON_FIELD_COUNT',
      `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (a leading second, then those five), found ${parts.length}`,
      parts.length === 7
        ? 'A trailing year field is not part of this dialect: remove it.'
        : 'Separate the fields with spaces, e.g. "0 */2 * * *" (every two hours).',
    );
  }
  const written = parts.length === 5 ? ['0', ...parts] : parts;
  const fields = {} as Record<CronFieldName, CronField>;
  CRON_FIELD_NAMES.forEach((name, i) => {
    fields[name] = parseField(name, written[i] ?? '', fail);
  });
  checkCanFire(fields, fail);
  return { kind: 'spec', expression, ...(timezone ? { timezone } : {}), fields };
}

type Fail = (
  code: CronErrorCode,
  problem: string,
  hint: string,
  more?: { field?: CronFieldName; part?: string },
) => CronError;

function parseDescriptor(
  text: string,
  expression: string,
  timezone: string | undefined,
  fail: Fail,
): ParsedCron {
  const build = DESCRIPTORS[text];
  const zone = timezone ? { timezone } : {};
  if (build) return { kind: 'spec', expression, ...zone, fields: build(), descriptor: text };
  const every = '@every ';
  if (!text.startsWith(every)) {
    throw fail(
      'CRON_UNKNOWN_DESCRIPTOR',
      `unknown descriptor "${text}"`,
      'Use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or "@every <duration>" such as "@every 90s".',
    );
  }
  const duration = text.slice(every.length);
  const ms = parseGoDuration(duration);
  if (ms === undefined || Math.abs(ms) > MAX_GO_DURATION_MS) {
    throw fail(
      'CRON_BAD_DURATION',
      `"${duration}" is not a Go duration`,
      'Write a number with a unit (ns, us, ms, s, m, h) such as "30s", "1h30m" or "1.5h"; days are not a unit.',
    );
  }
  // robfig's Every: anything under a second becomes one second; sub-second parts are dropped.
  const everyMs = ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000;
  return { kind: 'every', expression, ...zone, everyMs, duration };
}

function parseField(name: CronFieldName, text: string, fail: Fail): CronField {
  const bounds = CRON_FIELD_BOUNDS[name];
  const items = text.split(',').filter((item) => item !== '');
  if (items.length === 0) {
    throw fail(
      'CRON_BAD_VALUE',
      `the ${bounds.label} field "${text}" has no value`,
      `Write "*" for any ${bounds.label}.`,
      {
        field: name,
        part: text,
      },
    );
  }
  const ranges: CronRange[] = [];
  let star = false;
  for (const item of items) {
    const parsed = parseRange(name, item, fail);
    ranges.push(parsed.range);
    star ||= parsed.star;
  }
  return fieldFromRanges(name, ranges, star);
}

function parseRange(name: CronFieldName, item: string, fail: Fail): { range: CronRange; star: boolean } {
  const bounds = CRON_FIELD_BOUNDS[name];
  const where = { field: name, part: item };
  const allowed = `a value from ${bounds.min} to ${bounds.max}${bounds.names ? `, or a name such as ${name === 'month' ? 'JAN' : 'MON'}` : ''}`;
  const slash = item.split('/');
  if (slash.length > 2) {
    throw fail(
      'CRON_BAD_STEP',
      `${bounds.label} "${item}" has more than one "/"`,
      'Write one step: "0-30/10".',
      where,
    );
  }
  const hyphen = (slash[0] ?? '').split('-');
  let start: number;
  let end: number;
  let star = false;
  if (hyphen[0] === '*' || hyphen[0] === '?') {
    if (hyphen.length > 1) {
      throw fail(
        'CRON_BAD_RANGE',
        `${bounds.label} "${item}" combines "${hyphen[0]}" with a range`,
        `Write either "*" or a range such as "${bounds.min}-${bounds.max}".`,
        where,
      );
    }
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    if (hyphen.length > 2) {
      throw fail(
        'CRON_BAD_RANGE',
        `${bounds.label} "${item}" has more than one "-"`,
        'Write a range as "start-end".',
        where,
      );
    }
    const value = (text: string): number => {
      const named = bounds.names?.[text.toLowerCase()];
      if (named !== undefined) return named;
      if (!/^\+?\d+$/.test(text)) {
        throw fail(
          'CRON_BAD_VALUE',
          `${bounds.label} "${text}" in "${item}" is not a number${bounds.names ? ' or a name' : ''}`,
          `Use ${allowed}.`,
          where,
        );
      }
      return Number(text);
    };
    start = value(hyphen[0] ?? '');
    end = hyphen.length === 2 ? value(hyphen[1] ?? '') : start;
  }
  let step = 1;
  if (slash.length === 2) {
    const stepText = slash[1] ?? '';
    if (!/^\+?\d+$/.test(stepText)) {
      throw fail(
        'CRON_BAD_STEP',
        `the step "${stepText}" of ${bounds.label} "${item}" is not a whole number`,
        'Write a positive whole number after "/", e.g. "*/15".',
        where,
      );
    }
    step = Number(stepText);
    // robfig: "N/step" means "N-max/step", and a step above 1 clears the star bit.
    if (hyphen.length === 1) end = bounds.max;
    if (step > 1) star = false;
  }
  if (start < bounds.min || end > bounds.max) {
    const bad = start < bounds.min ? start : end;
    throw fail(
      'CRON_OUT_OF_RANGE',
      `${bounds.label} ${bad} in "${item}" is out of range ${bounds.min}-${bounds.max}`,
      name === 'dayOfWeek' && bad === 7 ? 'Sunday is 0 (or SUN) in this dialect, not 7.' : `Use ${allowed}.`,
      where,
    );
  }
  if (start > end) {
    throw fail(
      'CRON_BAD_RANGE',
      `${bounds.label} range "${item}" starts after it ends`,
      `Write the smaller value first; ranges do not wrap around (use a list such as "${bounds.max},${bounds.min}" instead).`,
      where,
    );
  }
  if (step === 0) {
    throw fail(
      'CRON_BAD_STEP',
      `${bounds.label} "${item}" has a step of 0`,
      'Use a step of 1 or more.',
      where,
    );
  }
  return { range: { start, end, step }, star };
}

const MAX_DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Rejects day-of-month/month combinations that exist in no year, such as February 30th. */
function checkCanFire(fields: Record<CronFieldName, CronField>, fail: Fail): void {
  const { dayOfMonth, dayOfWeek, month } = fields;
  const anded = dayOfMonth.star || dayOfWeek.star;
  if (!anded) return; // either day field may match, and every month has every weekday
  for (let m = 1; m <= 12; m++) {
    if (!month.matches[m]) continue;
    for (let d = 1; d <= (MAX_DAYS_IN_MONTH[m] ?? 31); d++) if (dayOfMonth.matches[d]) return;
  }
  throw fail(
    'CRON_NEVER_FIRES',
    'no selected month has any of the selected days of the month, so the schedule never fires',
    'Check the day-of-month and month fields (April, June, September and November have 30 days, February 29).',
    { field: 'dayOfMonth' },
  );
}
