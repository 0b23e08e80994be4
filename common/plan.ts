/**
 * The Plan: the compiled, validated and defaulted form of a manifest, and the only input a chaosflow workflow
 * ever receives. Plain JSON (it travels through Temporal history), so no classes, Dates or Maps. Produced by
 * `manifests/compile.ts`; interpreted by `workflows/`.
 */
import type { ChaosKind } from './chaos-kinds.js';
import type {
  DNSChaosSpec,
  HTTPChaosSpec,
  IOChaosSpec,
  NetworkChaosSpec,
  PodChaosSpec,
  StressChaosSpec,
  TimeChaosSpec,
} from './generated/manifest-types.js';

export const PLAN_VERSION = 1;

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  source: PlanSource;
  /** Name of the template the run starts from. */
  entry: string;
  /** Every template of the workflow, by name. A template may be referenced more than once. */
  templates: Readonly<Record<string, PlanTemplate>>;
  /** Watched for the whole run; the first to fire aborts it (a chaosflow extension). */
  stopConditions?: readonly PlanStopCondition[];
  /** Webhooks told of the run's events (a chaosflow extension). */
  notifications?: readonly PlanNotification[];
}

/** A stop condition: what it watches, where, and how often. */
export interface PlanStopCondition {
  name: string;
  watch:
    | { type: 'Alert'; alert: string; labels: Readonly<Record<string, string>> }
    | { type: 'PromQL'; query: string; criteria?: PlanValueCriteria };
  /** Absent: the worker's Prometheus (`--prometheus-url`). */
  endpoint?: string;
  intervalMs: number;
  /** When Prometheus cannot be read: keep watching (recording the error), or stop the run. */
  onUnavailable: 'Continue' | 'Stop';
}

/** The events a run tells its webhooks of, in the order they can happen. */
export const RUN_EVENTS = ['Started', 'Aborted', 'Failed', 'Recovered', 'Finished'] as const;
export type RunEvent = (typeof RUN_EVENTS)[number];

export interface PlanNotification {
  name: string;
  url: string;
  format: 'Slack' | 'JSON';
  events: readonly RunEvent[];
  /** Per attempt. */
  timeoutMs: number;
  attempts: number;
}

/** Where a plan came from: the manifest's identity, for status, search attributes and messages. */
export interface PlanSource {
  kind: 'Workflow' | ChaosKind;
  apiVersion: string;
  namespace: string;
  name: string;
  /** `file:line` of the manifest document, when it came from a file. */
  location?: string;
}

export const TEMPLATE_TYPES = [
  'Serial',
  'Parallel',
  'Suspend',
  'Task',
  'StatusCheck',
  'Schedule',
  'Chaos',
] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

export type PlanTemplate =
  | SerialTemplate
  | ParallelTemplate
  | SuspendTemplate
  | TaskTemplate
  | StatusCheckTemplate
  | ChaosTemplate
  | ScheduleTemplate;

interface TemplateCommon {
  name: string;
  /** Chaos Mesh `deadline`, counted from the moment the node starts. Absent: no deadline of its own. */
  deadlineMs?: number;
  /** chaosflow extension: re-run the node when it ends Failed. */
  retry?: RetryPolicy;
}

export interface RetryPolicy {
  /** Extra attempts after the first one. */
  limit: number;
  backoff: { initialMs: number; factor: number; maxMs?: number };
}

export interface SerialTemplate extends TemplateCommon {
  type: 'Serial';
  children: readonly string[];
}

export interface ParallelTemplate extends TemplateCommon {
  type: 'Parallel';
  children: readonly string[];
}

export interface SuspendTemplate extends TemplateCommon {
  type: 'Suspend';
  deadlineMs: number;
  /** chaosflow extension: wait for a `resume` (approval gate) instead of only the deadline. */
  approval: boolean;
}

export interface TaskTemplate extends TemplateCommon {
  type: 'Task';
  task: PlanTask;
  /** Chaos Mesh `conditionalBranches`; every branch whose expression is true runs, in parallel. */
  branches: readonly PlanBranch[];
}

export interface PlanTask {
  /** The Kubernetes container; in host mode `command` + `args` run as one argv on the worker's host. */
  container: {
    name: string;
    image?: string;
    command: readonly string[];
    args: readonly string[];
    /** `valueFrom` (Kubernetes mode only: host mode refuses it at validation) as given. */
    env: readonly { name: string; value: string; valueFrom?: unknown }[];
    workingDir?: string;
    /**
     * The Container's other fields (resources, volumeMounts, securityContext, ...), passed to the pod as given.
     * Host mode refuses them at validation.
     */
    more?: Readonly<Record<string, unknown>>;
  };
  /** Kubernetes volumes, passed through as given. */
  volumes: readonly unknown[];
  labels: Readonly<Record<string, string>>;
}

export interface PlanBranch {
  target: string;
  /** Expression over `exitCode` and `stdout`; empty means always true. */
  expression: string;
}

export interface StatusCheckTemplate extends TemplateCommon {
  type: 'StatusCheck';
  check: PlanStatusCheck;
  abortWithStatusCheck: boolean;
  /**
   * Not a manifest field (the compiler never sets it): how many probes one history holds before a long check
   * continues as new; default `PROBES_PER_HISTORY` (`workflows/nodes/status-check.ts`). Tests set it lower.
   */
  probesPerHistory?: number;
}

