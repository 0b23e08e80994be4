/**
 * Tells the worker how each run ended, for the `chaosflow_runs_finished_total{phase}` metric, through a sink:
 * sinks are not commands, so this adds nothing to history and changes no workflow code, and the worker calls
 * it only outside replay (`callDuringReplay: false`), so a run counts once although any worker may replay it.
 * (A workflow task that fails after the run's last one would count it again: metrics tolerate that, a ledger
 * would not.) Registered in the bundle by `worker/workflow-bundle.ts`; only `chaosflowRun` is counted.
 */
import {
  ApplicationFailure,
  isCancellation,
  proxySinks,
  workflowInfo,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type Next,
} from '@temporalio/workflow';
import { phaseOfRunFailure } from '../common/failure-types.js';
import type { RunStatus, TerminalPhase } from '../common/run-status.js';

export interface RunFinishedSinks extends Sinks {
  chaosflowRuns: {
    finished(phase: TerminalPhase): void;
  };
}

const { chaosflowRuns } = proxySinks<RunFinishedSinks>();

/** The final phase of a run from how `chaosflowRun` returned or threw; undefined when it did not end. */
export function phaseOfRunEnd(outcome: { result: unknown } | { error: unknown }): TerminalPhase | undefined {
  if ('result' in outcome)
    return (outcome.result as RunStatus | undefined)?.phase === 'Succeeded' ? 'Succeeded' : undefined;
  const { error } = outcome;
  if (error instanceof ApplicationFailure) return phaseOfRunFailure(error.type);
  // The run re-throws a cancellation after it recovered everything (`run-workflow.ts`).
  if (isCancellation(error)) return 'Aborted';
  // Anything else fails the workflow task, which Temporal retries: the run has not ended.
  return undefined;
}

class RunFinishedInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    if (workflowInfo().workflowType !== 'chaosflowRun') return next(input);
    let result: unknown;
    try {
      result = await next(input);
    } catch (error) {
      const phase = phaseOfRunEnd({ error });
      if (phase) chaosflowRuns.finished(phase);
      throw error;
    }
    const phase = phaseOfRunEnd({ result });
    if (phase) chaosflowRuns.finished(phase);
    return result;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new RunFinishedInterceptor()],
});
