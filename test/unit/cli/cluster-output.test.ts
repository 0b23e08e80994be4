/** How `chaosflow get` shows a run that spans clusters: a CLUSTER column, and the clusters waiting for a worker. */
import { describe, expect, it } from 'vitest';
import { renderFaults } from '../../../cli/output/fault-table.js';
import { renderClusterWorkers, renderRunTree } from '../../../cli/output/run-tree.js';
import { runClusters } from '../../../client/cluster-workers.js';
import type { NodeStatus, RunStatus } from '../../../common/run-status.js';

const node = (id: string, o: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  template: id,
  type: 'Chaos',
  kind: 'NetworkChaos',
  action: 'partition',
  children: [],
  phase: 'Running',
  attempt: 1,
  errors: [],
  ...o,
});

const status = (nodes: NodeStatus[]): RunStatus => ({
  workflowId: 'w',
  source: { kind: 'Workflow', namespace: 'default', name: 'w' },
  phase: 'Running',
  paused: false,
  startedAt: '2026-01-01T00:00:00Z',
  entry: 'root',
  nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
});

const now = Date.parse('2026-01-01T00:00:00Z');

describe('a run on several clusters, as chaosflow get shows it', () => {
  const run = status([
    node('root', {
      type: 'Parallel',
      kind: undefined,
      action: undefined,
      children: ['on-a', 'on-c', 'here'],
    }),
    node('on-a', { parent: 'root', cluster: 'a' }),
    node('on-c', { parent: 'root', cluster: 'c' }),
    node('here', { parent: 'root' }),
  ]);

  it("lists each node's cluster, and says which running nodes wait for their cluster's worker", () => {
    const lines = renderRunTree(run, now, new Set(['c'])).split('\n');
    expect(lines[0]).toMatch(/^NODE +TYPE +CLUSTER +PHASE +TIME +DETAILS$/);
    expect(lines.find((l) => l.includes('on-a'))).toMatch(/NetworkChaos\/partition +a  +Running$/);
    expect(lines.find((l) => l.includes('on-c'))).toMatch(/ c +Running \(waiting for cluster c's worker\)$/);
    expect(lines.find((l) => l.includes('here'))).toMatch(/NetworkChaos\/partition  +Running$/);
    expect(runClusters(run)).toEqual(['a', 'c']);
  });

  it('has no CLUSTER column when no node names a cluster', () => {
    expect(renderRunTree(status([node('root')]), now).split('\n')[0]).toMatch(
      /^NODE +TYPE +PHASE +TIME +DETAILS$/,
    );
  });

  it("lists the clusters' queues and workers, naming the command a cluster without one needs", () => {
    expect(
      renderClusterWorkers([
        { cluster: 'a', taskQueue: 'chaosflow-cluster-a', workers: 2 },
        { cluster: 'c', taskQueue: 'chaosflow-cluster-c', workers: 0 },
      ]).split('\n'),
    ).toEqual([
      'CLUSTER  TASK QUEUE           WORKERS',
      'a        chaosflow-cluster-a  2',
      'c        chaosflow-cluster-c  none: its nodes wait until chaosflow worker --cluster c runs',
      '',
    ]);
  });

  it('shows the cluster of each fault in the ledger when any has one', () => {
    const entry = {
      nodeId: 'n',
      kind: 'NetworkChaos' as const,
      target: 't',
      endpoint: 'e',
      recoverAttempts: 0,
    };
    const table = renderFaults([
      { ...entry, key: 'k1', cluster: 'a', state: 'Injected' },
      { ...entry, key: 'k2', state: 'Recovered' },
    ]);
    expect(table.split('\n')[0]).toMatch(/^NODE +CLUSTER +TARGET +FAULT/);
    expect(table.split('\n')[1]).toMatch(/^n +a +t +NetworkChaos +Injected/);
    expect(renderFaults([{ ...entry, key: 'k', state: 'Injected' }]).split('\n')[0]).toMatch(/^NODE +TARGET/);
  });
});
