/**
 * The status the controller writes on a chaosflow object (the CRD's status subresource), and how it is derived
 * from what Temporal says about the object's run. Pure: the reconciler compares the status it derives with the
 * one on the object, writes it when they differ, and turns the differences into Events.
 *
 * Bounded, so that no run makes the object large: at most `NODES_SHOWN` nodes and `FAULTS_SHOWN` faults are
 * listed (the counts are always exact; `chaosflow get RUN` shows everything).
 */
import type { FaultEntry, FaultState, NodeStatus, Phase, RunStatus } from '../common/run-status.js';

export const NODES_SHOWN = 50;
export const FAULTS_SHOWN = 100;

/** A fault that is, or may still be, in place. */
const HELD: ReadonlySet<FaultState> = new Set(['Injecting', 'Injected', 'Recovering', 'RecoveryFailed']);

export interface ObjectCondition {
  type: 'Ready' | 'Accomplished';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface ObjectNodeSummary {
  id: string;
  name: string;
  type: string;
  phase: Phase;
  startedAt?: string;
  endedAt?: string;
  reason?: string;
}

export interface ObjectFaultSummary {
  key: string;
  /** `<namespace>/<pod>/<container>`. */
  target: string;
  kind: string;
  action?: string;
  state: FaultState;
}

export interface ObjectStatus {
  /** The run's phase; `Invalid` when the manifest does not compile (nothing runs). */
  phase?: Phase | 'Invalid';
  observedGeneration?: number;
  conditions?: ObjectCondition[];
  runId?: string;
  url?: string;
  startedAt?: string;
  finishedAt?: string;
  paused?: boolean;
  abortReason?: string;
  /** `<nodes ended>/<nodes the plan can start>`. */
  progress?: string;
  totalNodes?: number;
  faultsHeld?: number;
  nodes?: ObjectNodeSummary[];
  faults?: ObjectFaultSummary[];
  /** Approval gates waiting for an approval. */
  awaitingApproval?: string[];
  /** Schedules: the newest runs and the next fire times. */
  lastRuns?: { workflowId: string; phase: string; startedAt?: string; endedAt?: string }[];
  nextFireTimes?: string[];
  scheduleId?: string;
  /** Set once recovery could not be confirmed and an operator forced the object away. */
  forceCleaned?: boolean;
}

/** Sets (or keeps) a condition; its transition time moves only when its status changes. */
export function withCondition(
  conditions: readonly ObjectCondition[] | undefined,
  next: Omit<ObjectCondition, 'lastTransitionTime'>,
  now: string,
): ObjectCondition[] {
  const previous = conditions?.find((c) => c.type === next.type);
  const kept = (conditions ?? []).filter((c) => c.type !== next.type);
  const lastTransitionTime = previous && previous.status === next.status ? previous.lastTransitionTime : now;
  return [...kept, { ...next, lastTransitionTime }].sort((a, b) => a.type.localeCompare(b.type));
}

export function heldFaults(faults: readonly FaultEntry[]): FaultEntry[] {
  return faults.filter((f) => HELD.has(f.state));
}

/** The status of an object whose run reported `run` and `faults`. */
export function statusFromRun(
  previous: ObjectStatus | undefined,
  run: RunStatus,
  faults: readonly FaultEntry[] | undefined,
  now: string,
): ObjectStatus {
  const nodes = Object.values(run.nodes).sort(byStart);
  const ended = nodes.filter((n) => n.phase !== 'Running' && n.phase !== 'Pending').length;
  const total = Math.max(previous?.totalNodes ?? 0, nodes.length);
  const ledger = faults ?? [];
  const done = run.phase !== 'Running' && run.phase !== 'Pending';
  const status: ObjectStatus = {
    ...previous,
    phase: run.phase,
    startedAt: run.startedAt,
    paused: run.paused,
    progress: `${ended}/${total}`,
    totalNodes: total,
    faultsHeld: faults ? heldFaults(ledger).length : (previous?.faultsHeld ?? 0),
    nodes: nodes.slice(0, NODES_SHOWN).map(nodeSummary),
    ...(faults ? { faults: ledger.slice(0, FAULTS_SHOWN).map(faultSummary) } : {}),
    awaitingApproval: nodes.filter((n) => n.awaitingApproval).map((n) => n.template),
    conditions: withCondition(
      previous?.conditions,
      done
        ? {
            type: 'Accomplished',
            status: 'True',
            reason: run.phase,
            message: run.abortReason ?? firstError(nodes) ?? `the run ended ${run.phase}`,
          }
        : { type: 'Accomplished', status: 'False', reason: 'Running', message: 'the run is in progress' },
      now,
    ),
  };
  if (run.endedAt) status.finishedAt = run.endedAt;
  if (run.abortReason) status.abortReason = run.abortReason;
  return status;
}

function nodeSummary(node: NodeStatus): ObjectNodeSummary {
  return {
    id: node.id,
    name: node.template,
    type: node.type,
    phase: node.phase,
    ...(node.startedAt ? { startedAt: node.startedAt } : {}),
    ...(node.endedAt ? { endedAt: node.endedAt } : {}),
    ...(node.reason ? { reason: node.reason } : {}),
  };
}

function faultSummary(fault: FaultEntry): ObjectFaultSummary {
  return {
    key: fault.key,
    target: fault.target,
    kind: fault.kind,
    ...(fault.action ? { action: fault.action } : {}),
    state: fault.state,
  };
}

function firstError(nodes: readonly NodeStatus[]): string | undefined {
  return nodes.find((n) => n.phase === 'Failed' && n.errors.length > 0)?.errors[0];
}

function byStart(a: NodeStatus, b: NodeStatus): number {
  return (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id);
}

/** Equal as JSON, ignoring the order of keys. */
export function sameStatus(a: ObjectStatus | undefined, b: ObjectStatus | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}