/** What a probe checks: the kinds of StatusCheck (`HTTP` is Chaos Mesh's; the others are chaosflow's). */
export const PROBE_TYPES = ['HTTP', 'Command', 'Prometheus', 'Kubernetes'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

/** What a probed value (text, or a number) must satisfy; every given comparator must hold. */
export interface PlanValueCriteria {
  equals?: string;
  contains?: string;
  /** A regular expression, checked to compile at validation. */
  matches?: string;
  compare?: { op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: number };
  /** Inclusive. */
  between?: { min: number; max: number };
}

export interface PlanHttpProbe {
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, readonly string[]>>;
  body?: string;
  criteria: {
    /** Inclusive status-code range; `"200"` compiles to 200..200. */
    statusCode: { min: number; max: number };
    body?: { contains?: string; matches?: string; json?: { path: string; equals: string } };
    maxResponseMs?: number;
  };
}

export interface PlanCommandProbe {
  argv: readonly string[];
  workingDir?: string;
  env: Readonly<Record<string, string>>;
  /** The exit code that means success. */
  exitCode: number;
  stdout?: PlanValueCriteria;
}

export interface PlanPrometheusProbe {
  /** Absent: the worker's Prometheus (`--prometheus-url`). */
  endpoint?: string;
  query: string;
  criteria: PlanValueCriteria;
}

export interface PlanKubernetesProbe {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** The plural, such as `deployments`. */
  resource: string;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  expect: 'present' | 'absent' | 'field';
  field?: PlanValueCriteria & { path: string };
}

/** One probe: its type, and the settings of that type. */
export type PlanProbe =
  | { type: 'HTTP'; http: PlanHttpProbe }
  | { type: 'Command'; command: PlanCommandProbe }
  | { type: 'Prometheus'; prometheus: PlanPrometheusProbe }
  | { type: 'Kubernetes'; kubernetes: PlanKubernetesProbe };

/** A StatusCheck: Chaos Mesh's thresholds and modes around one probe. */
export type PlanStatusCheck = PlanProbe & {
  mode: 'Synchronous' | 'Continuous';
  durationMs?: number;
  timeoutSeconds: number;
  intervalSeconds: number;
  failureThreshold: number;
  successThreshold: number;
  recordsHistoryLimit: number;
};

/** When a probe attached to a chaos node runs (LitmusChaos's modes). */
export const PROBE_MODES = ['SOT', 'EOT', 'Edge', 'Continuous', 'OnChaos'] as const;
export type ProbeMode = (typeof PROBE_MODES)[number];

/** A probe attached to a chaos template (`probes:`, a chaosflow extension). */
export type PlanChaosProbe = PlanProbe & {
  name: string;
  mode: ProbeMode;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Extra attempts of a failed probe before it counts as failed. */
  retries: number;
  /** A failed probe ends the node at once (its fault recovered, the node Failed). */
  stopOnFailure: boolean;
  /** Its weight in the run's resilience score. */
  weight: number;
};

export interface ChaosTemplate extends TemplateCommon {
  type: 'Chaos';
  chaos: PlanChaos;
  /** Probes run around and during the fault; absent in plans made before probes existed. */
  probes?: readonly PlanChaosProbe[];
}

/** The spec of each chaos kind, as its schema in `schemas/` defines it (types generated from the schemas). */
export interface ChaosSpecs {
  PodChaos: PodChaosSpec;
  NetworkChaos: NetworkChaosSpec;
  StressChaos: StressChaosSpec;
  IOChaos: IOChaosSpec;
  TimeChaos: TimeChaosSpec;
  HTTPChaos: HTTPChaosSpec;
  DNSChaos: DNSChaosSpec;
}

/** A compiled spec of kind `K`: valid against its schema, webhook defaults applied, `duration` taken out. */
export type CompiledChaosSpec<K extends ChaosKind> = Readonly<Omit<ChaosSpecs[K], 'duration'>>;

/** The spec's `action` for kinds that have one (`pod-kill`, `partition`, ...); `never` for the others. */
export type ChaosAction<K extends ChaosKind> = K extends ChaosKind
  ? ChaosSpecs[K] extends { action: infer A }
    ? A
    : never
  : never;

/** One chaos action of kind `K`. */
export interface PlanChaosOf<K extends ChaosKind> {
  kind: K;
  /** The spec's `action` where the kind has one. */
  action?: ChaosAction<K>;
  /** pod-kill and container-kill act once and finish at once. */
  oneShot: boolean;
  spec: CompiledChaosSpec<K>;
  /**
   * The spec's `remoteCluster`: the cluster whose chaosflow worker resolves, injects and recovers this chaos (on
   * its own task queue, `common/cluster-task-queue.ts`). Absent: the control plane's own worker.
   */
  remoteCluster?: string;
}

/** One chaos action, keyed by its kind: `chaos.kind === 'StressChaos'` narrows `chaos.spec` to its spec. */
export type PlanChaos = { [K in ChaosKind]: PlanChaosOf<K> }[ChaosKind];

export interface ScheduleTemplate extends TemplateCommon {
  type: 'Schedule';
  schedule: PlanCron;
  chaos: PlanChaos;
  /** Chaos Mesh's chaos `duration` inside the schedule: how long each tick holds its fault. */
  tickDurationMs?: number;
}

export interface PlanCron {
  /** The cron string as written (robfig dialect: 5 or 6 fields, descriptors, `@every`, `TZ=`). */
  expression: string;
  concurrencyPolicy: 'Forbid' | 'Allow' | 'Replace';
  startingDeadlineSeconds?: number;
  historyLimit?: number;
}
