/**
 * A run's status as a tree table (the live view of `chaosflow run` and `chaosflow get`): every node with its
 * phase, how long it ran, and what it did (targets, probes, task result, the last error).
 */
import { formatGoDuration } from '../../common/duration.js';
import type { ClusterWorkers } from '../../client/cluster-workers.js';
import type { RunView } from '../../client/runs.js';
import { orphanPhaseLabel, type OrphanRecovery } from '../../common/orphan-recovery.js';
import type { NodeStatus, RunStatus } from '../../common/run-status.js';
import { renderFields, renderTable } from './render-table.js';

/**
 * `waitingClusters`: the clusters without a worker (`client/cluster-workers.ts`), whose running nodes wait for
 * one. A CLUSTER column appears when a node names a cluster.
 */
export function renderRunTree(
  status: RunStatus,
  now = Date.now(),
  waitingClusters: ReadonlySet<string> = new Set(),
): string {
  const clustered = Object.values(status.nodes).some((n) => n.cluster !== undefined);
  const rows: string[][] = [];
  const visit = (id: string, prefix: string, last: boolean, depth: number): void => {
    const node = status.nodes[id];
    if (!node) return;
    const glyph = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const waiting =
      node.phase === 'Running' && node.cluster !== undefined && waitingClusters.has(node.cluster);
    rows.push([
      `${prefix}${glyph}${node.template}`,
      typeLabel(node),
      ...(clustered ? [node.cluster ?? ''] : []),
      waiting ? `Running (waiting for cluster ${node.cluster}'s worker)` : phaseLabel(node),
      elapsed(node, now),
      details(node),
    ]);
    const next = depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`;
    node.children.forEach((child, i) => visit(child, next, i === node.children.length - 1, depth + 1));
  };
  visit(status.entry, '', true, 0);
  return renderTable(
    [
      { header: 'NODE' },
      { header: 'TYPE' },
      ...(clustered ? [{ header: 'CLUSTER' }] : []),
      { header: 'PHASE' },
      { header: 'TIME', align: 'right' },
      { header: 'DETAILS' },
    ],
    rows,
  );
}

export function renderRunHeader(status: RunView, now = Date.now()): string {
  const ended = status.endedAt ? Date.parse(status.endedAt) : now;
  const { orphan } = status;
  return renderFields([
    ['RUN', status.workflowId],
    ['SOURCE', `${status.source.kind} ${status.source.namespace}/${status.source.name}`],
    [
      'PHASE',
      orphan
        ? orphanPhaseLabel(orphan.orphan.closedAs, status.phase, orphan.phase)
        : `${status.phase}${status.paused ? ' (paused)' : ''}`,
    ],
    ...(orphan ? ([['RECOVERY', orphanLine(orphan)]] as const) : []),
    ['STARTED', status.startedAt],
    ['DURATION', formatGoDuration(roundSeconds(ended - Date.parse(status.startedAt)))],
    ...(status.scheduledAt ? ([['SCHEDULED', status.scheduledAt]] as const) : []),
    ...(status.abortReason ? ([['ABORTED', status.abortReason]] as const) : []),
  ]);
}

/** Who recovered what a terminated run left, and when. */
/** The workers of the run's clusters: the queue each polls, and whether any does. */
export function renderClusterWorkers(clusters: readonly ClusterWorkers[]): string {
  return renderTable(
    [{ header: 'CLUSTER' }, { header: 'TASK QUEUE' }, { header: 'WORKERS' }],
    clusters.map((c) => [
      c.cluster,
      c.taskQueue,
      c.workers > 0
        ? String(c.workers)
        : `none: its nodes wait until chaosflow worker --cluster ${c.cluster} runs`,
    ]),
  );
}

function orphanLine(orphan: OrphanRecovery): string {
  const recovered = orphan.faults.filter((f) => f.state === 'Recovered').length;
  const kept = orphan.leftToCurrentRun ? `, ${orphan.leftToCurrentRun} left to the run that replaced it` : '';
  if (orphan.phase === 'RecoveredByJanitor') {
    return `by the janitor ${orphan.janitorWorkflowId} at ${orphan.endedAt}: ${recovered} of ${orphan.faults.length} fault(s)${kept}`;
  }
  const errors = orphan.errors.length ? `: ${orphan.errors.at(-1)}` : '';
  return `${orphan.phase} (janitor ${orphan.janitorWorkflowId}, ${recovered} of ${orphan.faults.length} recovered so far)${errors}`;
}

function typeLabel(node: NodeStatus): string {
  if (node.type === 'Chaos') return node.action ? `${node.kind}/${node.action}` : String(node.kind);
  if (node.type === 'Schedule') return `Schedule/${node.kind}`;
  return node.type;
}

function phaseLabel(node: NodeStatus): string {
  if (node.awaitingApproval) return 'Running (awaiting approval)';
  const retry = node.attempt > 1 ? ` (attempt ${node.attempt})` : '';
  return `${node.phase}${retry}`;
}

function elapsed(node: NodeStatus, now: number): string {
  if (!node.startedAt) return '';
  const end = node.endedAt ? Date.parse(node.endedAt) : now;
  return formatGoDuration(roundSeconds(end - Date.parse(node.startedAt)));
}

function roundSeconds(ms: number): number {
  return ms < 1000 ? Math.max(0, Math.round(ms)) : Math.round(ms / 100) * 100;
}

function details(node: NodeStatus): string {
  const parts: string[] = [];
  if (node.targets) parts.push(`${node.targets.length} target${node.targets.length === 1 ? '' : 's'}`);
  if (node.probes && node.probes.length > 0) {
    const ok = node.probes.filter((p) => p.outcome === 'Success').length;
    const last = node.probes.at(-1)!;
    parts.push(`probes ${ok}/${node.probes.length} ok, last ${last.outcome} (${last.detail})`);
  }
  if (node.passed !== undefined) parts.push(node.passed ? 'passed' : 'not passed');
  if (node.task) {
    const taken = node.task.branches.filter((b) => b.result === 'True').map((b) => b.target);
    parts.push(`exit ${node.task.exitCode}${taken.length ? `, branches ${taken.join(' ')}` : ''}`);
  }
  if (node.ticks) parts.push(`${node.ticks.length} ticks`);
  if (node.reason && node.reason !== 'NodeAccomplished') parts.push(node.reason);
  const error = node.errors.at(-1);
  if (error && node.phase !== 'Succeeded') parts.push(error);
  return parts.join('; ');
}
