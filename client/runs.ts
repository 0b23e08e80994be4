/**
 * Finding runs and reading their status from outside the worker: by full workflow id or by `namespace/name`
 * (the newest run of that manifest), and the status of a run whether it is running (the `status` query) or
 * closed (the status the workflow attached to its result, failure or cancellation, so no worker is needed).
 */
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import type { OrphanRecovery } from '../common/orphan-recovery.js';
import type { RunStatus } from '../common/run-status.js';
import { RUN_WORKFLOW_TYPE } from '../common/run-input.js';
import { statusQuery } from '../workflows/messages.js';
import type { chaosflowRun } from '../workflows/run-workflow.js';
import { readOrphanRecovery } from './orphan-status.js';
import type { RunHandle } from './start-run.js';

export class RunNotFoundError extends ChaosflowError<'RUN_NOT_FOUND', { readonly ref: string }> {
  static override readonly codes: readonly string[] = ['RUN_NOT_FOUND'];
  override readonly name = 'RunNotFoundError';
  constructor(message: string, ref: string) {
    super('RUN_NOT_FOUND', message, { ref });
  }
}

/** A full id (`chaosflow/<ns>/<name>/<stamp>`, or any id that exists) or `[namespace/]name` for the newest run. */
export async function resolveRun(client: Client, ref: string): Promise<RunHandle> {
  const handle = client.workflow.getHandle<typeof chaosflowRun>(ref);
  try {
    await handle.describe();
    return handle;
  } catch {
    // Not an id: try it as a manifest name.
  }
  const [namespace, name] = ref.includes('/') ? ref.split('/', 2) : ['default', ref];
  const query =
    `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND ChaosflowNamespace = '${escape(namespace!)}' ` +
    `AND ChaosflowName = '${escape(name!)}'`;
  let newest: { workflowId: string; startTime: Date } | undefined;
  for await (const run of client.workflow.list({ query })) {
    if (!newest || run.startTime > newest.startTime)
      newest = { workflowId: run.workflowId, startTime: run.startTime };
  }
  if (!newest) {
    throw new RunNotFoundError(
      `no run '${ref}': give a workflow id (see \`chaosflow list\`) or the namespace/name of a manifest that has run`,
      ref,
    );
  }
  return client.workflow.getHandle<typeof chaosflowRun>(newest.workflowId);
}

function escape(value: string): string {
  return value.replace(/'/g, "\\'");
}

/** A run's status as the CLI shows it: with what the janitor did when the run closed without recovering. */
export type RunView = RunStatus & { orphan?: OrphanRecovery };

/**
 * The run's status: live while it runs, the final one once it closed. A terminated or timed-out run ran no
 * chaosflow code after that, so its last status is replayed from its history and the janitor's report added.
 */
export async function readRunStatus(handle: RunHandle): Promise<RunView> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return handle.query(statusQuery);
  const orphan = await readOrphanRecovery(handle.client, {
    workflowId: handle.workflowId,
    runId: description.runId,
    status: description.status.name,
    closedAt: description.closeTime,
  });
  if (orphan) {
    const last = await queryClosedRun(handle);
    if (last) return { ...last, endedAt: orphan.orphan.closedAt, orphan };
  }
  const final = await finalStatus(handle);
  if (final) return final;
  throw new Error(
    `run ${handle.workflowId} ended ${description.status.name} without a chaosflow status and no worker ` +
      'answered for it: start a worker (`chaosflow worker` or `chaosflow dev`); its janitor recovers what a ' +
      'terminated or timed-out run left injected',
  );
}

/**
 * A cancelled run's status is not in its close event (the SDK drops the details of a workflow's cancellation), so
 * it is queried: a worker replays the closed run. Undefined when no worker answers in time.
 */
async function queryClosedRun(handle: RunHandle, timeoutMs = 10_000): Promise<RunStatus | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)),
  );
  try {
    return await Promise.race([handle.query(statusQuery).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the run to close; its final status, or undefined if it has none (terminated, timed out). */
export async function finalStatus(handle: RunHandle): Promise<RunStatus | undefined> {
  try {
    return await handle.result();
  } catch (err) {
    return statusOfFailure(err) ?? (await queryClosedRun(handle));
  }
}

export function statusOfFailure(err: unknown): RunStatus | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
    const [status] = cause.details ?? [];
    if (status && typeof status === 'object' && 'nodes' in status) return status as RunStatus;
  }
  return undefined;
}
