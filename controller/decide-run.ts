/**
 * What to do about a Workflow or a chaos object, given the object and what Temporal says about its run: the pure
 * half of the reconciler (the plumbing half reads and writes, `reconciler.ts`). Every decision is idempotent,
 * so deciding again on the same inputs is harmless: the run's id comes from the object's uid, a message the run
 * already acted on changes nothing, and the status is written only when it changed.
 *
 * - Invalid manifest: `Ready=False` with the located errors, a Warning event, no run.
 * - Valid, no run yet: the finalizer first, then the run (and `Ready=True`).
 * - Running: the status follows the run; the annotations are carried out (abort, pause/resume, approvals).
 * - Deleted: the run is aborted (its compensation recovers every fault); the finalizer goes once the run has
 *   closed, which with the ledger means every fault was recovered. A run closed without running chaosflow's
 *   code (terminated, timed out) keeps the object until `chaosflow.dev/force-clean` says to let it go.
 */
import type { Plan } from '../common/plan.js';
import type { FaultEntry, RunStatus } from '../common/run-status.js';
import { desiredControl, RECOVERY_FINALIZER } from './annotations.js';
import { sameStatus, statusFromRun, withCondition, type ObjectStatus } from './object-status.js';
import { planSize } from './plan-size.js';
import { eventsOfChange, type KubeEvent } from './status-events.js';

/** What Temporal says about the object's run. */
export type RunObservation =
  | { readonly state: 'absent' }
  | { readonly state: 'running'; readonly status: RunStatus; readonly faults: readonly FaultEntry[] }
  | {
      readonly state: 'closed';
      /** Temporal's execution status: COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ... */
      readonly execution: string;
      /** The run's own final status, when it ran to its end. */
      readonly status: RunStatus | undefined;
    };

export interface RunObjectView {
  readonly generation: number;
  readonly deleting: boolean;
  readonly finalizers: readonly string[];
  readonly annotations: Readonly<Record<string, string>> | undefined;
  readonly status: ObjectStatus | undefined;
}

