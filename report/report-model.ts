/**
 * The report of one run: every fact the HTML, Markdown and JSON renderings show, built once from the run's
 * status (node tree, probe records, stop condition), its plan (probe types, modes and weights) and its fault
 * ledger as recorded in history. Plain JSON, pure code: the renderers only lay it out.
 */
import type { OrphanRecovery } from '../common/orphan-recovery.js';
import type { Plan, ProbeMode, ProbeType } from '../common/plan.js';
import type {
  EndReason,
  FaultEntry,
  FaultState,
  NotificationDelivery,
  Phase,
  ProbeRecord,
  RunStatus,
  ScheduleTick,
} from '../common/run-status.js';
import { childIds } from '../workflows/nodes/child-ids.js';
import { resilienceScore, successPercentage, type ResilienceScore } from './resilience-score.js';

export const REPORT_VERSION = 1;

export interface RunReport {
  reportVersion: typeof REPORT_VERSION;
  generatedAt: string;
  run: ReportRun;
  /** The span the timeline shows (ISO times): the run's start to its end (or now), widened to every fact. */
  window: { start: string; end: string };
  /** Depth first from the entry, as the tree is drawn. */
  nodes: ReportNode[];
  /** One entry per target of every fault, in the order they were injected. */
  faults: ReportFault[];
  probes: ReportProbe[];
  /** Vertical lines of the timeline: aborts, cancellations, stop conditions. */
  markers: ReportMarker[];
  /** Every webhook delivery of the run's events, in time order (delivered or given up). */
  notifications: NotificationDelivery[];
  /** The stop conditions the run watched, by name (from the plan). */
  stopConditions: string[];
  score: ResilienceScore;
  verdict: ReportVerdict;
}

export interface ReportRun {
  workflowId: string;
  kind: string;
  namespace: string;
  name: string;
  phase: Phase;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  scheduledAt?: string;
  abortReason?: string;
  stoppedBy?: { condition: string; at: string; detail: string };
  /** For a run that closed without draining its ledger (terminated, timed out): what its janitor did. */
  janitor?: {
    workflowId: string;
    phase: OrphanRecovery['phase'];
    closedAs: string;
    closedAt: string;
    endedAt?: string;
  };
}

export interface ReportNode {
  id: string;
  template: string;
  type: string;
  /** `NetworkChaos/partition` for chaos and schedule nodes. */
  fault?: string;
  /** 0 for the entry. */
  depth: number;
  /** False for a node of the plan that never started (the run ended before it). */
  ran: boolean;
  phase: Phase;
  reason?: EndReason;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  attempt: number;
  errors: string[];
  /** A Schedule node: the runs its ticks started (or skipped). */
  ticks?: ScheduleTick[];
}

export interface ReportFault {
  nodeId: string;
  /** `NetworkChaos/partition`. */
  fault: string;
  target: string;
  endpoint: string;
  state: FaultState;
  injectedAt?: string;
  recoveredAt?: string;
  /** From inject to recover (to the end of the window while still held). */
  heldMs?: number;
  recoverAttempts: number;
  /** How the fault was carried out, as its inject said (loss by netem or iptables-statistic). */
  note?: string;
  lastError?: string;
}

export interface ReportProbe {
  /** `<nodeId>` for a StatusCheck, `<nodeId>#<probe name>` for a probe of a chaos node. */
  id: string;
  nodeId: string;
  name: string;
  /** What checks: HTTP, Command, Prometheus, Kubernetes (unknown without the plan). */
  probeType?: ProbeType;
  /** A chaos probe's mode, or the StatusCheck's (`Synchronous`, `Continuous`). */
  mode?: ProbeMode | 'Synchronous' | 'Continuous';
  weight: number;
  results: ProbeRecord[];
  successes: number;
  /** 0–100; undefined without results. */
  successPct?: number;
}

export interface ReportMarker {
  at: string;
  kind: 'abort' | 'cancel' | 'stop-condition';
  label: string;
}

