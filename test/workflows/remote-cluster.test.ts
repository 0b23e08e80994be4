/**
 * One control plane, many clusters: the real interpreter on the Temporal dev server with its worker (workflows
 * and activities, on the run's queue) and one activities-only worker per cluster on that cluster's queue, each
 * with its own FAKE driver and resolver. Each chaos node with `remoteCluster` resolves, injects and recovers on
 * its cluster's worker only; a cluster without a worker makes its node wait; abort recovers on the right cluster.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldFaultLeasesInput } from '../../activities/contract.js';
import { createActivities } from '../../activities/create-activities.js';
import { createTargetStateClient } from '../../activities/faults/per-target-state/entity-client.js';
import { readOrphan } from '../../activities/janitor/read-orphan.js';
import { readClusterWorkers, runClusters } from '../../client/cluster-workers.js';
import { clusterTaskQueue } from '../../common/cluster-task-queue.js';
import {
  JANITOR_WORKFLOW_TYPE,
  janitorWorkflowId,
  type OrphanRecovery,
} from '../../common/orphan-recovery.js';
import type { Target } from '../../common/target.js';
import { abortSignal, faultsQuery, statusQuery } from '../../workflows/messages.js';
import { createChaosflowWorker } from '../../worker/create-worker.js';
import { FakeFaultDriver, sameDriverForEveryKind } from '../fakes/fake-fault-driver.js';
import { FakeTargetResolver } from '../fakes/fake-target-resolver.js';
import { FakeTargetStateApplier } from '../fakes/fake-target-state-applier.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { chaos, parallel, plan, serial } from './plan-builder.js';

let env: InterpreterEnv;

/** One cluster's activities-only worker, as `chaosflow worker --cluster NAME` runs it, with FAKE side effects. */
interface ClusterWorker {
  driver: FakeFaultDriver;
  targets: FakeTargetResolver;
  applier: FakeTargetStateApplier;
  leases: HoldFaultLeasesInput[];
  stop(): Promise<void>;
}

const clusters: ClusterWorker[] = [];

async function startClusterWorker(name: string): Promise<ClusterWorker> {
  const driver = new FakeFaultDriver();
  const targets = new FakeTargetResolver();
  const applier = new FakeTargetStateApplier();
  const leases: HoldFaultLeasesInput[] = [];
  const worker: Worker = await createChaosflowWorker({
    connection: env.temporal.nativeConnection,
    namespace: env.temporal.namespace,
    taskQueue: clusterTaskQueue(env.taskQueue, name),
    activities: {
      ...createActivities({
        targets,
        drivers: sameDriverForEveryKind(driver),
        applyTargetState: applier.apply,
      }),
      // Recorded, not renewed (FAKE daemons keep no leases): which worker was asked for which cluster.
      holdFaultLeases: (input) => {
        leases.push(input);
        return Promise.resolve();
      },
    },
    shutdownGraceMs: 1_000,
  });
  const running = worker.run();
  const cluster: ClusterWorker = {
    driver,
    targets,
    applier,
    leases,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
  clusters.push(cluster);
  return cluster;
}

let a: ClusterWorker;
let b: ClusterWorker;

beforeAll(async () => {
  // The janitor reads a terminated run through the Temporal client (the env's default activities have none).
  env = await startInterpreterEnv(
    {},
    { activities: { readOrphan: (input) => readOrphan(env.temporal.client, input) } },
  );
  [a, b] = await Promise.all([startClusterWorker('a'), startClusterWorker('b')]);
});
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  await env?.stop();
});

/** `inject <template>` / `recover <template>` calls of the run on `driver`, in order. */
const ops = (driver: FakeFaultDriver, workflowId: string) =>
  driver.calls
    .filter((c) => c.key.startsWith(`${workflowId}/`))
    .map((c) => `${c.op} ${c.nodeId.split('/').at(-1)}`);

