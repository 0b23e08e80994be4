/**
 * The activity contract: every side effect the interpreter asks for, typed in one place. Workflows import this
 * file as types only; `activities/create-activities.ts` implements it. Activity names are wire API recorded in
 * history: add new ones, never rename.
 */
import type { PlanChaos, PlanStatusCheck, PlanTask } from '../common/plan.js';
import type { ProbeRecord } from '../common/run-status.js';
import type { Target } from '../common/target.js';

/** Who is asking: for idempotency keys, logs and the daemon's `namespaced-name` metadata. */
export interface RunRef {
  workflowId: string;
  namespace: string;
  name: string;
}

export interface ResolveTargetsInput {
  run: RunRef;
  nodeId: string;
  chaos: PlanChaos;
}

/** Targets grouped by the daemon endpoint that serves them: one inject/recover activity per group. */
export interface TargetGroup {
  endpoint: string;
  targets: Target[];
}

export interface ResolveTargetsResult {
  groups: TargetGroup[];
}

export interface FaultBatch {
  run: RunRef;
  nodeId: string;
  chaos: PlanChaos;
  endpoint: string;
  targets: {
    target: Target;
    /** `<workflowId>/<nodeId>/<targetKey>`. */
    key: string;
    /** For recover: what inject returned for this target. */
    recoveryData?: Readonly<Record<string, string>>;
  }[];
}

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
  http: PlanStatusCheck['http'];
  timeoutSeconds: number;
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

export interface ChaosflowActivities {
  resolveTargets(input: ResolveTargetsInput): Promise<ResolveTargetsResult>;
  injectFaults(batch: FaultBatch): Promise<FaultBatchResult>;
  recoverFaults(batch: FaultBatch): Promise<FaultBatchResult>;
  probeHttp(input: ProbeInput): Promise<ProbeRecord>;
  runTask(input: TaskInput): Promise<TaskResult>;
}