export interface ReportVerdict {
  /** The run succeeded and left nothing injected. */
  passed: boolean;
  headline: string;
  /** Why, one fact a line: the stop condition, failed nodes, failed probes, faults not recovered. */
  reasons: string[];
}

export interface ReportInput {
  status: RunStatus;
  /** The run's plan, from its history: probe types, modes and weights. Without it every weight is 1. */
  plan?: Plan;
  /** The fault ledger. */
  faults: readonly FaultEntry[];
  /** Aborts and cancellations seen in history (stop conditions come from the status). */
  markers?: readonly ReportMarker[];
  /** The janitor's report on a terminated or timed-out run: its recoveries complete the ledger. */
  orphan?: OrphanRecovery;
  generatedAt: string;
}

export function buildRunReport(input: ReportInput): RunReport {
  const { status, plan } = input;
  const nodes = orderNodes(status, plan);
  const windowEnd = status.endedAt ?? input.generatedAt;
  const faults = withJanitorRecoveries(input.faults, input.orphan).map((entry) =>
    reportFault(entry, windowEnd),
  );
  const probes = reportProbes(status, plan, nodes);
  const markers = [...(input.markers ?? [])];
  if (status.stoppedBy) {
    markers.push({
      at: status.stoppedBy.at,
      kind: 'stop-condition',
      label: `stop condition ${status.stoppedBy.condition}: ${status.stoppedBy.detail}`,
    });
  }
  markers.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const notifications = [...(status.notifications ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const score = resilienceScore(
    probes.map((p) => ({ id: p.id, weight: p.weight, successes: p.successes, total: p.results.length })),
  );
  return {
    reportVersion: REPORT_VERSION,
    generatedAt: input.generatedAt,
    run: reportRun(status, input.orphan),
    window: reportWindow(status, windowEnd, nodes, faults, probes, [
      ...markers,
      ...notifications.map((n) => ({ at: n.at })),
    ]),
    nodes,
    faults,
    probes,
    markers,
    notifications,
    stopConditions: (plan?.stopConditions ?? []).map((c) => c.name),
    score,
    verdict: verdict(status, nodes, faults, probes, notifications, input.orphan),
  };
}

/** The janitor recovered the orphan's faults in its own workflow: its entries (same keys) are the later word. */
function withJanitorRecoveries(
  faults: readonly FaultEntry[],
  orphan: OrphanRecovery | undefined,
): FaultEntry[] {
  if (!orphan) return [...faults];
  const byKey = new Map(orphan.faults.map((f) => [f.key, f]));
  return faults.map((entry) => {
    const janitor = byKey.get(entry.key);
    return janitor
      ? { ...entry, ...janitor, recoverAttempts: entry.recoverAttempts + janitor.recoverAttempts }
      : entry;
  });
}

function reportRun(status: RunStatus, orphan: OrphanRecovery | undefined): ReportRun {
  return {
    workflowId: status.workflowId,
    kind: status.source.kind,
    namespace: status.source.namespace,
    name: status.source.name,
    phase: status.phase,
    startedAt: status.startedAt,
    ...(status.endedAt
      ? { endedAt: status.endedAt, durationMs: between(status.startedAt, status.endedAt) }
      : {}),
    ...(status.scheduledAt ? { scheduledAt: status.scheduledAt } : {}),
    ...(status.abortReason ? { abortReason: status.abortReason } : {}),
    ...(status.stoppedBy ? { stoppedBy: status.stoppedBy } : {}),
    ...(orphan
      ? {
          janitor: {
            workflowId: orphan.janitorWorkflowId,
            phase: orphan.phase,
            closedAs: orphan.orphan.closedAs,
            closedAt: orphan.orphan.closedAt,
            ...(orphan.endedAt ? { endedAt: orphan.endedAt } : {}),
          },
        }
      : {}),
  };
}

/**
 * Depth first from the entry, children in their order. With the plan, the nodes that never started (after an
 * abort or a failure) are listed too, as not run; nodes the tree does not reach come last.
 */
function orderNodes(status: RunStatus, plan: Plan | undefined): ReportNode[] {
  const out: ReportNode[] = [];
  const seen = new Set<string>();
  const visit = (id: string, templateName: string, depth: number) => {
    if (seen.has(id)) return;
    const node = status.nodes[id];
    const template = plan?.templates[node?.template ?? templateName];
    if (!node && !template) return;
    seen.add(id);
    if (node) {
      out.push({
        id,
        template: node.template,
        type: node.type,
        ...(node.kind ? { fault: faultName(node.kind, node.action) } : {}),
        depth,
        ran: true,
        phase: node.phase,
        ...(node.reason ? { reason: node.reason } : {}),
        ...(node.startedAt ? { startedAt: node.startedAt } : {}),
        ...(node.endedAt ? { endedAt: node.endedAt } : {}),
        ...(node.startedAt && node.endedAt ? { durationMs: between(node.startedAt, node.endedAt) } : {}),
        attempt: node.attempt,
        errors: [...node.errors],
        ...(node.ticks ? { ticks: [...node.ticks] } : {}),
      });
    } else if (template) {
      out.push({
        id,
        template: template.name,
        type: template.type,
        ...(template.type === 'Chaos' || template.type === 'Schedule'
          ? { fault: faultName(template.chaos.kind, template.chaos.action) }
          : {}),
        depth,
        ran: false,
        phase: 'Pending',
        attempt: 0,
        errors: [],
      });
    }
    const planned =
      template?.type === 'Serial' || template?.type === 'Parallel'
        ? childIds(id, template.children).map((childId, i) => [childId, template.children[i]!] as const)
        : [];
    const started = (node?.children ?? []).map((childId) => [childId, childId.split('/').at(-1)!] as const);
    const children = [...planned, ...started.filter(([c]) => !planned.some(([p]) => p === c))];
    for (const [childId, name] of children) visit(childId, name, depth + 1);
  };
  visit(status.entry, status.entry, 0);
  for (const node of Object.values(status.nodes)) {
    if (!seen.has(node.id)) visit(node.id, node.template, node.parent ? 1 : 0);
  }
  return out;
}

export function faultName(kind: string, action: string | undefined): string {
  return action ? `${kind}/${action}` : kind;
}

function reportFault(entry: FaultEntry, windowEnd: string): ReportFault {
  const held =
    entry.injectedAt === undefined ? undefined : between(entry.injectedAt, entry.recoveredAt ?? windowEnd);
  return {
    nodeId: entry.nodeId,
    fault: faultName(entry.kind, entry.action),
    target: entry.target,
    endpoint: entry.endpoint,
    state: entry.state,
    ...(entry.injectedAt ? { injectedAt: entry.injectedAt } : {}),
    ...(entry.recoveredAt ? { recoveredAt: entry.recoveredAt } : {}),
    ...(held === undefined ? {} : { heldMs: held }),
    recoverAttempts: entry.recoverAttempts,
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.lastError ? { lastError: entry.lastError } : {}),
  };
}

function reportProbes(
  status: RunStatus,
  plan: Plan | undefined,
  nodes: readonly ReportNode[],
): ReportProbe[] {
  const probes: ReportProbe[] = [];
  for (const { id, template: name, type } of nodes) {
    const node = status.nodes[id];
    const template = plan?.templates[name];
    if (type === 'StatusCheck') {
      const check = template?.type === 'StatusCheck' ? template.check : undefined;
      probes.push(
        reportProbe(id, id, name, node?.probes ?? [], {
          ...(check ? { probeType: check.type, mode: check.mode } : {}),
          weight: 1,
        }),
      );
    }
    const declared = template?.type === 'Chaos' ? (template.probes ?? []) : [];
    const names = new Set([...declared.map((p) => p.name), ...Object.keys(node?.probeResults ?? {})]);
    for (const probeName of names) {
      const probe = declared.find((p) => p.name === probeName);
      probes.push(
        reportProbe(`${id}#${probeName}`, id, probeName, node?.probeResults?.[probeName] ?? [], {
          ...(probe ? { probeType: probe.type, mode: probe.mode } : {}),
          weight: probe?.weight ?? 1,
        }),
      );
    }
  }
  return probes;
}

function reportProbe(
  id: string,
  nodeId: string,
  name: string,
  results: readonly ProbeRecord[],
  settings: Pick<ReportProbe, 'probeType' | 'mode' | 'weight'>,
): ReportProbe {
  const successes = results.filter((r) => r.outcome === 'Success').length;
  const successPct = successPercentage({ successes, total: results.length });
  return {
    id,
    nodeId,
    name,
    ...settings,
    results: [...results],
    successes,
    ...(successPct === undefined ? {} : { successPct }),
  };
}

function reportWindow(
  status: RunStatus,
  windowEnd: string,
  nodes: readonly ReportNode[],
  faults: readonly ReportFault[],
  probes: readonly ReportProbe[],
  moments: readonly { at: string }[],
): RunReport['window'] {
  const times = [
    status.startedAt,
    windowEnd,
    ...nodes.flatMap((n) => [n.startedAt, n.endedAt]),
    ...faults.flatMap((f) => [f.injectedAt, f.recoveredAt]),
    ...probes.flatMap((p) => p.results.map((r) => r.at)),
    ...moments.map((m) => m.at),
    ...nodes.flatMap((n) => (n.ticks ?? []).map((t) => t.scheduledAt)),
  ]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t));
  const start = Math.min(...times);
  const end = Math.max(...times, start + 1);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

