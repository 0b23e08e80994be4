/**
 * A time on the command line (`backfill --from/--to`): an ISO 8601 / RFC 3339 time (`2026-03-01T09:00:00Z`),
 * `now`, or a Go duration before now with a leading minus (`-90m`, `-1h30m`).
 */
import { parseGoDuration } from '../../../common/duration.js';
import { ScheduleError } from '../../../client/schedules/schedule-errors.js';

export function parseCliTime(text: string, option: string, now = Date.now()): Date {
  const value = text.trim();
  if (value === 'now') return new Date(now);
  if (value.startsWith('-')) {
    const ms = parseGoDuration(value.slice(1));
    if (ms !== undefined) return new Date(now - ms);
  } else if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new ScheduleError('SCHEDULE_BAD_TIME', `${option} '${text}' is not a time`, {
    ref: text,
    hint: `Give ${option} as an ISO time (2026-03-01T09:00:00Z), now, or a duration before now (-10m, -1h30m)`,
  });
}
