/**
 * `chaosflowRun`: one workflow type runs every experiment by interpreting its Plan. It runs the entry node in an
 * experiment scope that `abort` (and workflow cancellation) cuts, then drains the fault ledger in a
 * non-cancellable scope whatever happened, and ends with the run's phase: returned when Succeeded, otherwise
 * thrown as a non-retryable failure whose type names the phase (cancellation is re-thrown as cancellation).
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  setHandler,
} from '@temporalio/workflow';
import { RUN_FAILURE_TYPES } from '../common/failure-types.js';
import type { RunInput } from '../common/run-input.js';
import type { RunStatus, TerminalPhase } from '../common/run-status.js';
import {
  abortSignal,
  faultsQuery,
  pauseUpdate,
  recoveryRecordsQuery,
  resumeUpdate,
  statusQuery,
} from './messages.js';
import { NodeRunner, type NodeBodies } from './node-runner.js';
import { runChaos } from './nodes/chaos.js';
import { runParallel } from './nodes/parallel.js';
import { runSchedule } from './nodes/schedule.js';
import { runSerial } from './nodes/serial.js';
import { runStatusCheck } from './nodes/status-check.js';
import { runSuspend } from './nodes/suspend.js';
import { runTaskNode } from './nodes/task.js';
import { RunContext } from './run-context.js';
import { RunNotifier } from './run-notifier.js';
import { statusCheckProgressSignal } from './status-check-workflow.js';
import { renewFaultLeases } from './fault-leases.js';
import { watchStopConditions } from './stop-condition-watch.js';

const BODIES: NodeBodies = {
  Serial: runSerial,
  Parallel: runParallel,
  Suspend: runSuspend,
  Task: runTaskNode,
  StatusCheck: runStatusCheck,
  Chaos: runChaos,
  Schedule: runSchedule,
};

export async function chaosflowRun(input: RunInput): Promise<RunStatus> {
  const run = new RunContext(input.plan, input.scheduledAt);

  setHandler(statusQuery, () => run.status);
  setHandler(faultsQuery, () => run.ledger.entries());
  setHandler(recoveryRecordsQuery, () => ({ ref: run.ref, records: run.ledger.unrecovered() }));
  setHandler(abortSignal, ({ reason }) => run.abort(reason ?? 'aborted by request'));
  setHandler(statusCheckProgressSignal, ({ nodeId, state }) => {
    const node = run.nodeStatus(nodeId);
    if (node) node.probes = state.records;
  });
  setHandler(pauseUpdate, () => {
    const changed = run.pause();
    return { paused: run.paused, changed };
  });
  setHandler(resumeUpdate, ({ node, approveGates }) => {
    const unpaused = node === undefined ? run.unpause() : false;
    return { unpaused, approved: approveGates === false ? [] : run.approve(node) };
  });

  const notifier = new RunNotifier(run);
  notifier.send('Started', startedDetail(input.plan));
  run.onAbort((reason) => notifier.send('Aborted', reason));

  const runner = new NodeRunner(run, BODIES);
  const experiment = new CancellationScope();
  run.bindExperimentScope(experiment);
  const stopWatching = watchStopConditions(run);
  const stopRenewing = renewFaultLeases(run);
  let phase: TerminalPhase;
  let cancelled = false;
  try {
    phase = await experiment.run(() =>
      runner.runNode(input.plan.entry, input.plan.entry, undefined, run.rootCut),
    );
  } catch (err) {
    if (!isCancellation(err)) throw err;
    phase = 'Aborted';
  }
  stopWatching();
  // Workflow cancellation cancels the root scope; the experiment scope was cut without an abort reason.
  cancelled = CancellationScope.current().consideredCancelled;
  if (cancelled) notifier.send('Aborted', 'run cancelled');
  if (phase === 'Failed' || phase === 'DeadlineExceeded') {
    notifier.send('Failed', summarize(phase, run.status, run.status.nodes[input.plan.entry]?.errors ?? []));
  }

  // Safety net: nodes recover their own faults, but nothing may be left behind whatever happened above.
  await run.ledger.recover(undefined);
  stopRenewing();
  run.end(phase);
  const faults = run.ledger.entries();
  if (run.status.phase === 'RecoveryFailed') {
    const open = faults.filter((f) => f.state !== 'Recovered').length;
    notifier.send('Failed', `${open} of ${faults.length} faults could not be recovered`);
  } else if (faults.length > 0) {
    notifier.send('Recovered', `all ${faults.length} faults recovered`);
  }
  notifier.send(
    'Finished',
    summarize(run.status.phase === 'RecoveryFailed' ? 'RecoveryFailed' : phase, run.status, []),
  );
  await notifier.drain();
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));

  if (cancelled) {
    // Re-thrown as cancellation so Temporal records the run as Canceled (and a Schedule's CANCEL_OTHER proceeds).
    // The SDK does not record a cancellation's details, so clients query the closed run for its status.
    throw new CancelledFailure('run cancelled; every injected fault was recovered');
  }
  if (phase !== 'Succeeded') {
    const entry = run.status.nodes[input.plan.entry];
    throw ApplicationFailure.create({
      type: RUN_FAILURE_TYPES[phase],
      message: summarize(phase, run.status, entry?.errors ?? []),
      nonRetryable: true,
      details: [run.status],
    });
  }
  return run.status;
}

function startedDetail(plan: RunInput['plan']): string {
  const templates = Object.values(plan.templates);
  const chaos = templates.filter((t) => t.type === 'Chaos').length;
  const guards = plan.stopConditions?.length ?? 0;
  return `${templates.length} templates, ${chaos} chaos, ${guards} stop conditions`;
}

function summarize(phase: TerminalPhase, status: RunStatus, errors: readonly string[]): string {
  const firstError = Object.values(status.nodes).find((n) => n.phase === 'Failed' && n.errors.length)
    ?.errors[0];
  const why = status.abortReason ?? firstError ?? errors[0];
  return `run ${phase}${why ? `: ${why}` : ''}`;
}
