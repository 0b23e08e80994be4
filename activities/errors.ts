/**
 * Errors of the activities folder. Each has a stable `code`, which `classify-error.ts` turns into the Temporal
 * failure `type` the workflow branches on.
 */
export const ACTIVITY_ERROR_CODES = [
  /** The request cannot work whatever happens (bad plan, bad target): do not retry. */
  'InvalidInput',
  /** The action is not supported by this driver or daemon: do not retry. */
  'Unsupported',
  /** The selector matched no target: do not retry. */
  'NoTargets',
  /** A service did not answer or answered with a transient error: retry. */
  'Unavailable',
] as const;
export type ActivityErrorCode = (typeof ACTIVITY_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<ActivityErrorCode> = new Set(['Unavailable']);

export class ActivityError extends Error {
  override readonly name = 'ActivityError';
  constructor(
    readonly code: ActivityErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}
