/** The six fields of a robfig/cron v3 spec schedule, their bounds and names (the `bounds` table of its spec.go). */

export const CRON_FIELD_NAMES = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type CronFieldName = (typeof CRON_FIELD_NAMES)[number];

export interface CronFieldBounds {
  min: number;
  max: number;
  /** Lower-case three-letter names, matched case-insensitively. */
  names?: Readonly<Record<string, number>>;
  /** How the field is called in messages. */
  label: string;
}

export const CRON_FIELD_BOUNDS: Readonly<Record<CronFieldName, CronFieldBounds>> = {
  second: { min: 0, max: 59, label: 'second' },
  minute: { min: 0, max: 59, label: 'minute' },
  hour: { min: 0, max: 23, label: 'hour' },
  dayOfMonth: { min: 1, max: 31, label: 'day-of-month' },
  month: {
    min: 1,
    max: 12,
    label: 'month',
    names: {
      jan: 1,
      feb: 2,
      mar: 3,
      apr: 4,
      may: 5,
      jun: 6,
      jul: 7,
      aug: 8,
      sep: 9,
      oct: 10,
      nov: 11,
      dec: 12,
    },
  },
  dayOfWeek: {
    min: 0,
    max: 6,
    label: 'day-of-week',
    names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
  },
};

/** One comma-separated part of a field, as written: `*`, `5`, `1-5`, `*\/15`, `MON-FRI/2`. */
export interface CronRange {
  start: number;
  end: number;
  step: number;
}

/**
 * A parsed field. `star` is robfig's "star bit": set when a part is `*` or `?` without a step above 1. It matters
 * only for the day fields: when either day field has it, both must match; otherwise either may (see dayMatches).
 */
export interface CronField {
  ranges: readonly CronRange[];
  /** `matches[v]` for v in min..max (indexes below min are false). */
  matches: readonly boolean[];
  star: boolean;
}

export function fieldFromRanges(name: CronFieldName, ranges: readonly CronRange[], star: boolean): CronField {
  const { max } = CRON_FIELD_BOUNDS[name];
  const matches = new Array<boolean>(max + 1).fill(false);
  for (const r of ranges) {
    for (let v = r.start; v <= r.end; v += r.step) matches[v] = true;
  }
  return { ranges, matches, star };
}

/** The field robfig's `all(bounds)` builds for descriptors: every value, star bit set. */
export function allField(name: CronFieldName): CronField {
  const { min, max } = CRON_FIELD_BOUNDS[name];
  return fieldFromRanges(name, [{ start: min, end: max, step: 1 }], true);
}

/** A single value without the star bit (`1 << bounds.min` in robfig's descriptors). */
export function singleField(name: CronFieldName, value: number): CronField {
  return fieldFromRanges(name, [{ start: value, end: value, step: 1 }], false);
}
