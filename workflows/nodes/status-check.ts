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

/** Probes one history holds, in the run or in one run of a long check's workflow. */
export const PROBES_PER_HISTORY = 500;

/**
 * Chaos Mesh's StatusCheck (any probe type: HTTP, Command, Prometheus, Kubernetes): a probe every `intervalSeconds` (the first after one interval, like its ticker),
 * counting consecutive successes and failures. Synchronous ends at the success threshold, the failure threshold
 * or `duration`; Continuous only at the failure threshold or `duration`. It passes when its last
 * `successThreshold` probes all succeeded; with `abortWithStatusCheck` a check that did not pass aborts the run.
 * A check that may take more than `probesPerHistory` probes (a long `duration`, or none) probes in a workflow of
 * its own that continues as new (`status-check-workflow.ts`); the node's status shows its progress all the same.
 */
export const runStatusCheck: NodeBody<StatusCheckTemplate> = async ({ run, id, template }) => {
  const { check } = template;
  const node = run.node(id);
  const probesPerHistory = template.probesPerHistory ?? PROBES_PER_HISTORY;
  const mostProbes =
    check.durationMs === undefined ? Infinity : check.durationMs / (check.intervalSeconds * 1000);
  let state: ProbingState;
  if (mostProbes > probesPerHistory && patched(STATUS_CHECK_WORKFLOW_PATCH)) {
    state = await probeInWorkflow(run, id, template, probesPerHistory);
  } else {
    state = newProbingState();
    node.probes = state.records;
    await probeUntilDone(check, Date.now(), state, {
      probeOnce: probeActivity(template.name, check, run.ref.namespace),
      whileUnpaused: () => run.whileUnpaused(),
    });
  }
  node.probes = state.records;

  const passed = probingPassed(check, state);
  node.passed = passed;
  if (!passed && template.abortWithStatusCheck) {
    const reason = `status check '${template.name}' did not reach its success threshold`;
    run.abort(reason, 'StatusCheckNotExceedSuccessThreshold');
    return { phase: 'Aborted', reason: 'StatusCheckNotExceedSuccessThreshold', error: reason };
  }
  return { phase: 'Succeeded' };
};

/** Runs the check as a `chaosflowStatusCheck` child, forwarding the run's pause and resume to it. */
async function probeInWorkflow(
  run: RunContext,
  id: string,
  template: StatusCheckTemplate,
  probesPerHistory: number,
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
        startedAt: Date.now(),
        probesPerHistory,
        paused: run.paused,
        state: newProbingState(),
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
