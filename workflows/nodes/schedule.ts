import {
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  executeChild,
  isCancellation,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import { cronSchedule } from '../../common/cron/next-fire-times.js';
import { phaseOfRunFailure } from '../../common/failure-types.js';
import { PLAN_VERSION, type Plan, type ScheduleTemplate } from '../../common/plan.js';
import { RUN_WORKFLOW_TYPE, type RunInput } from '../../common/run-input.js';
import type { ScheduleTick, TerminalPhase } from '../../common/run-status.js';
import { runDetails, runSummary } from '../../common/run-summary.js';
import { SA_KIND, SA_NAME, SA_NAMESPACE, SA_SCHEDULE } from '../../common/search-attributes.js';
import type { NodeBody } from '../node-runner.js';

/** Ticks kept in the node's status when the schedule sets no `historyLimit`. */
const DEFAULT_TICKS_KEPT = 10;
/** Missed slots walked at most when the workflow wakes up late (a worker outage). */
const MAX_MISSED_SLOTS = 10_000;

interface ActiveTick {
  scope: CancellationScope;
  done: Promise<void>;
}

/**
 * Chaos Mesh's Schedule template: a cron inside a workflow. Each tick runs the chaos as its own `chaosflowRun`
 * child (own history, own ledger, recovered on every way out), held for the chaos `duration`. Concurrency as in
 * Chaos Mesh (`Forbid` skips a tick while one runs, `Allow` overlaps) plus `Replace` (cancel the running tick,
 * which recovers, then start). A tick found late after an outage runs only the newest missed slot, and only
 * within `startingDeadlineSeconds` when set. The node ends at its deadline, after every tick has recovered.
 */
export const runSchedule: NodeBody<ScheduleTemplate> = async ({ run, id, template }) => {
  const { schedule } = template;
  const cron = cronSchedule(schedule.expression);
  const node = run.node(id);
  const ticks: ScheduleTick[] = [];
  node.ticks = ticks;
  const keep = Math.max(schedule.historyLimit ?? DEFAULT_TICKS_KEPT, 1);
  const active = new Map<string, ActiveTick>();
  const record = (tick: ScheduleTick) => {
    ticks.push(tick);
    while (ticks.length > keep && ticks[0]!.outcome !== 'Started') ticks.shift();
  };

  let last = Date.now();
  try {
    for (;;) {
      let slot = cron.next(last);
      if (slot === undefined) return { phase: 'Succeeded' };
      if (slot > Date.now()) await sleep(slot - Date.now());
      else slot = newestMissedSlot((after) => cron.next(after), slot, Date.now());
      last = slot;
      await run.whileUnpaused();
      const lateMs = Date.now() - slot;
      const scheduledAt = new Date(slot).toISOString();
      if (
        schedule.startingDeadlineSeconds !== undefined &&
        lateMs > schedule.startingDeadlineSeconds * 1000
      ) {
        record({ scheduledAt, outcome: 'Skipped' });
        continue;
      }
      if (active.size > 0 && schedule.concurrencyPolicy === 'Forbid') {
        record({ scheduledAt, outcome: 'Skipped' });
        continue;
      }
      if (schedule.concurrencyPolicy === 'Replace') {
        const running = [...active.values()];
        for (const tick of running) tick.scope.cancel();
        await Promise.all(running.map((t) => t.done));
      }
      const tick: ScheduleTick = {
        scheduledAt,
        workflowId: `${run.ref.workflowId}/${id}/${scheduledAt}`,
        outcome: 'Started',
      };
      record(tick);
      const scope = new CancellationScope();
      const done = scope
        .run(() => runTick(tick.workflowId!, tickPlan(run.plan, template), scheduledAt, id))
        .then((phase) => {
          tick.outcome = phase;
        })
        .finally(() => active.delete(tick.workflowId!));
      active.set(tick.workflowId!, { scope, done });
    }
  } finally {
    // Cut by the deadline or an abort: running ticks were cancelled with this scope; wait until they recovered.
    await CancellationScope.nonCancellable(() => Promise.all([...active.values()].map((t) => t.done)));
  }
};

async function runTick(
  workflowId: string,
  plan: Plan,
  scheduledAt: string,
  nodeId: string,
): Promise<TerminalPhase> {
  const input: RunInput = { plan, scheduledAt };
  try {
    await executeChild(RUN_WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `${runSummary(plan)}; tick of ${nodeId}`,
      staticDetails: runDetails(plan),
      typedSearchAttributes: [
        { key: SA_KIND, value: plan.source.kind },
        { key: SA_NAMESPACE, value: plan.source.namespace },
        { key: SA_NAME, value: plan.source.name },
        { key: SA_SCHEDULE, value: `${workflowInfo().workflowId}/${nodeId}` },
      ],
    });
    return 'Succeeded';
  } catch (err) {
    if (isCancellation(err)) return 'Aborted';
    return phaseOfFailure(err);
  }
}

/** A tick's phase from the failure type its run ended with (`RUN_FAILURE_TYPES`). */
function phaseOfFailure(err: unknown): TerminalPhase {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  return (cause instanceof ApplicationFailure && phaseOfRunFailure(cause.type)) || 'Failed';
}

function newestMissedSlot(next: (after: number) => number | undefined, first: number, now: number): number {
  let slot = first;
  for (let i = 0; i < MAX_MISSED_SLOTS; i++) {
    const following = next(slot);
    if (following === undefined || following > now) break;
    slot = following;
  }
  return slot;
}

/** The plan of one tick: the schedule's chaos alone, held for the chaos `duration`. */
function tickPlan(parent: Plan, template: ScheduleTemplate): Plan {
  return {
    planVersion: PLAN_VERSION,
    source: { ...parent.source, kind: template.chaos.kind },
    entry: template.name,
    templates: {
      [template.name]: {
        type: 'Chaos',
        name: template.name,
        chaos: template.chaos,
        ...(template.tickDurationMs === undefined ? {} : { deadlineMs: template.tickDurationMs }),
      },
    },
  };
}
