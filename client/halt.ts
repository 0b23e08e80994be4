/**
 * The safety lever from outside the worker: `halt` marks chaosflow halted (so no inject and no new run can start
 * from then on), aborts every running chaosflow run — each recovers its faults as any abort does — and pauses
 * every chaosflow schedule with the reason as its note; `unhalt` ends the mark and resumes the schedules the halt
 * paused (those whose note it wrote), no other. `readHalt` is the check everything else makes.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';
import {
  HALT_NOTE_PREFIX,
  HALT_WORKFLOW_ID,
  HALT_WORKFLOW_TYPE,
  haltedMessage,
  type HaltState,
} from '../common/halt.js';
import { RUN_WORKFLOW_TYPE } from '../common/run-input.js';
import type { chaosflowHalt } from '../workflows/halt-workflow.js';
import { abortSignal } from '../workflows/messages.js';
import { listSchedules } from './schedules/list-schedules.js';
import { pauseSchedule, unpauseSchedule } from './schedules/schedule-operations.js';

/** Every chaosflow run still going. */
const RUNNING_RUNS = `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

export class HaltedError extends ChaosflowError<'HALTED', { readonly halt: HaltState }> {
  static override readonly codes: readonly string[] = ['HALTED'];
  override readonly name = 'HaltedError';
  constructor(halt: HaltState) {
    super('HALTED', haltedMessage(halt), { halt });
  }
}

/** The halt in force, or undefined. One describe call: no worker needed. */
export async function readHalt(client: Client): Promise<HaltState | undefined> {
  try {
    const description = await client.workflow.getHandle(HALT_WORKFLOW_ID).describe();
    if (description.status.name !== 'RUNNING') return undefined;
    return description.memo?.['halt'] as HaltState | undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Throws `HaltedError` while halted. */
export async function refuseIfHalted(client: Client): Promise<void> {
  const halt = await readHalt(client);
  if (halt) throw new HaltedError(halt);
}

export interface HaltResult {
  halt: HaltState;
  /** False when chaosflow already was halted (the runs and schedules are swept again all the same). */
  changed: boolean;
  abortedRuns: string[];
  pausedSchedules: string[];
}

export async function halt(
  client: Client,
  options: { reason: string; by: string; taskQueue: string },
): Promise<HaltResult> {
  const state: HaltState = { reason: options.reason, by: options.by, since: new Date().toISOString() };
  let changed = true;
  try {
    await client.workflow.start<typeof chaosflowHalt>(HALT_WORKFLOW_TYPE, {
      workflowId: HALT_WORKFLOW_ID,
      taskQueue: options.taskQueue,
      args: [state],
      memo: { halt: state },
      staticSummary: `chaosflow halted by ${state.by}: ${state.reason}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    changed = false;
  }
  const current = (await readHalt(client)) ?? state;
  const message = haltedMessage(current);
  // The mark is set first: a run starting while the sweep goes on is refused, or its injects are.
  const abortedRuns: string[] = [];
  let signalled: Promise<void>[] = [];
  // Runs are signalled 64 at a time (a halt of 50 runs does not wait for 50 round trips one after another).
  for await (const run of client.workflow.list({ query: RUNNING_RUNS })) {
    if (signalled.length === 64) {
      await Promise.all(signalled);
      signalled = [];
    }
    signalled.push(
      client.workflow
        .getHandle(run.workflowId)
        .signal(abortSignal, { reason: message })
        .then(
          () => void abortedRuns.push(run.workflowId),
          (err: unknown) => {
            // Closed since it was listed: nothing to abort.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          },
        ),
    );
  }
  await Promise.all(signalled);
  const pausedSchedules: string[] = [];
  for (const schedule of await listSchedules(client)) {
    if (schedule.paused) continue;
    const result = await pauseSchedule(client, schedule.scheduleId, `${HALT_NOTE_PREFIX}${current.reason}`);
    if (result.changed) pausedSchedules.push(schedule.scheduleId);
  }
  return { halt: current, changed, abortedRuns, pausedSchedules };
}

export interface UnhaltResult {
  /** The halt that was lifted; undefined when chaosflow was not halted. */
  lifted?: HaltState;
  resumedSchedules: string[];
}

export async function unhalt(client: Client, options: { by: string }): Promise<UnhaltResult> {
  const lifted = await readHalt(client);
  if (lifted) {
    await client.workflow
      .getHandle(HALT_WORKFLOW_ID)
      .terminate(`unhalted by ${options.by}`)
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
  const resumedSchedules: string[] = [];
  for (const schedule of await listSchedules(client)) {
    if (!schedule.paused || !schedule.note?.startsWith(HALT_NOTE_PREFIX)) continue;
    await unpauseSchedule(client, schedule.scheduleId, `unhalted by ${options.by}`);
    resumedSchedules.push(schedule.scheduleId);
  }
  return { ...(lifted ? { lifted } : {}), resumedSchedules };
}

/** Waits until no chaosflow run is running (every halted run has recovered and closed), or the deadline. */
export async function waitForNoRuns(client: Client, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open: string[] = [];
    for await (const run of client.workflow.list({ query: RUNNING_RUNS })) open.push(run.workflowId);
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
