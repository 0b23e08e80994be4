/**
 * Errors of the activities folder. Each has a stable `code`, which `classify-error.ts` turns into the Temporal
 * failure `type` the workflow branches on (the codes are `common/failure-types.ts`'s activity failure types).
 */
import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import {
  ACTIVITY_FAILURE_TYPES,
  NON_RETRYABLE_FAILURE_TYPES,
  type ActivityFailureType,
} from '../common/failure-types.js';

export const ACTIVITY_ERROR_CODES = Object.values(ACTIVITY_FAILURE_TYPES);
export type ActivityErrorCode = ActivityFailureType;

const NON_RETRYABLE: ReadonlySet<ActivityErrorCode> = new Set(NON_RETRYABLE_FAILURE_TYPES);

export class ActivityError extends ChaosflowError<ActivityErrorCode> {
  static override readonly codes: readonly string[] = ACTIVITY_ERROR_CODES;
  override readonly name = 'ActivityError';
  constructor(
    code: ActivityErrorCode,
    message: string,
    options: { cause?: unknown; context?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(code, message, options.context ?? {}, options);
  }

  get retryable(): boolean {
    return !NON_RETRYABLE.has(this.code);
  }
}
