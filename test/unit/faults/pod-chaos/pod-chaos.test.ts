/**
 * PodChaos. Expectations follow Chaos Mesh's `containerkill.Impl.Apply` (ContainerKill {action: KILL,
 * container_id} per selected container; recover is a no-op) and `podkill` (a pod delete in Kubernetes: here,
 * for a host "pod", every container is killed); `pod-failure` has no host equivalent and is refused. The
 * Kubernetes API is a FAKE here (test/k8s/pod-faults.test.ts runs pod-kill and pod-failure on a real API server).
 */
import { describe, expect, it } from 'vitest';
import { DaemonClientPool } from '../../../../activities/daemon/daemon-client-pool.js';
import { createFaultDrivers } from '../../../../activities/faults/drivers.js';
import type { TargetStateClient } from '../../../../activities/faults/per-target-state/entity-client.js';
import type { PodApi } from '../../../../activities/kubernetes/pod-api.js';
import type { PodInfo } from '../../../../common/selection/pod-info.js';
import { batch, example, FakeDaemons, manifest, neverAborted, target } from '../fault-fixtures.js';

const hostPod: PodInfo = {
  namespace: 'default',
  name: 'demo-0',
  uid: 'inventory:default/demo-0',
  labels: { app: 'demo' },
  annotations: {},
  nodeName: 'local',
  phase: 'Running',
  containers: [
    { name: 'server', containerId: 'pid://4242' },
    { name: 'worker', containerId: 'pid://4243' },
  ],
};
const unusedState: TargetStateClient = {
  set: () => Promise.reject(new Error('unused')),
  remove: () => Promise.reject(new Error('unused')),
};

function drivers(pods?: PodApi) {
  const daemons = new FakeDaemons();
  const all = createFaultDrivers({
    pool: new DaemonClientPool(),
    source: {
      listPods: () => Promise.resolve([hostPod]),
      daemonFor: () => Promise.reject(new Error('unused')),
    },
    targetState: unusedState,
    connector: daemons,
    ...(pods ? { pods } : {}),
  });
  return { daemons, podChaos: all.PodChaos };
}

const podChaos = (action: string) =>
  manifest(
    `
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: ${action}, namespace: default }
spec: { action: ${action}, mode: one, selector: { labelSelectors: { app: demo } }${action === 'pod-failure' ? ', duration: 10s' : ''} }
`,
    'PodChaos',
  );

const server = target('demo-0', {
  key: 'default/demo-0/server',
  container: 'server',
  containerId: 'pid://4242',
  node: 'local',
});

describe('PodChaos', () => {
  it('kills the selected container with ContainerKill KILL, and recovers with nothing to do', async () => {
    const { daemons, podChaos: driver } = drivers();
    const b = batch(podChaos('container-kill'), [server]);
    expect((await driver.inject(b, neverAborted)).results).toEqual([{ key: b.targets[0]!.key, ok: true }]);
    expect(daemons.calls.map((c) => [c.node, c.rpc, c.request])).toEqual([
      ['local', 'ContainerKill', { action: { action: 'KILL' }, container_id: 'pid://4242' }],
    ]);
    expect(daemons.calls[0]?.options?.faultKey).toEqual({
      run: 'run-1',
      node: 'container-kill',
      target: 'default/demo-0/server',
    });
    expect((await driver.recover(b, neverAborted)).results).toEqual([{ key: b.targets[0]!.key, ok: true }]);
    expect(daemons.calls).toHaveLength(1);
  });

  it('kills every container of a host pod for pod-kill (examples/pod-kill.yaml), each under its own key', async () => {
    const { daemons, podChaos: driver } = drivers();
    const compiled = await example('pod-kill.yaml', 'PodChaos');
    await driver.inject(batch(compiled, [server]), neverAborted);
    expect(daemons.calls.map((c) => [c.request['container_id'], c.options?.faultKey?.target])).toEqual([
      ['pid://4242', 'default/demo-0/server'],
      ['pid://4243', 'default/demo-0/worker'],
    ]);
  });

  it('deletes a Kubernetes pod with the grace period of the spec, and counts a pod already gone as killed', async () => {
    const deleted: [string, string, number][] = [];
    const gone = new Set(['web-1']);
    const pods: PodApi = {
      read: () => Promise.reject(new Error('unused')),
      patch: () => Promise.reject(new Error('unused')),
      delete: (namespace, name, grace) => {
        deleted.push([namespace, name, grace]);
        return Promise.resolve(gone.has(name) ? 'gone' : 'deleted');
      },
    };
    const { daemons, podChaos: driver } = drivers(pods);
    const kill = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill, namespace: default }
spec: { action: pod-kill, gracePeriod: 7, mode: all, selector: { labelSelectors: { app: web } } }
`,
      'PodChaos',
    );
    const { results } = await driver.inject(batch(kill, [target('web-0'), target('web-1')]), neverAborted);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(results[1]?.message).toMatch(/already gone/);
    expect(deleted).toEqual([
      ['default', 'web-0', 7],
      ['default', 'web-1', 7],
    ]);
    expect(daemons.calls).toEqual([]);
  });

  it('refuses pod-failure on a host process, saying it needs Kubernetes and what to use instead', async () => {
    const { daemons, podChaos: driver } = drivers();
    const b = batch(podChaos('pod-failure'), [server]);
    const { results } = await driver.inject(b, neverAborted);
    expect(results[0]).toMatchObject({ ok: false, retryable: false });
    expect(results[0]?.message).toMatch(/pod-failure needs Kubernetes.*Use container-kill/);
    expect((await driver.recover(b, neverAborted)).results[0]?.ok).toBe(true);
    expect(daemons.calls).toEqual([]);
  });
});
