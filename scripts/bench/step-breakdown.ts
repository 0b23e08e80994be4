/**
 * Where a chaos step's time goes, read from the Temporal histories of a finished run and of its target's entity
 * (`chaosflowTargetState`): per step, the span from its resolve being scheduled to its recover completing, the
 * three activities of the run (resolveTargets, injectFaults, recoverFaults: scheduled to completed, so their
 * dispatch is counted), the entity's applies inside the inject and the recover (the agent's calls, with the
 * worker's pod lookup and gRPC), and what is left: the run's workflow tasks between the activities. Medians
 * over the run's steps.
 */
import type { Client } from '@temporalio/client';
import { eventMs } from './history-event-ms.js';
import { median } from './median.js';

export interface StepBreakdown {
  readonly steps: number;
  readonly spanMs: number;
  readonly resolveMs: number;
  readonly injectMs: number;
  readonly injectApplyMs: number;
  readonly recoverMs: number;
  readonly recoverApplyMs: number;
  /** The span minus the three activities: workflow tasks (and a hold that outlasted the inject). */
  readonly betweenMs: number;
}

interface Interval {
  readonly type: string;
  readonly from: number;
  readonly to: number;
}

/** The activities of a history that completed, as intervals from scheduled to completed. */
async function activityIntervals(client: Client, workflowId: string): Promise<Interval[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const out: Interval[] = [];
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs) scheduled.set(id, { type: attrs.activityType?.name ?? '', at: eventMs(event) });
    const done = event.activityTaskCompletedEventAttributes;
    const start = done && scheduled.get(String(done.scheduledEventId));
    if (start) out.push({ type: start.type, from: start.at, to: eventMs(event) });
  }
  return out;
}

export async function stepBreakdown(client: Client, runId: string, entityId: string): Promise<StepBreakdown> {
  const run = await activityIntervals(client, runId);
  const applies = (await activityIntervals(client, entityId)).filter((a) => a.type === 'applyTargetState');
  const of = (type: string) => run.filter((a) => a.type === type);
  const [resolves, injects, recovers] = [of('resolveTargets'), of('injectFaults'), of('recoverFaults')];
  const steps = Math.min(resolves.length, injects.length, recovers.length);
  const length = (i: Interval | undefined) => (i ? i.to - i.from : NaN);
  const applyWithin = (outer: Interval | undefined) =>
    applies
      .filter((a) => outer && a.from >= outer.from && a.to <= outer.to)
      .reduce((sum, a) => sum + length(a), 0);
  const rows = Array.from({ length: steps }, (_, i) => {
    const [resolve, inject, recover] = [resolves[i], injects[i], recovers[i]];
    const span = (recover?.to ?? NaN) - (resolve?.from ?? NaN);
    return {
      span,
      resolve: length(resolve),
      inject: length(inject),
      injectApply: applyWithin(inject),
      recover: length(recover),
      recoverApply: applyWithin(recover),
      between: span - length(resolve) - length(inject) - length(recover),
    };
  });
  const med = (pick: (r: (typeof rows)[number]) => number) => median(rows.map(pick));
  return {
    steps,
    spanMs: med((r) => r.span),
    resolveMs: med((r) => r.resolve),
    injectMs: med((r) => r.inject),
    injectApplyMs: med((r) => r.injectApply),
    recoverMs: med((r) => r.recover),
    recoverApplyMs: med((r) => r.recoverApply),
    betweenMs: med((r) => r.between),
  };
}

/** The breakdown as lines for the benchmark's output. */
export function describeStepBreakdown(b: StepBreakdown): string[] {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return [
    `where a chaosflow step's time goes (Temporal histories of the last ${b.steps}-step run, medians per step):`,
    `  step span, resolve scheduled -> recover completed: ${ms(b.spanMs)}`,
    `  resolveTargets activity:                          ${ms(b.resolveMs)}`,
    `  injectFaults activity:                            ${ms(b.injectMs)} (the entity's apply, i.e. the agent's calls: ${ms(b.injectApplyMs)}; the rest: the entity's update and workflow tasks)`,
    `  recoverFaults activity:                           ${ms(b.recoverMs)} (the entity's apply: ${ms(b.recoverApplyMs)})`,
    `  the run's workflow tasks between them:            ${ms(b.betweenMs)}`,
  ];
}
