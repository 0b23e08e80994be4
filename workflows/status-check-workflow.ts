/**
 * `chaosflowStatusCheck`: a long StatusCheck goes on in a workflow of its own after its first `probesPerHistory`
 * probes in the run, so that its probes do not fill the run's history. About 11 history events per probe: a one-hour check at a 1 s interval would put ~40,000 events in the
 * run, near Temporal's limit of 51,200 (and its 10,240-event warning), and a longer one would end the run.
 * Here every `probesPerHistory` probes (or when Temporal suggests it) the check continues as new, carrying its
 * counters and newest records; the run gets its progress by signal (after a change of outcome, else at most
 * every PROGRESS_EVERY_MS) and the result at the end. The run forwards its pause and resume; its cancellation
 * (abort, deadline) cancels this workflow, and it is terminated with the run (the default parent close policy).
 */
import {
  condition,
  continueAsNew,
  defineSignal,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlanStatusCheck } from '../common/plan.js';
import { probeActivity, probeUntilDone, type ProbingState } from './status-check-probing.js';

export const PROGRESS_EVERY_MS = 15_000;

export interface StatusCheckInput {
  parent: { workflowId: string; runId: string; nodeId: string };
  templateName: string;
  namespace: string;
  check: PlanStatusCheck;
  /** When the check started (its probe times count from there), workflow time in ms. */
  startedAt: number;
  probesPerHistory: number;
  paused: boolean;
  state: ProbingState;
}

/** The run forwards its pause (true) and resume (false). */
export const statusCheckPauseSignal = defineSignal<[boolean]>('statusCheckPause');

/** A long check's progress, sent to its run. */
export interface StatusCheckProgress {
  nodeId: string;
  state: ProbingState;
}
export const statusCheckProgressSignal = defineSignal<[StatusCheckProgress]>('statusCheckProgress');

export async function chaosflowStatusCheck(input: StatusCheckInput): Promise<ProbingState> {
  let paused = input.paused;
  setHandler(statusCheckPauseSignal, (value) => {
    paused = value;
  });
  const { state, parent } = input;
  const run = getExternalWorkflowHandle(parent.workflowId, parent.runId);
  const report = () => run.signal(statusCheckProgressSignal, { nodeId: parent.nodeId, state });
  let reportedAt = Date.now();
  let lastOutcome = state.records.at(-1)?.outcome;
  let probesHere = 0;
  const end = await probeUntilDone(input.check, input.startedAt, state, {
    probeOnce: probeActivity(input.templateName, input.check, input.namespace),
    whileUnpaused: () => condition(() => !paused),
    handOver: async (record) => {
      probesHere += 1;
      if (record.outcome !== lastOutcome || Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
        lastOutcome = record.outcome;
        reportedAt = Date.now();
        await report();
      }
      return probesHere >= input.probesPerHistory || workflowInfo().continueAsNewSuggested;
    },
  });
  if (end === 'hand over') {
    await report();
    return continueAsNew<typeof chaosflowStatusCheck>({ ...input, paused, state });
  }
  return state;
}
