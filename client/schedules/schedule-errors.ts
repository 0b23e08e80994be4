/**
 * Errors of `client/schedules/`. Each has a stable `code` and plain-data context; the message says what is wrong,
 * where (the manifest or the schedule), and how to fix it.
 */
import { ChaosflowError, hasErrorCode } from '../../common/errors/chaosflow-error.js';

export const SCHEDULE_ERROR_CODES = [
  /** The manifest's `schedule` (or `timezone`, `jitter`) cannot become a Temporal Schedule spec. */
  'SCHEDULE_SPEC_REJECTED',
  /** A command-line reference that names no schedule (`a/b/c`, empty). */
  'SCHEDULE_BAD_REF',
  /** No schedule with that id on the Temporal namespace. */
  'SCHEDULE_NOT_FOUND',
  /** A backfill window or time that cannot be read, or whose end is not after its start. */
  'SCHEDULE_BAD_TIME',
  /** Temporal refused or failed a schedule call. */
  'SCHEDULE_TEMPORAL_ERROR',
] as const;
export type ScheduleErrorCode = (typeof SCHEDULE_ERROR_CODES)[number];

export interface ScheduleErrorContext {
  /** The schedule id, when known. */
  scheduleId?: string;
  /** `file:line` of the manifest, when the error is about one. */
  location?: string;
  /** What the user typed, when the error is about it. */
  ref?: string;
  /** How to fix it, in one sentence. */
  hint: string;
}

export class ScheduleError extends ChaosflowError<ScheduleErrorCode, ScheduleErrorContext> {
  static override readonly codes: readonly string[] = SCHEDULE_ERROR_CODES;
  override readonly name = 'ScheduleError';
  constructor(
    code: ScheduleErrorCode,
    problem: string,
    context: ScheduleErrorContext,
    options?: { cause?: unknown },
  ) {
    super(code, `${problem}. ${context.hint}`, context, options);
  }
}

export function isScheduleError(err: unknown): err is ScheduleError {
  return hasErrorCode(err, SCHEDULE_ERROR_CODES);
}
