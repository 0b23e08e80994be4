/**
 * Reading a failure that reached the workflow: activity failures wrap what actually went wrong, often several
 * levels deep. Used by the node runner, the ledger and the per-target entity.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The innermost message of an activity failure: what actually went wrong. */
export function describeFailure(err: unknown): string {
  const current = innermost(err);
  if (current instanceof ApplicationFailure && current.type) return `${current.type}: ${current.message}`;
  return errorMessage(current);
}

export function innermostApplicationFailure(err: unknown): ApplicationFailure | undefined {
  const current = innermost(err);
  return current instanceof ApplicationFailure ? current : undefined;
}

function innermost(err: unknown): unknown {
  let current: unknown = err;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current;
}
