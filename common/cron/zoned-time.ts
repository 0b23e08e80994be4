/**
 * The few operations of Go's `time` package that robfig's `SpecSchedule.Next` relies on, over UTC milliseconds
 * and a `TimeZone`: reading wall-clock fields, and `time.Date` with its normalisation and its choice of offset
 * for wall-clock times that do not exist or exist twice.
 */
import type { TimeZone } from './time-zone.js';

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const DAY_MS = 86_400_000;

// Plain arithmetic instead of a Date per call: robfig's algorithm reads the wall clock after every step, so this
// is the hot path of a year of fire times. Civil-from-days after H. Hinnant's public-domain algorithm.
export function wallClock(utcMs: number, zone: TimeZone): WallClock {
  const local = utcMs + zone.offsetAt(utcMs);
  const days = Math.floor(local / DAY_MS);
  let rest = Math.floor((local - days * DAY_MS) / 1000);
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const second = rest - minute * 60;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return { year, month, day, hour, minute, second, weekday };
}

/**
 * Go's `time.Date(year, month, day, hour, min, sec, 0, zone)`: out-of-range fields roll over (month 13 is January
 * of the next year, day 32 the next month). A wall-clock time inside a spring-forward gap, or inside the repeated
 * hour of a fall-back, gets the offset Go picks: the offset in force just before the transition is tried first,
 * and kept if it gives an instant inside that offset's period.
 */
export function fromWallClock(
  zone: TimeZone,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, month - 1, day);
  asUtc.setUTCHours(hour, minute, second, 0);
  const local = asUtc.getTime();
  // Go: look up the offset at `local` read as UTC; if `local - offset` falls outside that offset's period, use
  // the offset in force at `local - offset` instead.
  const guess = zone.offsetAt(local);
  const utc = local - guess;
  const actual = zone.offsetAt(utc);
  return actual === guess ? utc : local - actual;
}
