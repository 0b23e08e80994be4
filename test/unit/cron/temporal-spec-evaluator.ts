/**
 * An evaluator of Temporal Schedule specs for the property tests, independent of the cron code under test: a port
 * of the Temporal server's `compiledCalendar.next` (service/worker/scheduler/calendar.go) and of its interval
 * rule (`epoch + n*every + offset`). The port matters: Temporal's documentation says a repeated wall-clock time
 * fires twice, but its algorithm only achieves that where Go's `time.Date` resolves an ambiguous time to the
 * earlier offset (zones west of UTC); east of UTC the first occurrence is not produced. Checked against a real
 * dev server (Temporal CLI 1.9.1, server 1.32.0) while this was written.
 *
 * Offsets come straight from `Intl`, read with a different method (formatted wall-clock parts) from the one the
 * production code uses.
 */

type Loose<U> = '*' | readonly { start: U; end?: U; step?: number }[] | undefined;

export interface EvaluatedCalendar {
  second?: Loose<number>;
  minute?: Loose<number>;
  hour?: Loose<number>;
  dayOfMonth?: Loose<number>;
  month?: Loose<string>;
  dayOfWeek?: Loose<string>;
  year?: Loose<number>;
}

export interface EvaluatedSpec {
  calendars?: readonly EvaluatedCalendar[];
  intervals?: readonly { every: number; offset?: number }[];
  timezone?: string;
}

const MONTH_NAMES = [
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
];
const DAY_NAMES = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const HOUR = 3_600_000;
const MAX_YEAR = 2100;

function matcher<U>(
  field: Loose<U>,
  all: boolean,
  dflt: number,
  toNum: (u: U) => number,
): (v: number) => boolean {
  if (field === '*' || (field === undefined && all) || (field !== undefined && field.length === 0))
    return () => true;
  if (field === undefined) return (v) => v === dflt;
  const set = new Set<number>();
  for (const r of field) {
    const start = toNum(r.start);
    const end = r.end === undefined ? start : Math.max(start, toNum(r.end));
    const step = r.step === undefined || r.step < 1 ? 1 : r.step;
    for (let v = start; v <= end; v += step) set.add(v);
  }
  return (v) => set.has(v);
}

/** Offset of the wall clock from UTC (ms) at an instant, read from the formatted wall-clock parts. */
export function offsetReader(timezone: string): (utcMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const read = (utcMs: number) => {
    const parts = Object.fromEntries(format.formatToParts(utcMs).map((p) => [p.type, p.value]));
    const wall = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return wall - Math.floor(utcMs / 1000) * 1000;
  };
  // Every zone today changes its offset on a quarter hour of UTC: memoise per quarter hour to keep a year of
  // evaluation fast.
  const QUARTER = 900_000;
  const memo = new Map<number, number>();
  return (utcMs) => {
    const quarter = Math.floor(utcMs / QUARTER);
    let off = memo.get(quarter);
    if (off === undefined) {
      off = read(quarter * QUARTER);
      memo.set(quarter, off);
    }
    return off;
  };
}

interface Clock {
  y: number;
  mo: number;
  d: number;
  h: number;
  m: number;
  s: number;
  weekday: number;
}

