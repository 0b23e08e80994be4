/**
 * The controller's side of Temporal for runs: what a run is doing (the observation `decide-run.ts` decides on),
 * starting it under its uid-derived id, and sending it the messages the annotations ask for.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { finalStatus } from '../client/runs.js';
import { startRun, type RunHandle } from '../client/start-run.js';
import type { Plan } from '../common/plan.js';
import type { chaosflowRun } from '../workflows/run-workflow.js';
import { abortSignal, faultsQuery, pauseUpdate, resumeUpdate, statusQuery } from '../workflows/messages.js';
import type { RunMessage, RunObservation } from './decide-run.js';

export class TemporalRuns {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async observe(runId: string): Promise<RunObservation> {
    const handle = this.#handle(runId);
    let execution: string;
    try {
      execution = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { state: 'absent' };
      throw err;
    }
    if (execution === 'RUNNING') {
      const [status, faults] = await Promise.all([handle.query(statusQuery), handle.query(faultsQuery)]);
      return { state: 'running', status, faults };
    }
    const status =
      execution === 'TERMINATED' || execution === 'TIMED_OUT' ? undefined : await finalStatus(handle);
    return { state: 'closed', execution, status };
  }

  /** Starts the run; a run already started under this id (by another controller, or before a restart) is kept. */
  async start(runId: string, plan: Plan, manifest: string): Promise<void> {
    try {
      await startRun(this.client, { plan, taskQueue: this.taskQueue, workflowId: runId, manifest });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  async send(runId: string, message: RunMessage): Promise<void> {
    const handle = this.#handle(runId);
    switch (message.type) {
      case 'abort':
        await handle.signal(abortSignal, { reason: message.reason });
        return;
      case 'pause':
        await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'paused with an annotation' }] });
        return;
      case 'unpause':
        await handle.executeUpdate(resumeUpdate, { args: [{ approveGates: false }] });
        return;
      case 'approve':
        await handle.executeUpdate(resumeUpdate, { args: [{ node: message.node }] });
        return;
    }
  }

  #handle(runId: string): RunHandle {
    return this.client.workflow.getHandle<typeof chaosflowRun>(runId);
  }
}
