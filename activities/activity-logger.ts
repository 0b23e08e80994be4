/**
 * The logger of one activity execution: a child of the worker's pino logger carrying the run (`workflowId`,
 * `runId`), the activity (`activity`, `attempt`) and what the activity is about (`node`, `kind`, `target`...),
 * so every line it writes can be found by run, node and target.
 */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';

export function activityLogger(base: Logger, fields: Readonly<Record<string, unknown>> = {}): Logger {
  const { workflowExecution, activityType, attempt } = Context.current().info;
  return base.child({
    workflowId: workflowExecution?.workflowId,
    runId: workflowExecution?.runId,
    activity: activityType,
    attempt,
    ...fields,
  });
}
