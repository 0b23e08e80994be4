import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ActivityError } from './errors.js';

/**
 * The one place thrown errors become Temporal failures: an `ActivityError` keeps its code as the failure type and
 * its retryability; anything else is treated as transient (retried within the activity's policy) with its
 * class name as the type.
 */
export function classifyError(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityError) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: !err.retryable,
      cause: err.cause instanceof Error ? err.cause : undefined,
    });
  }
  const error = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({
    type: error.name,
    message: error.message,
    nonRetryable: false,
    cause: error,
  });
}

/** Wraps an activity so every error leaves it classified; a cancellation leaves as it is. */
export function classified<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof CancelledFailure || Context.current().cancellationSignal.aborted) throw err;
      throw classifyError(err);
    }
  };
}
