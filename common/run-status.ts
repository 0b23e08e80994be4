/**
 * What a run reports about itself: phases, the node tree, probe records and the fault ledger. Plain JSON shared
 * by the workflow (its `status` and `faults` queries), the CLI and the controller.
 */
import type { ChaosKind } from './chaos-kinds.js';
import type { RunEvent, TemplateType } from './plan.js';

/** Terminal phases of a node or a run, plus the ones before it ends. */
export const TERMINAL_PHASES = [
  'Succeeded',
  'Failed',
  'Aborted',
  'DeadlineExceeded',
  'RecoveryFailed',
] as const;
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];
export const PHASES = ['Pending', 'Running', ...TERMINAL_PHASES] as const;
export type Phase = (typeof PHASES)[number];

/** Why a node ended the way it did (Chaos Mesh's condition reasons where one exists). */
export type EndReason =
  | 'NodeAccomplished'
  | 'NodeDeadlineExceed'
  | 'ParentNodeDeadlineExceed'
  | 'WorkflowAborted'
  | 'WorkflowCancelled'
  | 'SiblingFailed'
  | 'StatusCheckNotExceedSuccessThreshold'
  | 'ApprovalTimedOut'
  | 'Error';

export interface NodeStatus {
  id: string;
  template: string;
  type: TemplateType;
  /** For chaos and schedule nodes. */
  kind?: ChaosKind;
  action?: string;
  /** For chaos and schedule nodes with `remoteCluster`: the cluster whose worker runs their activities. */
  cluster?: string;
  parent?: string;
  children: string[];
  phase: Phase;
  reason?: EndReason;
  /** ISO times. */
  startedAt?: string;
  endedAt?: string;
  deadlineAt?: string;
  /** 1 for the first attempt; more when `retry` re-ran the node. */
  attempt: number;
  /** Errors of failed attempts, oldest first, and of the final one. */
  errors: string[];
  /** Targets of a chaos node, by key (`ns/pod/container`). */
  targets?: string[];
  /** StatusCheck: the records, newest last, at most `recordsHistoryLimit`. */
  probes?: ProbeRecord[];
  /** StatusCheck: the workflow a long check probes in (`chaosflowStatusCheck`), when it does. */
  probeWorkflowId?: string;
  /** StatusCheck: whether the last `successThreshold` probes were all successes when it ended. */
  passed?: boolean;
  /** Chaos node: the results of its probes, by probe name (newest last, bounded). */
  probeResults?: Record<string, ProbeRecord[]>;
  /** Task: what the command produced, and the branches taken. */
  task?: {
    exitCode: number;
    stdout: string;
    branches: { target: string; result: 'True' | 'False' | 'Unknown' }[];
  };
  /** Suspend with `approval: true`: true while it waits for a resume. */
  awaitingApproval?: boolean;
  /** Schedule node: the runs its ticks started. */
  ticks?: ScheduleTick[];
}

export interface ProbeRecord {
  at: string;
  outcome: 'Success' | 'Failure';
  /** Status code, or the transport error. */
  detail: string;
  durationMs: number;
  /** What was measured (a status code, a command's output, a query's value), when something was. */
  value?: string;
  /** The probe's name, for probes attached to a chaos node. */
  probe?: string;
}

export interface ScheduleTick {
  scheduledAt: string;
  workflowId?: string;
  outcome: 'Started' | 'Skipped' | TerminalPhase;
}

export type FaultState = 'Injecting' | 'Injected' | 'Recovering' | 'Recovered' | 'RecoveryFailed';

/** One entry of the compensation ledger: written before the inject call, drained on every exit. */
export interface FaultEntry {
  /** `<workflowId>/<nodeId>/<targetKey>`: the idempotency key sent with inject and recover. */
  key: string;
  nodeId: string;
  kind: ChaosKind;
  action?: string;
  target: string;
  endpoint: string;
  /** The cluster (`remoteCluster`) whose worker injected the fault: every recover of it goes to that worker. */
  cluster?: string;
  state: FaultState;
  injectedAt?: string;
  recoveredAt?: string;
  /** What the driver needs to recover (e.g. stress-ng instance ids), as returned by inject. */
  recoveryData?: Readonly<Record<string, string>>;
  recoverAttempts: number;
  /** What the inject that succeeded said: how the fault was carried out (loss by netem or iptables-statistic). */
  note?: string;
  /**
   * The last failure; or, once Recovered, what the recover that succeeded warned of: the target was gone, the
   * agent's lease had recovered the fault already, drift was found after the last recover.
   */
  lastError?: string;
}

export interface NotificationDelivery {
  notification: string;
  event: RunEvent;
  /** When the delivery ended (delivered, or given up). */
  at: string;
  ok: boolean;
  error?: string;
}

export interface RunStatus {
  workflowId: string;
  source: { kind: string; namespace: string; name: string };
  phase: Phase;
  /** True while paused: no new node starts and nothing new is injected. */
  paused: boolean;
  abortReason?: string;
  /** Set when a stop condition aborted the run. */
  stoppedBy?: { condition: string; at: string; detail: string };
  /** Every webhook delivery of the run's events, or why it failed (a chaosflow extension). */
  notifications?: NotificationDelivery[];
  startedAt: string;
  endedAt?: string;
  /** When a Schedule started the run: the tick it was for. */
  scheduledAt?: string;
  entry: string;
  nodes: Record<string, NodeStatus>;
}
