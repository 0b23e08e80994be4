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

  async function phaseOf(kind: 'Workflow', ns: string, name: string): Promise<string | undefined> {
    return (await env.getObject<Obj>(kind, ns, name))?.status?.phase;
  }

  it('runs a Workflow applied with kubectl: Running, then Succeeded, with columns, events and a real partition', async () => {
    const ns = await namespace();
    const { host } = await env.createPod(ns, `web-${randomBytes(2).toString('hex')}`, { app: 'web' });
    const url = `http://${host.ip}:8080/`;
    expect(await httpGet(url, 3_000)).toBe(200);

    await env.kubectl(['apply', '-f', '-'], partitionWorkflow(ns, 'cut-web', host, '6s'));
    await waitFor('phase Running', async () =>
      (await phaseOf('Workflow', ns, 'cut-web')) === 'Running' ? true : undefined,
    );
    const held = await waitFor('the fault held', async () => {
      const o = await env.getObject<Obj>('Workflow', ns, 'cut-web');
      return o?.status?.faultsHeld === 1 ? o : undefined;
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
    const reasons = (await env.events(ns, 'cut-web')).map((e) => e.reason);
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
    const events = await env.events(ns, 'broken');
    expect(events.find((e) => e.reason === 'Invalid')?.type).toBe('Warning');
  });
});
