/**
 * Errors of the cron dialect. Each has a stable `code` for callers and tests to branch on, and a message that says
 * what is wrong, in which field, and how to fix it. Plain data in `context` (no class instances) so the error
 * survives the trip through Temporal failures.
 */
import { ChaosflowError, hasErrorCode } from '../errors/chaosflow-error.js';
import type { CronFieldName } from './cron-fields.js';

export const CRON_ERROR_CODES = [
  /** The expression is empty or only white space. */
  'CRON_EMPTY',
  /** Not 5 or 6 fields. */
  'CRON_FIELD_COUNT',
  /** A value is neither a number nor a known name (`JAN`, `MON`). */
  'CRON_BAD_VALUE',
  /** A value is outside the field's bounds (minute 0-59, day-of-week 0-6 ...). */
  'CRON_OUT_OF_RANGE',
  /** A range is malformed: start after end, or more than one `-`. */
  'CRON_BAD_RANGE',
  /** A step is malformed: not a positive integer, or more than one `/`. */
  'CRON_BAD_STEP',
  /** `@something` that is not one of the descriptors. */
  'CRON_UNKNOWN_DESCRIPTOR',
  /** `@every` with a duration Go's `time.ParseDuration` would refuse. */
  'CRON_BAD_DURATION',
  /** `TZ=`/`CRON_TZ=` (or the timezone option) names no IANA time zone, or the prefix is malformed. */
  'CRON_BAD_TIMEZONE',
  /** The expression's `CRON_TZ=` prefix and the manifest's `timezone` disagree. */
  'CRON_TIMEZONE_CONFLICT',
  /** The fields can never match a date (`0 0 30 2 *`: February 30th). */
  'CRON_NEVER_FIRES',
  /** `@every` needs the schedule's start time to compute its phase in a Temporal interval. */
  'CRON_ANCHOR_REQUIRED',
  /** A caller passed an invalid argument (count, date, jitter). */
  'CRON_BAD_ARGUMENT',
] as const;
export type CronErrorCode = (typeof CRON_ERROR_CODES)[number];

export interface CronErrorContext {
  expression: string;
  /** The field the problem is in, when it is in one. */
  field?: CronFieldName;
  /** The offending part of the field (`32`, `5-2`, `*\/0`). */
  part?: string;
  /** How to fix it, in one sentence. */
  hint: string;
}

export class CronError extends ChaosflowError<CronErrorCode, CronErrorContext> {
  static override readonly codes: readonly string[] = CRON_ERROR_CODES;
  override readonly name = 'CronError';
  constructor(
    code: CronErrorCode,
    /** What is wrong, without the expression or the hint: both are added to `message`. */
    problem: string,
    context: CronErrorContext,
  ) {
    super(code, `cron "${context.expression}": ${problem}. ${context.hint}`, context);
  }
}

/** `instanceof` does not hold across the workflow sandbox boundary; the brand and the code do. */
export function isCronError(err: unknown): err is CronError {
  return hasErrorCode(err, CRON_ERROR_CODES);
}
