import { CancellationScope, condition, patched, startChild, workflowInfo } from '@temporalio/workflow';
import type { StatusCheckTemplate } from '../../common/plan.js';
import type { NodeBody } from '../node-runner.js';
import type { RunContext } from '../run-context.js';
import {
  newProbingState,
  probeActivity,
  probeUntilDone,
  probingPassed,
  type ProbingState,
} from '../status-check-probing.js';
import { chaosflowStatusCheck, statusCheckPauseSignal } from '../status-check-workflow.js';

/** Runs started before long checks moved to a workflow of their own keep probing in the run (their history). */
export const STATUS_CHECK_WORKFLOW_PATCH = 'status-check-workflow';

/** Probes a check makes in the run before it goes on in a workflow of its own, and per history there. */
export const PROBES_PER_HISTORY = 500;

/**
 * Chaos Mesh's StatusCheck (any probe type: HTTP, Command, Prometheus, Kubernetes): a probe every `intervalSeconds` (the first after one interval, like its ticker),
 * counting consecutive successes and failures. Synchronous ends at the success threshold, the failure threshold
 * or `duration`; Continuous only at the failure threshold or `duration`. It passes when its last
 * `successThreshold` probes all succeeded; with `abortWithStatusCheck` a check that did not pass aborts the run.
 * A check still going after `probesPerHistory` probes goes on in a workflow of its own that continues as new
 * (`status-check-workflow.ts`), so that it does not fill the run's history; the node's status shows its progress
 * all the same.
 */
export const runStatusCheck: NodeBody<StatusCheckTemplate> = async ({ run, id, template }) => {
  const { check } = template;
  const node = run.node(id);
  const probesPerHistory = template.probesPerHistory ?? PROBES_PER_HISTORY;
  let state = newProbingState();
  node.probes = state.records;
  const startedAt = Date.now();
  const end = await probeUntilDone(check, startedAt, state, {
    probeOnce: probeActivity(template.name, check, run.ref.namespace),
    whileUnpaused: () => run.whileUnpaused(),
    // Only a check that reaches the budget asks for the patch: every other run's commands stay as they were.
    handOver: () => Promise.resolve(state.probes >= probesPerHistory && patched(STATUS_CHECK_WORKFLOW_PATCH)),
  });
  if (end === 'hand over') {
    state = await probeInWorkflow(run, id, template, { probesPerHistory, startedAt, state });
    node.probes = state.records;
  }

  const passed = probingPassed(check, state);
  node.passed = passed;
  if (!passed && template.abortWithStatusCheck) {
    const reason = `status check '${template.name}' did not reach its success threshold`;
    run.abort(reason, 'StatusCheckNotExceedSuccessThreshold');
    return { phase: 'Aborted', reason: 'StatusCheckNotExceedSuccessThreshold', error: reason };
  }
  return { phase: 'Succeeded' };
};

/** Goes on with the check in a `chaosflowStatusCheck` child, forwarding the run's pause and resume to it. */
async function probeInWorkflow(
  run: RunContext,
  id: string,
  template: StatusCheckTemplate,
  from: { probesPerHistory: number; startedAt: number; state: ProbingState },
): Promise<ProbingState> {
  const info = workflowInfo();
  const node = run.node(id);
  const child = await startChild(chaosflowStatusCheck, {
    workflowId: `${info.workflowId}/status-check/${id}/${node.attempt}`,
    taskQueue: info.taskQueue,
    staticSummary: `StatusCheck ${template.name} of ${info.workflowId}`,
    args: [
      {
        parent: { workflowId: info.workflowId, runId: info.runId, nodeId: id },
        templateName: template.name,
        namespace: run.ref.namespace,
        check: template.check,
        startedAt: from.startedAt,
        probesPerHistory: from.probesPerHistory,
        paused: run.paused,
        state: from.state,
      },
    ],
  });
  node.probeWorkflowId = child.workflowId;
  const forwarding = new CancellationScope();
  void forwarding
    .run(async () => {
      for (let sent = run.paused; ;) {
        await condition(() => run.paused !== sent);
        sent = run.paused;
        await child.signal(statusCheckPauseSignal, sent);
      }
    })
    // Cancelled once the check ended; a signal the ended check no longer takes does not matter either.
    .catch(() => undefined);
  try {
    return await child.result();
  } finally {
    forwarding.cancel();
  }
}
