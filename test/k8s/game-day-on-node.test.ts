/**
 * The Kubernetes game day on real pods, end to end: the playground of embedded/kube-playground.ts (a real
 * kube-apiserver, kubelet and containerd; the Temporal dev server, the agent on the node, a worker in Kubernetes
 * mode and the controller, each the real `chaosflow` command) runs `examples/k8s/game-day.yaml` applied with the
 * real kubectl:
 * - `kubectl get` shows it Running, then Succeeded; Events tell the story;
 * - the partition is real (a request from the client pod times out while it holds, the host still gets
 *   answers), stress-ng runs in the web pods' cgroups, the killed pod is gone;
 * - `kubectl delete` while a partition holds: the object stays until the rule is gone, then disappears;
 * - a container the kubelet restarts during a partition (new container id): the run ends Succeeded with every
 *   fault Recovered, and the new container is not partitioned.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toolPath, missingTools } from '../../embedded/installed-tools.js';
import { DEMO_NAMESPACE, startKubePlayground, type KubePlayground } from '../../embedded/kube-playground.js';
import { kubeNodeUnavailableReason } from '../../embedded/kube-node.js';
import { describeUnless } from '../harness/describe-unless.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const NS = DEMO_NAMESPACE;

let playground: KubePlayground;
let dir: string;
let web0: V1Pod;
let client: V1Pod;
const events: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `kubectl get workflow NAME` as its columns (PHASE first), or undefined when there is none. */
async function phase(name: string): Promise<string | undefined> {
  const out = await playground.kubectl(['get', 'workflows.chaosflow.dev', name, '-n', NS, '--no-headers']);
  return out.trim().split(/\s+/)[1];
}

/** A Workflow of one partition step, for `deadline`, cutting the pods `selector` picks off from the client. */
function partitionWorkflow(name: string, deadline: string, selector: string): string {
  return [
    'apiVersion: chaosflow.dev/v1alpha1',
    'kind: Workflow',
    `metadata: { name: ${name}, namespace: ${NS} }`,
    'spec:',
    '  entry: cut',
    '  templates:',
    '    - name: cut',
    '      templateType: NetworkChaos',
    `      deadline: ${deadline}`,
    '      networkChaos:',
    '        action: partition',
    '        mode: all',
    '        direction: both',
    `        selector: ${selector}`,
    `        target: { mode: all, selector: { namespaces: [${NS}], labelSelectors: { app: client } } }`,
    '',
  ].join('\n');
}

/** The stress-ng processes whose cgroup is the given container's. */
async function stressorsIn(containerId: string): Promise<number[]> {
  const hex = containerId.replace('containerd://', '');
  const { stdout } = await run('pgrep', ['-x', 'stress-ng']).catch(() => ({ stdout: '' }));
  const pids = stdout.split('\n').filter(Boolean).map(Number);
  const inside: number[] = [];
  for (const pid of pids) {
    const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
    if (new RegExp(`:cpu[^:]*:/kubepods/[^\\n]*/${hex}\\n`).test(cgroups)) inside.push(pid);
  }
  return inside;
}