export type Compiled =
  | { readonly ok: true; readonly plan: Plan; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface RunContext {
  readonly runId: string;
  readonly url: string | undefined;
  readonly now: string;
  /** How often a running object's status is refreshed. */
  readonly refreshMs: number;
}

export type RunMessage =
  | { readonly type: 'abort'; readonly reason: string }
  | { readonly type: 'pause' }
  | { readonly type: 'unpause' }
  | { readonly type: 'approve'; readonly node: string };

export interface RunDecision {
  finalizer?: 'add' | 'remove';
  start?: Plan;
  messages: RunMessage[];
  /** The new status, when it differs from the object's. */
  status?: ObjectStatus;
  events: KubeEvent[];
  requeueAfterMs?: number;
}

/** Closed this way, the run's own code did not run its recovery: nothing says its faults are gone. */
const CLOSED_WITHOUT_RECOVERY: ReadonlySet<string> = new Set(['TERMINATED', 'TIMED_OUT']);

export function decideRun(
  object: RunObjectView,
  compiled: Compiled,
  run: RunObservation,
  context: RunContext,
): RunDecision {
  const decision: RunDecision = { messages: [], events: [] };
  const control = desiredControl(object.annotations);
  const hasFinalizer = object.finalizers.includes(RECOVERY_FINALIZER);
  let status: ObjectStatus = { ...object.status };

  if (object.deleting) {
    if (!hasFinalizer) return decision;
    if (run.state === 'running') {
      if (!run.status.abortReason) {
        decision.messages.push({ type: 'abort', reason: 'the object was deleted' });
        decision.events.push({
          type: 'Normal',
          reason: 'Aborting',
          message: 'the object is being deleted: aborting the run and recovering its faults',
        });
      }
      status = statusFromRun(status, run.status, run.faults, context.now);
    }
    if (control.forceClean) {
      const held = status.faults?.filter((f) => f.state !== 'Recovered').map((f) => f.target) ?? [];
      decision.finalizer = 'remove';
      decision.events.push({
        type: 'Warning',
        reason: 'ForceCleaned',
        message:
          `removed the ${RECOVERY_FINALIZER} finalizer on request without confirming recovery` +
          (held.length > 0 ? `; faults may remain on ${held.join(', ')}` : '') +
          (run.state === 'running' ? '; the run was told to abort' : ''),
      });
      status = { ...status, forceCleaned: true };
    } else if (run.state === 'absent') {
      decision.finalizer = 'remove';
    } else if (run.state === 'closed' && !CLOSED_WITHOUT_RECOVERY.has(run.execution)) {
      decision.finalizer = 'remove';
      if (run.status) status = closedRunStatus(status, run.status, context.now);
      decision.events.push({
        type: 'Normal',
        reason: 'Recovered',
        message: 'the run has ended and every fault it injected is recovered: the object can go',
      });
    } else if (run.state === 'closed') {
      decision.events.push({
        type: 'Warning',
        reason: 'RecoveryUnconfirmed',
        message:
          `the run was ${run.execution.toLowerCase()} before it could recover its faults; check its targets, then ` +
          'annotate the object chaosflow.dev/force-clean=true to let it go',
      });
      decision.requeueAfterMs = 30_000;
    } else {
      decision.requeueAfterMs = context.refreshMs;
    }
    return finish(decision, object.status, status);
  }

  if (!compiled.ok) {
    const invalid = decideInvalid(object, compiled.errors, context.now);
    decision.events.push(...invalid.events);
    return finish(decision, object.status, invalid.status);
  }

  const ready = withCondition(
    status.conditions,
    {
      type: 'Ready',
      status: 'True',
      reason: 'Valid',
      message: compiled.warnings.length > 0 ? compiled.warnings.join('\n') : 'the manifest is valid',
    },
    context.now,
  );
  status = {
    ...status,
    observedGeneration: object.generation,
    conditions: ready,
    runId: context.runId,
    ...(context.url ? { url: context.url } : {}),
  };

  if (run.state === 'absent') {
    if (!hasFinalizer) decision.finalizer = 'add';
    decision.start = compiled.plan;
    status = {
      ...status,
      phase: 'Pending',
      totalNodes: planSize(compiled.plan),
      progress: `0/${planSize(compiled.plan)}`,
    };
    decision.events.push({ type: 'Normal', reason: 'Started', message: `started run ${context.runId}` });
    decision.requeueAfterMs = context.refreshMs;
    return finish(decision, object.status, status);
  }

  if (run.state === 'closed') {
    if (run.status) {
      status = closedRunStatus(status, run.status, context.now);
    } else {
      status = {
        ...status,
        phase: 'Failed',
        conditions: withCondition(
          status.conditions,
          {
            type: 'Accomplished',
            status: 'True',
            reason: run.execution,
            message: `the run was ${run.execution.toLowerCase()} outside chaosflow: faults it held may remain`,
          },
          context.now,
        ),
      };
    }
    return finish(decision, object.status, status);
  }

  status = statusFromRun(status, run.status, run.faults, context.now);
  if (control.abort && !run.status.abortReason) {
    decision.messages.push({ type: 'abort', reason: 'aborted with an annotation on the object' });
  }
  if (control.paused && !run.status.paused) decision.messages.push({ type: 'pause' });
  if (!control.paused && run.status.paused) decision.messages.push({ type: 'unpause' });
  for (const gate of control.approve) {
    const waiting = Object.values(run.status.nodes).find(
      (n) => n.awaitingApproval && (n.id === gate || n.template === gate),
    );
    if (waiting) decision.messages.push({ type: 'approve', node: waiting.id });
  }
  decision.requeueAfterMs = context.refreshMs;
  return finish(decision, object.status, status);
}

/**
 * An object whose manifest does not compile: `Ready=False` with every error, phase `Invalid`, and a Warning event
 * the first time (and again when a new generation is still invalid). Used for every kind.
 */
export function decideInvalid(
  object: Pick<RunObjectView, 'generation' | 'status'>,
  errors: readonly string[],
  now: string,
): { status: ObjectStatus; events: KubeEvent[] } {
  const status: ObjectStatus = {
    ...object.status,
    phase: 'Invalid',
    observedGeneration: object.generation,
    conditions: withCondition(
      object.status?.conditions,
      { type: 'Ready', status: 'False', reason: 'Invalid', message: errors.join('\n') },
      now,
    ),
  };
  const wasInvalid = object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False');
  const events: KubeEvent[] =
    wasInvalid && object.status?.observedGeneration === object.generation
      ? []
      : [
          {
            type: 'Warning',
            reason: 'Invalid',
            message: `the manifest is invalid, nothing runs: ${errors.join('; ')}`.slice(0, 1024),
          },
        ];
  return { status, events };
}

/** A run closes only once its ledger is drained: every fault it injected is recovered. */
function closedRunStatus(previous: ObjectStatus, run: RunStatus, now: string): ObjectStatus {
  const status = statusFromRun(previous, run, undefined, now);
  return { ...status, faults: status.faults?.map((f) => ({ ...f, state: 'Recovered' })), faultsHeld: 0 };
}

function finish(decision: RunDecision, before: ObjectStatus | undefined, after: ObjectStatus): RunDecision {
  if (!sameStatus(before, after)) {
    decision.status = after;
    decision.events.push(...eventsOfChange(before, after));
  }
  return decision;
}
