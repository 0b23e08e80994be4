/**
 * The controller on a real kube-apiserver, the Temporal dev server, a worker in Kubernetes mode and the real
 * agent: objects applied with the real kubectl run, report their story in status and Events, hold deletion until
 * their faults are recovered, and obey their annotations. The "pods" are API objects whose containers are host
 * processes in network namespaces (see controller-env.ts); the faults on them are real.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpGet } from '../integration/agent/http-probe.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { startControllerEnv, type ControllerEnv } from './controller-env.js';
import type { ObjectStatus } from '../../controller/object-status.js';
import type { NetnsHost } from '../../embedded/netns-host.js';
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../common/errors/chaosflow-error.js';

interface Obj {
  metadata: { name: string; finalizers?: string[]; annotations?: Record<string, string> };
  status?: ObjectStatus;
}

/** Faults the status shows injected (held counts an inject in progress too, which may not have landed yet). */
function injected(o: Obj | undefined): number {
  return o?.status?.faults?.filter((f) => f.state === 'Injected').length ?? 0;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${errorMessage(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeWithNetns('the controller (real kube-apiserver, dev server, worker, agent)', () => {
  let env: ControllerEnv;

  beforeAll(async () => {
    env = await startControllerEnv();
    env.startController('replica-a');
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  }, 60_000);

  async function namespace(): Promise<string> {
    return env.kube.freshNamespace('cf');
  }

  function partitionWorkflow(ns: string, name: string, host: NetnsHost, holdFor: string): string {
    return `
apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: ${name}, namespace: ${ns} }
spec:
  entry: main
  templates:
    - name: main
      templateType: Serial
      deadline: 120s
      children: [cut]
    - name: cut
      templateType: NetworkChaos
      deadline: ${holdFor}
      networkChaos:
        action: partition
        mode: all
        direction: to
        selector: { labelSelectors: { app: web } }
        externalTargets: ["${host.hostIp}"]
`;
  }

  async function phaseOf(
    kind: 'Workflow' | 'NetworkChaos',
    ns: string,
    name: string,
  ): Promise<string | undefined> {
    return (await env.getObject<Obj>(kind, ns, name))?.status?.phase;
  }

  it('runs a Workflow applied with kubectl: Running, then Succeeded, with columns, events and a real partition', async () => {
    const ns = await namespace();
    const podName = `web-${randomBytes(2).toString('hex')}`;
    const { host } = await env.createPod(ns, podName, { app: 'web' });
    const url = `http://${host.ip}:8080/`;
    expect(await httpGet(url, 3_000)).toBe(200);

    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'cut-web', host, '10s'));
    await waitFor('phase Running', async () =>
      (await phaseOf('Workflow', ns, 'cut-web')) === 'Running' ? true : undefined,
    );
    const held = await waitFor('the fault held', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'cut-web');
      return injected(o) === 1 ? o : undefined;
    });
    expect(held.metadata.finalizers).toContain('chaosflow.dev/recovery');
    expect(held.status?.runId).toMatch(/^chaosflow\/.*\/k8s-/);
    expect(await httpGet(url, 2_000)).toBe('timeout');

    const table = await env.kubectl(['get', 'workflows.chaosflow.dev', 'cut-web', '-n', ns]);
    expect(table.split('\n')[0]).toMatch(/NAME\s+PHASE\s+PROGRESS\s+FAULTS\s+AGE/);
    expect(table.split('\n')[1]).toMatch(/cut-web\s+Running\s+\d+\/2\s+1\s+/);

    await waitFor('phase Succeeded', async () =>
      (await phaseOf('Workflow', ns, 'cut-web')) === 'Succeeded' ? true : undefined,
    );
    expect(await httpGet(url, 3_000)).toBe(200);
    const done = await env.getObject<Obj>('Workflow', ns, 'cut-web');
    expect(done?.status).toMatchObject({ phase: 'Succeeded', progress: '2/2', faultsHeld: 0 });
    expect(done?.status?.conditions?.find((c) => c.type === 'Accomplished')).toMatchObject({
      status: 'True',
    });
    // The controller writes the Events after the status it derives them from: wait for the run's last one.
    const reasons = await waitFor('the RunSucceeded event', async () => {
      const seen = (await env.events(ns, 'cut-web')).map((e) => e.reason);
      return seen.includes('RunSucceeded') ? seen : undefined;
    });
    expect(reasons).toEqual(
      expect.arrayContaining([
        'Started',
        'NodeRunning',
        'FaultInjected',
        'FaultRecovered',
        'NodeSucceeded',
        'RunSucceeded',
      ]),
    );
    expect(reasons.indexOf('FaultInjected')).toBeLessThan(reasons.indexOf('FaultRecovered'));
    // The target pod tells its side of the story too.
    const podEvents = await env.events(ns, podName);
    expect(podEvents.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['FaultInjected', 'FaultRecovered']),
    );
    expect(podEvents[0]?.message).toContain(`by Workflow ${ns}/cut-web`);
  });

  it('refuses an invalid Workflow with Ready=False and the located error, and runs nothing', async () => {
    const ns = await namespace();
    await env.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: broken, namespace: ${ns} }
spec:
  entry: missing
  templates:
    - name: wait
      templateType: Suspend
      deadline: 5s
`,
    );
    const invalid = await waitFor('Ready=False', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'broken');
      return o?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') ? o : undefined;
    });
    expect(invalid.status?.phase).toBe('Invalid');
    expect(invalid.status?.conditions?.find((c) => c.type === 'Ready')?.message).toMatch(
      /^\/spec\/entry: .*missing/,
    );
    expect(invalid.status?.runId).toBeUndefined();
    expect(invalid.metadata.finalizers ?? []).not.toContain('chaosflow.dev/recovery');
    // The Event is written after the status: wait for it.
    await expect
      .poll(async () => (await env.events(ns, 'broken')).find((e) => e.reason === 'Invalid')?.type, {
        timeout: 15_000,
      })
      .toBe('Warning');
  });

  async function objectGone(
    kind: 'Workflow' | 'Schedule',
    ns: string,
    name: string,
  ): Promise<true | undefined> {
    return (await env.getObject(kind, ns, name)) === undefined ? true : undefined;
  }

  async function heldFaults(ns: string, name: string, count: number): Promise<Obj> {
    return waitFor(`${count} fault(s) held`, async () => {
      const o = await env.getObject<Obj>('Workflow', ns, name);
      return injected(o) === count ? o : undefined;
    });
  }

  it('keeps a deleted Workflow until its partition is gone, then lets it go', async () => {
    const ns = await namespace();
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' });
    const url = `http://${host.ip}:8080/`;
    const before = await host.snapshot();
    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'held', host, '90s'));
    await heldFaults(ns, 'held', 1);
    expect(await httpGet(url, 2_000)).toBe('timeout');

    await env.kubectl(['delete', 'workflows.chaosflow.dev', 'held', '-n', ns, '--wait=false']);
    // The finalizer holds the object while the run aborts and recovers.
    const deleting = await env.getObject<Obj & { metadata: { deletionTimestamp?: string } }>(
      'Workflow',
      ns,
      'held',
    );
    expect(deleting?.metadata.deletionTimestamp).toBeDefined();
    await waitFor('the object gone', () => objectGone('Workflow', ns, 'held'));
    expect(await httpGet(url, 3_000)).toBe(200);
    expect(await host.snapshot()).toEqual(before);
    const reasons = (await env.events(ns, 'held')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Aborting', 'FaultRecovered', 'Recovered']));
  });

  it('lets a deleted Workflow go on force-clean when recovery cannot finish, saying which faults may remain', async () => {
    const ns = await namespace();
    const node = await env.addNode(`node-${randomBytes(2).toString('hex')}`);
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' }, node.name);
    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'stuck', host, '90s'));
    await heldFaults(ns, 'stuck', 1);
    await node.stopAgent();
    await env.kubectl(['delete', 'workflows.chaosflow.dev', 'stuck', '-n', ns, '--wait=false']);
    // Recovery cannot reach the agent: the object stays, and says so.
    const failing = await waitFor('RecoveryFailed', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'stuck');
      return o?.status?.phase === 'RecoveryFailed' ? o : undefined;
    });
    expect(failing.metadata.finalizers).toContain('chaosflow.dev/recovery');

    await env.kubectl([
      'annotate',
      'workflows.chaosflow.dev',
      'stuck',
      '-n',
      ns,
      'chaosflow.dev/force-clean=true',
    ]);
    await waitFor('the object gone', () => objectGone('Workflow', ns, 'stuck'));
    const forced = (await env.events(ns, 'stuck')).find((e) => e.reason === 'ForceCleaned');
    expect(forced?.type).toBe('Warning');
    expect(forced?.message).toContain(`faults may remain on ${ns}/web-0/server`);

    // The run keeps retrying its recovery: with the agent back, the partition goes.
    await node.startAgent();
    await waitFor('the partition gone', async () =>
      (await httpGet(`http://${host.ip}:8080/`, 1_000)) === 200 ? true : undefined,
    );
  });

  it('pauses and resumes a run, aborts one and approves a gate through annotations', async () => {
    const ns = await namespace();
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' });
    const gated = `
apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata:
  name: gated
  namespace: ${ns}
  annotations: { chaosflow.dev/pause: "true" }
spec:
  entry: main
  templates:
    - name: main
      templateType: Serial
      deadline: 120s
      children: [warm-up, gate, done]
    - name: warm-up
      templateType: Suspend
      deadline: 2s
    - name: gate
      templateType: Suspend
      approval: true
      deadline: 90s
    - name: done
      templateType: Suspend
      deadline: 1s
`;
    await env.kubectl(['apply', '-f', '-'], gated);
    await waitFor('paused', async () =>
      (await env.getObject<Obj>('Workflow', ns, 'gated'))?.status?.paused ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Paused: no new node after the warm-up.
    const paused = await env.getObject<Obj>('Workflow', ns, 'gated');
    expect(paused?.status?.nodes?.map((n) => n.name)).not.toContain('gate');
    await env.kubectl(['annotate', 'workflows.chaosflow.dev', 'gated', '-n', ns, 'chaosflow.dev/pause-']);
    const waiting = await waitFor('the gate waiting', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'gated');
      return o?.status?.awaitingApproval?.includes('gate') ? o : undefined;
    });
    expect(waiting.status?.paused).toBe(false);
    await env.kubectl([
      'annotate',
      'workflows.chaosflow.dev',
      'gated',
      '-n',
      ns,
      'chaosflow.dev/approve=gate',
    ]);
    await waitFor('Succeeded', async () =>
      (await phaseOf('Workflow', ns, 'gated')) === 'Succeeded' ? true : undefined,
    );

    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'aborted', host, '90s'));
    await heldFaults(ns, 'aborted', 1);
    await env.kubectl([
      'annotate',
      'workflows.chaosflow.dev',
      'aborted',
      '-n',
      ns,
      'workflow.chaos-mesh.org/abort=true',
    ]);
    const aborted = await waitFor('Aborted', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'aborted');
      return o?.status?.phase === 'Aborted' ? o : undefined;
    });
    expect(aborted.status?.faultsHeld).toBe(0);
    expect(await httpGet(`http://${host.ip}:8080/`, 3_000)).toBe(200);
  });

  it('holds a standalone chaos object without duration until it is deleted', async () => {
    const ns = await namespace();
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' });
    await env.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: chaosflow.dev/v1alpha1
kind: NetworkChaos
metadata: { name: open-ended, namespace: ${ns} }
spec:
  action: partition
  mode: all
  direction: to
  selector: { labelSelectors: { app: web } }
  externalTargets: ["${host.hostIp}"]
`,
    );
    await waitFor('held', async () => {
      const o = await env.getObject<Obj>('NetworkChaos', ns, 'open-ended');
      return injected(o) === 1 ? o : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await httpGet(`http://${host.ip}:8080/`, 2_000)).toBe('timeout');
    expect((await env.getObject<Obj>('NetworkChaos', ns, 'open-ended'))?.status?.phase).toBe('Running');
    await env.kubectl(['delete', 'networkchaos.chaosflow.dev', 'open-ended', '-n', ns]);
    expect(await env.getObject('NetworkChaos', ns, 'open-ended')).toBeUndefined();
    expect(await httpGet(`http://${host.ip}:8080/`, 3_000)).toBe(200);
  });

  it('runs a Chaos Mesh Workflow manifest with only its apiVersion changed', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = (await readFile(new URL('../../examples/serial.yaml', import.meta.url), 'utf8')).replace(
      'apiVersion: chaos-mesh.org/v1alpha1',
      'apiVersion: chaosflow.dev/v1alpha1',
    );
    const { host } = await env.createPod('default', `demo-${randomBytes(2).toString('hex')}`, {
      app: 'demo',
    });
    await env.kubectl(['apply', '-f', '-'], text);
    await heldFaults('default', 'serial', 1);
    expect(await httpGet(`http://${host.ip}:8080/`, 2_000)).toBe('timeout');
    await waitFor('Succeeded', async () =>
      (await phaseOf('Workflow', 'default', 'serial')) === 'Succeeded' ? true : undefined,
    );
    expect(await httpGet(`http://${host.ip}:8080/`, 3_000)).toBe(200);
    await env.kubectl(['delete', 'workflows.chaosflow.dev', 'serial', '-n', 'default']);
  });

  function partitionSchedule(ns: string, host: NetnsHost, every: string): string {
    return `
apiVersion: chaosflow.dev/v1alpha1
kind: Schedule
metadata: { name: ticks, namespace: ${ns} }
spec:
  schedule: '@every ${every}'
  type: NetworkChaos
  concurrencyPolicy: Forbid
  historyLimit: 5
  networkChaos:
    action: partition
    mode: all
    direction: to
    selector: { labelSelectors: { app: web } }
    externalTargets: ["${host.hostIp}"]
    duration: 1s
`;
  }

  it('fires a Schedule object, updates its Temporal Schedule in place, and deletes it with the object', async () => {
    const ns = await namespace();
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' });
    await env.kubectl(['apply', '-f', '-'], partitionSchedule(ns, host, '3s'));
    const firing = await waitFor('two runs', async () => {
      const o = await env.getObject<Obj>('Schedule', ns, 'ticks');
      return (o?.status?.lastRuns?.length ?? 0) >= 2 ? o : undefined;
    });
    const scheduleId = firing.status?.scheduleId ?? '';
    expect(scheduleId).toContain(`${ns}/ticks`);
    expect(firing.status?.nextFireTimes?.length).toBeGreaterThan(0);
    const handle = env.temporal.client.schedule.getHandle(scheduleId);
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(3_000);

    await env.kubectl(['apply', '-f', '-'], partitionSchedule(ns, host, '5s'));
    await waitFor('the interval updated', async () =>
      (await handle.describe()).spec.intervals?.[0]?.every === 5_000 ? true : undefined,
    );
    // The event is written once the Temporal Schedule is updated: poll for it.
    await expect
      .poll(async () => (await env.events(ns, 'ticks')).map((e) => e.reason), { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['ScheduleCreated', 'ScheduleUpdated']));

    await env.kubectl(['delete', 'schedules.chaosflow.dev', 'ticks', '-n', ns]);
    expect(await env.getObject('Schedule', ns, 'ticks')).toBeUndefined();
    await expect(handle.describe()).rejects.toThrow(/not found/i);
    // A tick that held its partition when the object went is aborted and recovers.
    await expect.poll(() => httpGet(`http://${host.ip}:8080/`, 2_000), { timeout: 20_000 }).toBe(200);
  });

  it('starts one run per object with two replicas, and a replica killed mid-run is replaced without a second run', async () => {
    env.startController('replica-b');
    const ns = await namespace();
    const { host } = await env.createPod(ns, 'web-0', { app: 'web' });
    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'survivor', host, '25s'));
    const held = await heldFaults(ns, 'survivor', 1);
    const runId = held.status?.runId ?? '';

    // Kill whichever replica leads, with SIGKILL: the other takes the Lease over and carries on.
    const { CoordinationV1Api } = await import('@kubernetes/client-node');
    const lease = await env.kube.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: 'kube-system', name: 'chaosflow-controller' });
    const leader = lease.spec?.holderIdentity;
    expect(['replica-a', 'replica-b']).toContain(leader);
    const killed = await env.killController(leader ?? '');
    expect(killed?.child.signalCode).toBe('SIGKILL');
    await waitFor(
      'Succeeded',
      async () => ((await phaseOf('Workflow', ns, 'survivor')) === 'Succeeded' ? true : undefined),
      90_000,
    );
    expect(await httpGet(`http://${host.ip}:8080/`, 3_000)).toBe(200);

    // A replacement starts and catches up from Temporal: nothing starts twice.
    env.startController(leader ?? 'replica-a');
    const runs: string[] = [];
    for await (const r of env.temporal.client.workflow.list({ query: `WorkflowId = '${runId}'` }))
      runs.push(r.runId);
    expect(runs).toHaveLength(1);
    const final = await env.getObject<Obj>('Workflow', ns, 'survivor');
    expect(final?.status).toMatchObject({ phase: 'Succeeded', runId, faultsHeld: 0 });
  });
});
