/**
 * Whether a `schedule` string parses in Chaos Mesh's cron dialect, and why not: the same parser the schedules
 * run on (`common/cron/`), so validation and execution can never disagree. Beyond robfig, `@every` below one
 * second is refused (robfig silently rounds it up to a second).
 */
import { parseGoDuration } from '../common/duration.js';
import { cronSchedule } from '../common/cron/next-fire-times.js';
import { isCronError } from '../common/cron/cron-error.js';
import { lookupTimeZone } from '../common/cron/time-zone.js';

export interface CronProblem {
  message: string;
}

/** Undefined when the expression parses and fires at least once. */
export function checkCron(expression: string): CronProblem | undefined {
  try {
    const schedule = cronSchedule(expression);
    const { parsed } = schedule;
    if (parsed.kind === 'every' && (parseGoDuration(parsed.duration) ?? 0) < 1000) {
      return {
        message: `@every needs a positive interval of at least 1s (robfig rounds shorter ones up to 1s)`,
      };
    }
    return undefined;
  } catch (err) {
    if (isCronError(err)) return { message: err.message };
    throw err;
  }
}

export function isTimeZone(name: string): boolean {
  return lookupTimeZone(name).ok;
}