function daysInMonth(mo: number, y: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

class GoZone {
  constructor(readonly offsetAt: (utcMs: number) => number) {}

  clock(utcMs: number): Clock {
    const w = new Date(utcMs + this.offsetAt(utcMs));
    return {
      y: w.getUTCFullYear(),
      mo: w.getUTCMonth() + 1,
      d: w.getUTCDate(),
      h: w.getUTCHours(),
      m: w.getUTCMinutes(),
      s: w.getUTCSeconds(),
      weekday: w.getUTCDay(),
    };
  }

  /** Go's time.Date(y, mo, d, h, m, s, 0, loc). */
  date(y: number, mo: number, d: number, h: number, m: number, s: number): number {
    const local = Date.UTC(y, mo - 1, d, h, m, s);
    const guess = this.offsetAt(local);
    const actual = this.offsetAt(local - guess);
    return local - (actual === guess ? guess : actual);
  }
}

type Match = (v: number) => boolean;
interface Compiled {
  year: Match;
  month: Match;
  dom: Match;
  dow: Match;
  hour: Match;
  minute: Match;
  second: Match;
}

function compile(cal: EvaluatedCalendar): Compiled {
  return {
    year: cal.year === undefined ? () => true : matcher(cal.year, true, 0, Number),
    month: matcher(cal.month, true, 0, (n: string) => MONTH_NAMES.indexOf(n) + 1),
    dom: matcher(cal.dayOfMonth, true, 0, Number),
    dow: matcher(cal.dayOfWeek, true, 0, (n: string) => DAY_NAMES.indexOf(n)),
    hour: matcher(cal.hour, false, 0, Number),
    minute: matcher(cal.minute, false, 0, Number),
    second: matcher(cal.second, false, 0, Number),
  };
}

function calendarNext(cal: Compiled, zone: GoZone, afterMs: number): number | undefined {
  const { year, month, dom, dow, hour, minute, second } = cal;

  const start = zone.clock(afterMs);
  let { y, mo, d, h, m, s } = start;
  let dstoffset = zone.clock(afterMs - HOUR).h === h ? HOUR : 0;
  s++;
  outer: for (;;) {
    if (s >= 60) {
      m++;
      s = 0;
    }
    if (m >= 60) {
      const prev = zone.date(y, mo, d, h, 0, 0);
      h++;
      m = 0;
      const next = zone.date(y, mo, d, h, 0, 0);
      if (dstoffset === 0 && next - prev > HOUR) {
        h--;
        dstoffset = HOUR;
      } else {
        dstoffset = 0;
      }
    }
    if (h >= 24) {
      d++;
      h = 0;
    }
    if (d > daysInMonth(mo, y)) {
      mo++;
      d = 1;
    }
    if (mo > 12) {
      y++;
      mo = 1;
    }
    if (y > MAX_YEAR) return undefined;
    if (!year(y)) {
      [y, mo, d, h, m, s, dstoffset] = [y + 1, 1, 1, 0, 0, 0, 0];
      continue;
    }
    while (!month(mo)) {
      [mo, d, h, m, s, dstoffset] = [mo + 1, 1, 0, 0, 0, 0];
      if (mo > 12) continue outer;
    }
    while (!dom(d) || !dow(zone.clock(zone.date(y, mo, d, h, m, s)).weekday)) {
      [d, h, m, s, dstoffset] = [d + 1, 0, 0, 0, 0];
      if (d > daysInMonth(mo, y)) continue outer;
    }
    while (!hour(h)) {
      [h, m, s, dstoffset] = [h + 1, 0, 0, 0];
      if (h >= 24) continue outer;
    }
    while (!minute(m)) {
      [m, s] = [m + 1, 0];
      if (m >= 60) continue outer;
    }
    while (!second(s)) {
      s++;
      if (s >= 60) continue outer;
    }
    const nextTs = zone.date(y, mo, d, h, m, s);
    if (zone.clock(nextTs).h !== h) {
      [h, m, s] = [h + 1, 0, 0];
      continue;
    }
    return nextTs + dstoffset;
  }
}

/** Every fire time in (fromMs, toMs], in order, as the Temporal server would take them. */
export function evaluateSpec(spec: EvaluatedSpec, fromMs: number, toMs: number): number[] {
  const zone = new GoZone(offsetReader(spec.timezone ?? 'UTC'));
  const calendars = (spec.calendars ?? []).map(compile);
  const next = (t: number): number | undefined => {
    let best: number | undefined;
    for (const cal of calendars) {
      const n = calendarNext(cal, zone, t);
      if (n !== undefined && (best === undefined || n < best)) best = n;
    }
    for (const { every, offset = 0 } of spec.intervals ?? []) {
      const n = offset + (Math.floor((t - offset) / every) + 1) * every;
      if (best === undefined || n < best) best = n;
    }
    return best;
  };
  const times: number[] = [];
  for (let t = next(fromMs); t !== undefined && t <= toMs; t = next(t)) times.push(t);
  return times;
}