describe('chaos nodes with remoteCluster', () => {
  it("resolve, inject and recover on their own cluster's worker only, in one run that spans clusters", async () => {
    const handle = await env.start(
      plan(
        'root',
        serial('root', ['on-a', 'on-b', 'here']),
        chaos('on-a', ['pod-1'], { deadlineMs: 500, remoteCluster: 'a' }),
        chaos('on-b', ['pod-1'], { deadlineMs: 500, remoteCluster: 'b' }),
        chaos('here', ['pod-1'], { deadlineMs: 500 }),
      ),
    );
    await handle.result();
    const id = handle.workflowId;
    expect(ops(a.driver, id)).toEqual(['inject on-a', 'recover on-a']);
    expect(ops(b.driver, id)).toEqual(['inject on-b', 'recover on-b']);
    expect(ops(env.driver, id)).toEqual(['inject here', 'recover here']);
    const resolved = (targets: FakeTargetResolver) =>
      targets.calls.filter((c) => c.run.workflowId === id).map((c) => c.nodeId);
    expect(resolved(a.targets)).toEqual(['root/on-a']);
    expect(resolved(b.targets)).toEqual(['root/on-b']);
    expect(resolved(env.targets)).toEqual(['root/here']);
    // The ledger records each fault's cluster (what every later recover path routes by).
    const faults = await handle.query(faultsQuery);
    expect(faults.map((f) => [f.nodeId, f.cluster, f.state])).toEqual([
      ['root/on-a', 'a', 'Recovered'],
      ['root/on-b', 'b', 'Recovered'],
      ['root/here', undefined, 'Recovered'],
    ]);
    const status = await handle.query(statusQuery);
    expect(status.nodes['root/on-a']?.cluster).toBe('a');
    expect(status.nodes['root/here']?.cluster).toBeUndefined();
    // Each cluster's worker was asked to renew the leases of its own cluster's faults.
    expect(a.leases.filter((l) => l.workflowId === id)).toEqual([
      { workflowId: id, runId: (await handle.describe()).runId, cluster: 'a' },
    ]);
    expect(b.leases.filter((l) => l.workflowId === id).map((l) => l.cluster)).toEqual(['b']);
  });

  it('wait while their cluster has no worker (never running elsewhere), then run once that worker starts', async () => {
    const handle = await env.start(
      // The deadline counts from the node's start, waiting included: long enough to outlast the wait.
      plan('c-only', chaos('c-only', ['pod-1'], { deadlineMs: 8_000, remoteCluster: 'c' })),
    );
    const id = handle.workflowId;
    await env.waitForStatus(handle, (s) => s.nodes['c-only']?.phase === 'Running');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const waiting = await handle.query(statusQuery);
    expect(waiting.phase).toBe('Running');
    expect(waiting.nodes['c-only']).toMatchObject({ phase: 'Running', cluster: 'c' });
    expect(waiting.nodes['c-only']?.targets).toBeUndefined();
    for (const driver of [env.driver, a.driver, b.driver]) expect(ops(driver, id)).toEqual([]);
    // What chaosflow get shows: cluster c has no worker (its running node waits for one), cluster a has one.
    expect(await readClusterWorkers(handle, runClusters(waiting))).toEqual([
      { cluster: 'c', taskQueue: clusterTaskQueue(env.taskQueue, 'c'), workers: 0 },
    ]);
    expect((await readClusterWorkers(handle, ['a']))[0]?.workers).toBe(1);

    const c = await startClusterWorker('c');
    await handle.result();
    expect(ops(c.driver, id)).toEqual(['inject c-only', 'recover c-only']);
    expect((await readClusterWorkers(handle, ['c']))[0]?.workers).toBe(1);
    for (const driver of [env.driver, a.driver, b.driver]) expect(ops(driver, id)).toEqual([]);
  });

  it('recover on the cluster that injected when the run is aborted', async () => {
    const handle = await env.start(
      plan(
        'both',
        parallel('both', ['held-a', 'held-b']),
        chaos('held-a', ['pod-1', 'pod-2'], { remoteCluster: 'a' }),
        chaos('held-b', ['pod-1'], { remoteCluster: 'b' }),
      ),
    );
    const id = handle.workflowId;
    await env.waitForStatus(
      handle,
      () =>
        a.driver.injected(id, 'both/held-a').length === 2 &&
        b.driver.injected(id, 'both/held-b').length === 1,
    );
    await handle.signal(abortSignal, { reason: 'game day over' });
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'RUN_ABORTED' });
    expect(ops(a.driver, id).filter((op) => op.startsWith('recover'))).toEqual([
      'recover held-a',
      'recover held-a',
    ]);
    expect(ops(b.driver, id).filter((op) => op.startsWith('recover'))).toEqual(['recover held-b']);
    expect(ops(env.driver, id)).toEqual([]);
    expect([...a.driver.active, ...b.driver.active].filter((k) => k.startsWith(`${id}/`))).toEqual([]);
  });

  it('are recovered by the janitor on the cluster that injected them after their run was terminated', async () => {
    const handle = await env.start(plan('held', chaos('held', ['pod-1'], { remoteCluster: 'b' })));
    const id = handle.workflowId;
    await env.waitForStatus(handle, () => b.driver.injected(id, 'held').length === 1);
    const { runId } = await handle.describe();
    await handle.terminate('terminated mid-fault');
    const janitor = await env.temporal.client.workflow.start(JANITOR_WORKFLOW_TYPE, {
      taskQueue: env.taskQueue,
      workflowId: janitorWorkflowId(runId),
      args: [
        {
          workflowId: id,
          runId,
          closedAs: 'Terminated',
          closedAt: new Date().toISOString(),
        },
      ],
    });
    const recovery = (await janitor.result()) as OrphanRecovery;
    expect(recovery.phase).toBe('RecoveredByJanitor');
    expect(recovery.faults.map((f) => [f.cluster, f.state])).toEqual([['b', 'Recovered']]);
    expect(ops(b.driver, id)).toEqual(['inject held', 'recover held']);
    expect([...ops(env.driver, id), ...ops(a.driver, id)]).toEqual([]);
  });
});

describe("a remote cluster's per-target entity", () => {
  it("is the pod's own (apart from a pod of the same name elsewhere) and applies on its cluster's worker", async () => {
    const target: Target = {
      key: 'default/twin/main',
      namespace: 'default',
      pod: 'twin',
      container: 'main',
      containerId: 'pid://7',
      node: 'n1',
    };
    const onA = createTargetStateClient(env.temporal.client, env.taskQueue, 'a');
    const here = createTargetStateClient(env.temporal.client, env.taskQueue);
    const chain = (name: string) => ({ chains: [{ name, direction: 'OUTPUT' as const }] });
    await onA.set('network', 'ep', target, 'fault-a', chain('A'));
    await here.set('network', 'ep', target, 'fault-here', chain('H'));
    expect(a.applier.last('network/default/twin')).toEqual(chain('A'));
    expect(env.applier.last('network/default/twin')).toEqual(chain('H'));
    await onA.remove('network', target, 'fault-a');
    expect(a.applier.last('network/default/twin')).toEqual({});
    expect(env.applier.last('network/default/twin')).toEqual(chain('H'));
    expect(b.applier.sent.size).toBe(0);
    await here.remove('network', target, 'fault-here');
  });
});