function verdict(
  status: RunStatus,
  nodes: readonly ReportNode[],
  faults: readonly ReportFault[],
  probes: readonly ReportProbe[],
  notifications: readonly NotificationDelivery[],
  orphan: OrphanRecovery | undefined,
): ReportVerdict {
  const reasons: string[] = [];
  if (orphan) {
    reasons.push(
      `the run closed ${orphan.orphan.closedAs} at ${orphan.orphan.closedAt}; its janitor ${orphan.janitorWorkflowId}: ` +
        `${orphan.phase}${orphan.endedAt ? ` at ${orphan.endedAt}` : ''}${orphan.errors.length ? ` (${orphan.errors.join('; ')})` : ''}`,
    );
  }
  if (status.stoppedBy) {
    reasons.push(
      `stopped by stop condition ${status.stoppedBy.condition} at ${status.stoppedBy.at}: ${status.stoppedBy.detail}`,
    );
  } else if (status.abortReason) {
    reasons.push(status.phase === 'Aborted' ? `aborted: ${status.abortReason}` : status.abortReason);
  }
  for (const node of nodes) {
    if (node.phase === 'Succeeded' || node.phase === 'Pending' || node.phase === 'Running') continue;
    const why = node.errors.at(-1) ?? node.reason;
    reasons.push(`${node.id} ${node.phase}${why ? `: ${why}` : ''}`);
  }
  for (const probe of probes) {
    const failures = probe.results.length - probe.successes;
    if (failures > 0)
      reasons.push(`probe ${probe.id}: ${failures} of ${probe.results.length} results failed`);
  }
  const left = faults.filter((f) => f.state !== 'Recovered');
  for (const fault of left) {
    reasons.push(
      `fault ${fault.fault} on ${fault.target} is ${fault.state}${fault.lastError ? `: ${fault.lastError}` : ''}`,
    );
  }
  for (const n of notifications.filter((d) => !d.ok)) {
    reasons.push(
      `notification ${n.notification} of ${n.event} not delivered${n.error ? `: ${n.error}` : ''}`,
    );
  }
  const passed = status.phase === 'Succeeded' && left.length === 0;
  const recovered = faults.length - left.length;
  const headline =
    status.phase === 'Running' || status.phase === 'Pending'
      ? `still ${status.phase}: ${recovered} of ${faults.length} faults recovered so far`
      : `${status.phase}${status.stoppedBy ? ` (stopped by ${status.stoppedBy.condition})` : ''}: ` +
        (left.length === 0
          ? `every fault recovered (${faults.length})`
          : `${left.length} of ${faults.length} faults NOT recovered`);
  return { passed, headline, reasons };
}

function between(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}