describeUnless(
  kubeNodeUnavailableReason() ?? missingTools(['temporal', 'kubectl']),
  'the Kubernetes game day on real pods (kubectl, controller, worker, agent, kubelet)',
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'chaosflow-k8s-game-day-'));
      playground = await startKubePlayground({
        temporalExecutable: toolPath('temporal'),
        dataDir: dir,
        uiPort: false,
        logLevel: 'warn',
        cli: [process.execPath, '--import', 'tsx', join(root, 'cli', 'main.ts')],
        onEvent: (line) => events.push(line),
      });
      ({ web0, client } = await playground.runDemoWorkload());
    }, 240_000);
    afterAll(async () => {
      await playground?.stop();
      expect(await playground?.node.leftovers()).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }, 120_000);

    const webUrl = () => `http://${web0.status?.podIP}:8080/`;
    const clientId = () => client.status?.containerStatuses?.[0]?.containerID ?? '';

    it('runs examples/k8s/game-day.yaml: Running then Succeeded, the faults real, the story in Events', async () => {
      const { node } = playground;
      expect(await node.requestFrom(clientId(), webUrl())).toBe('ok');
      const manifest = (await readFile(join(root, 'examples', 'k8s', 'game-day.yaml'), 'utf8')).replaceAll(
        'WEB_POD_IP',
        web0.status?.podIP ?? '',
      );
      await playground.kubectl(['apply', '-f', '-'], manifest);
      await until('Running', async () => ((await phase('game-day')) === 'Running' ? true : undefined));

      // The partition: the client's request times out, the host's is answered.
      await until(
        'the partition to hold',
        async () => ((await node.requestFrom(clientId(), webUrl())) === 'timeout' ? true : undefined),
        30_000,
      );
      expect((await fetch(webUrl(), { signal: AbortSignal.timeout(2_000) })).status).toBe(200);

      // The stress, in web-0's own cgroup.
      const webId = web0.status?.containerStatuses?.[0]?.containerID ?? '';
      const stressors = await until(
        'stress-ng in the web pod',
        async () => {
          const pids = await stressorsIn(webId);
          return pids.length > 0 ? pids : undefined;
        },
        30_000,
      );
      expect(stressors.length).toBeGreaterThan(0);
      // The partition ended before the stress began.
      expect(await node.requestFrom(clientId(), webUrl())).toBe('ok');

      await until(
        'Succeeded',
        async () => ((await phase('game-day')) === 'Succeeded' ? true : undefined),
        120_000,
      );
      expect(await stressorsIn(webId)).toEqual([]);
      await expect(node.core.readNamespacedPod({ namespace: NS, name: 'web-1' })).rejects.toThrow();
      expect(await node.requestFrom(clientId(), webUrl())).toBe('ok');

      // The controller writes the Events after the status it derives them from: wait for the run's last one.
      const story = await until('the RunSucceeded event', async () => {
        const list = await node.core.listNamespacedEvent({
          namespace: NS,
          fieldSelector: 'involvedObject.name=game-day',
        });
        return list.items.some((e) => e.reason === 'RunSucceeded') ? list : undefined;
      });
      const reasons = story.items.map((e) => e.reason);
      expect(reasons).toEqual(
        expect.arrayContaining([
          'Started',
          'FaultInjected',
          'FaultRecovered',
          'NodeSucceeded',
          'RunSucceeded',
        ]),
      );
      // Each fault on each pod it touched: the partition on the web pods and the client (its target side), the
      // stress on both web pods, the pod-kill on web-1.
      const injected = story.items.filter((e) => e.reason === 'FaultInjected').map((e) => e.message);
      expect(injected).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^NetworkChaos\/partition injected into chaosflow-demo\/web-0\//),
          expect.stringMatching(/^NetworkChaos\/partition injected into chaosflow-demo\/client\//),
          expect.stringMatching(/^StressChaos injected into chaosflow-demo\/web-0\//),
          expect.stringMatching(/^PodChaos\/pod-kill done on chaosflow-demo\/web-1\//),
        ]),
      );
    }, 300_000);

    it('kubectl delete while the partition holds: the object stays until the rule is gone', async () => {
      const { node } = playground;
      const manifest = partitionWorkflow(
        'held',
        '5m',
        `{ namespaces: [${NS}], labelSelectors: { app: web } }`,
      );
      await playground.kubectl(['apply', '-f', '-'], manifest);
      await until(
        'the partition to hold',
        async () => ((await node.requestFrom(clientId(), webUrl())) === 'timeout' ? true : undefined),
        60_000,
      );
      await playground.kubectl(['delete', 'workflows.chaosflow.dev', 'held', '-n', NS, '--wait=false']);
      // Deleting, not gone: the finalizer holds it while the fault is recovered.
      const deleting = await playground.kubectl([
        'get',
        'workflows.chaosflow.dev',
        'held',
        '-n',
        NS,
        '-o',
        'json',
      ]);
      const object = JSON.parse(deleting) as {
        metadata: { deletionTimestamp?: string; finalizers?: string[] };
      };
      expect(object.metadata.deletionTimestamp).toBeDefined();
      expect(object.metadata.finalizers).toContain('chaosflow.dev/recovery');
      await until(
        'the object to go',
        async () => {
          const left = await playground.kubectl(['get', 'workflows.chaosflow.dev', '-n', NS, '-o', 'name']);
          return left.includes('held') ? undefined : true;
        },
        60_000,
      );
      // Gone only after the rule: the client is answered at once.
      expect(await node.requestFrom(clientId(), webUrl())).toBe('ok');
    }, 180_000);

    it('a container the kubelet restarts during a partition: the run ends Succeeded with every fault Recovered, the new container not partitioned', async () => {
      const { node } = playground;
      const manifest = partitionWorkflow('restarted', '15s', `{ pods: { ${NS}: [web-0] } }`);
      await playground.kubectl(['apply', '-f', '-'], manifest);
      await until(
        'the partition to hold',
        async () => ((await node.requestFrom(clientId(), webUrl())) === 'timeout' ? true : undefined),
        60_000,
      );
      const oldId = web0.status?.containerStatuses?.[0]?.containerID ?? '';
      await node.ctr(['tasks', 'kill', '--signal', 'SIGKILL', oldId.replace('containerd://', '')]);
      const restarted = await node.waitForPod(
        NS,
        'web-0',
        (pod) => {
          const status = pod?.status?.containerStatuses?.[0];
          return status?.ready === true && status.containerID !== oldId;
        },
        60_000,
      );
      expect(restarted?.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThan(0);
      await until(
        'Succeeded',
        async () => ((await phase('restarted')) === 'Succeeded' ? true : undefined),
        60_000,
      );
      const object = JSON.parse(
        await playground.kubectl(['get', 'workflows.chaosflow.dev', 'restarted', '-n', NS, '-o', 'json']),
      ) as { status?: { faults?: { target: string; state: string }[] } };
      const faults = object.status?.faults ?? [];
      expect(faults.length).toBeGreaterThanOrEqual(2);
      expect(faults.filter((f) => f.state !== 'Recovered')).toEqual([]);
      expect(await node.requestFrom(clientId(), webUrl())).toBe('ok');
    }, 180_000);
  },
);
