/**
 * The activity contract: every side effect the interpreter asks for, typed in one place. Workflows import this
 * file as types only; `activities/create-activities.ts` implements it. Activity names are wire API recorded in
 * history: add new ones, never rename.
 */
import type { ChaosKind } from '../common/chaos-kinds.js';
import type {
  PlanChaos,
  PlanChaosOf,
  PlanHttpProbe,
  PlanNotification,
  PlanProbe,
  PlanStopCondition,
  PlanTask,
} from '../common/plan.js';
import type { RunEventNotice } from '../common/run-event.js';
import type { FaultFamily, FaultFragment } from '../common/target-state.js';
import type { FaultEntry, ProbeRecord } from '../common/run-status.js';
import type { Target } from '../common/target.js';

/** Who is asking: for idempotency keys, logs and the daemon's `namespaced-name` metadata. */
export interface RunRef {
  workflowId: string;
  namespace: string;
  name: string;
}

/** `C` narrows the chaos to one kind (`PlanChaosOf<'NetworkChaos'>`) where the kind is known. */
export interface ResolveTargetsInput<C extends PlanChaosOf<ChaosKind> = PlanChaos> {
  run: RunRef;
  nodeId: string;
  chaos: C;
}

/** Targets grouped by the daemon endpoint that serves them: one inject/recover activity per group. */
export interface TargetGroup {
  endpoint: string;
  targets: Target[];
}

export interface ResolveTargetsResult {
  groups: TargetGroup[];
  /**
   * What the driver needs beyond each batch's own targets, decided once at resolution (for NetworkChaos: the
   * addresses of the selected pods and of the `target` peers). Opaque to the workflow, passed to every batch.
   */
  context?: Readonly<Record<string, unknown>>;
}

/** `C` narrows the chaos to one kind (`PlanChaosOf<'StressChaos'>`): what the kind's driver receives. */
export interface FaultBatch<C extends PlanChaosOf<ChaosKind> = PlanChaos> {
  run: RunRef;
  nodeId: string;
  chaos: C;
  endpoint: string;
  /** `ResolveTargetsResult.context` of the node. */
  context?: Readonly<Record<string, unknown>>;
  targets: {
    target: Target;
    /** `<workflowId>/<nodeId>/<targetKey>`. */
    key: string;
    /** For recover: what inject returned for this target. */
    recoveryData?: Readonly<Record<string, string>>;
  }[];
}

/** The batch the driver of kind `K` receives. */
export type FaultBatchOf<K extends ChaosKind> = FaultBatch<PlanChaosOf<K>>;

export interface FaultTargetResult {
  key: string;
  ok: boolean;
  /** For inject: what recover will need. */
  recoveryData?: Record<string, string>;
  /** Why it failed, or a warning (e.g. "target gone: counted as recovered"). */
  message?: string;
  /** False when repeating the call cannot help (bad request, unsupported). */
  retryable?: boolean;
}

export interface FaultBatchResult {
  results: FaultTargetResult[];
}

export interface ProbeInput {
  http: PlanHttpProbe;
  timeoutSeconds: number;
  /** The node probing, for the activity's log lines (optional: older histories lack it). */
  nodeId?: string;
}

/** Any probe (HTTP too, for probes attached to chaos nodes); `probeHttp` stays for the StatusCheck's HTTP. */
export interface RunProbeInput {
  probe: PlanProbe;
  timeoutSeconds: number;
  /** The run's namespace: the default of a Kubernetes probe's. */
  namespace: string;
  /** The node probing, for the activity's log lines (optional: older histories lack it). */
  nodeId?: string;
}

export interface StopConditionInput {
  condition: PlanStopCondition;
}

/** One reading of a stop condition. */
export interface StopConditionCheck {
  at: string;
  fired: boolean;
  /** Prometheus could not be read; `detail` says why. */
  unavailable: boolean;
  detail: string;
}

/** A ledger entry with what recovering it needs: what the janitor reads of a closed run. */
export interface LedgerRecord {
  entry: FaultEntry;
  chaos: PlanChaos;
  target: Target;
  context: Readonly<Record<string, unknown>> | undefined;
}

/** The janitor's question about one closed run. */
export interface ReadOrphanInput {
  workflowId: string;
  runId: string;
}

/** What is left to recover of a closed run, less what a newer run of the same workflow id (a reset) holds. */
export interface OrphanRecords {
  ref: RunRef;
  records: LedgerRecord[];
  /** Keys skipped because the current run of that workflow id holds them. */
  leftToCurrentRun: string[];
}

export interface NotifyInput {
  notification: PlanNotification;
  notice: RunEventNotice;
}

export interface TaskInput {
  run: RunRef;
  nodeId: string;
  task: PlanTask;
}

export interface TaskResult {
  exitCode: number;
  /** The whole output, trimmed of surrounding white space, at most 1 MiB. */
  stdout: string;
}

/** Sends a pod's whole merged state of family `F` (called by the per-target entity workflow). */
export interface ApplyTargetStateInputOf<F extends FaultFamily> {
  family: F;
  endpoint: string;
  target: Target;
  /** The merged lists (`mergeFragments`); a list no fault adds to is absent. */
  lists: FaultFragment<F>;
  /** What the previous apply returned (e.g. the IO/HTTP proxy instance the daemon must replace). */
  daemonState?: Record<string, string>;
  /**
   * The lists that were not empty at this entity's last successful apply; absent when it has none (its first
   * apply, or one after a failed apply, which may have changed part of the state): an applier may leave out a
   * list that is empty now and was empty then (network: `networkCallOrder`).
   */
  appliedLists?: string[];
}

export type ApplyTargetStateInput = { [F in FaultFamily]: ApplyTargetStateInputOf<F> }[FaultFamily];

export interface ApplyTargetStateResult {
  daemonState?: Record<string, string>;
  /** Set when the pod is gone: the state counts as applied (nothing left to undo), with this warning. */
  warning?: string;
  /**
   * What the chaosflow agent said about calls that succeeded: the state had been recovered by its lease already,
   * or the namespace was left different from before the first inject (drift).
   */
  agentWarnings?: string[];
}

export interface ChaosflowActivities {
  resolveTargets(input: ResolveTargetsInput): Promise<ResolveTargetsResult>;
  injectFaults(batch: FaultBatch): Promise<FaultBatchResult>;
  recoverFaults(batch: FaultBatch): Promise<FaultBatchResult>;
  probeHttp(input: ProbeInput): Promise<ProbeRecord>;
  runProbe(input: RunProbeInput): Promise<ProbeRecord>;
  /** Returns only the reading that stops the run; cancelled when the run is over. */
  watchStopCondition(input: StopConditionInput): Promise<StopConditionCheck>;
  notify(input: NotifyInput): Promise<void>;
  readOrphan(input: ReadOrphanInput): Promise<OrphanRecords>;
  runTask(input: TaskInput): Promise<TaskResult>;
  applyTargetState(input: ApplyTargetStateInput): Promise<ApplyTargetStateResult>;
  /** Renews the agent leases of what the run holds, until cancelled (`leases/hold-fault-leases.ts`). */
  holdFaultLeases(input: HoldFaultLeasesInput): Promise<void>;
}

/** The run whose faults' leases are renewed. */
export interface HoldFaultLeasesInput {
  workflowId: string;
  runId: string;
  /** The faults of this cluster (`remoteCluster`) only, renewed by its worker; absent: the faults of no cluster. */
  cluster?: string;
}
