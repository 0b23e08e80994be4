/**
 * The Kubernetes TargetSource on a real kube-apiserver (pods are API objects whose status the test writes):
 * Chaos Mesh's selectors over real pods, only Running pods unless the selector asks for other phases, pods being
 * deleted left out, the namespace allow-list by annotation, daemon discovery on the node, pod-kill and
 * pod-failure through the API, and `chaosflow plan --kubeconfig` showing the pods a run would hit.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFaultDrivers } from '../../activities/faults/drivers.js';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { KubernetesPodApi } from '../../activities/kubernetes/pod-api.js';
import { POD_FAILURE_ANNOTATION } from '../../activities/faults/pod-chaos/pod-failure.js';
import {
  KubernetesTargetSource,
  DAEMON_PORT_ANNOTATION,
} from '../../activities/targets/kubernetes-source.js';
import { resolveTargets } from '../../activities/targets/resolve-targets.js';
import type { FaultBatchOf } from '../../activities/contract.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { runCli } from '../harness/cli.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';

describeWithTools(['etcd', 'kube-apiserver'], 'the Kubernetes target source (real kube-apiserver)', () => {
  let kube: TestKubeApiServer;
  let core: CoreV1Api;
  let source: KubernetesTargetSource;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    core = kube.kubeConfig.makeApiClient(CoreV1Api);
    source = new KubernetesTargetSource({ kubeConfig: kube.kubeConfig });
    for (const node of ['n1', 'n2']) {
      await core.createNode({
        body: { metadata: { name: node, labels: { zone: node === 'n1' ? 'a' : 'b' } } },
      });
    }
    // chaosflow's agent on n1 (on a port of its own), Chaos Mesh's daemon on n2.
    const daemons = await kube.freshNamespace('daemons');
    await pod(daemons, 'agent', {
      labels: { 'app.kubernetes.io/name': 'chaosflow-agent' },
      ip: '10.9.0.1',
      annotations: { [DAEMON_PORT_ANNOTATION]: '4000' },
    });
    await pod(daemons, 'mesh-daemon', {
      labels: { 'app.kubernetes.io/component': 'chaos-daemon' },
      node: 'n2',
      ip: '10.9.0.2',
    });
  });
  afterAll(async () => {
    await kube?.stop();
  });

  async function pod(
    namespace: string,
    name: string,
    options: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      node?: string;
      phase?: string;
      started?: boolean;
      ip?: string;
    } = {},
  ): Promise<V1Pod> {
    const created = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, namespace, labels: options.labels ?? {}, annotations: options.annotations ?? {} },
        spec: {
          nodeName: options.node ?? 'n1',
          initContainers: [{ name: 'init', image: 'init:1' }],
          containers: [
            { name: 'app', image: 'app:1' },
            { name: 'sidecar', image: 'sidecar:1' },
          ],
        },
      },
    });
    return core.replaceNamespacedPodStatus({
      namespace,
      name,
      body: {
        ...created,
        status: {
          phase: options.phase ?? 'Running',
          podIP: options.ip ?? '10.1.0.1',
          containerStatuses:
            options.started === false
              ? []
              : ['app', 'sidecar'].map((c) => ({
                  name: c,
                  image: `${c}:1`,
                  imageID: '',
                  ready: true,
                  restartCount: 0,
                  containerID: `containerd://${name}-${c}`,
                })),
        },
      },
    });
  }

  it('selects Running pods by labels and nodes as Chaos Mesh does, with runtime container ids', async () => {
    const ns = await kube.freshNamespace('src');
    await pod(ns, 'web-0', { labels: { app: 'web' } });
    await pod(ns, 'web-1', { labels: { app: 'web' }, node: 'n2' });
    await pod(ns, 'web-pending', { labels: { app: 'web' }, phase: 'Pending' });
    await pod(ns, 'db-0', { labels: { app: 'db' } });
    const resolved = await resolveTargets({
      spec: { selector: { labelSelectors: { app: 'web' }, nodeSelectors: { zone: 'a' } }, mode: 'all' },
      namespace: ns,
      source,
      random: Math.random,
    });
    expect(resolved.matched).toBe(1);
    const [target] = resolved.groups.length === 0 ? [] : (resolved.groups[0]?.targets ?? []);
    expect(target).toMatchObject({
      pod: 'web-0',
      container: 'app',
      containerId: 'containerd://web-0-app',
      node: 'n1',
    });
  });

  it('takes pods of other phases only when the selector asks for them, and never pods being deleted', async () => {
    const ns = await kube.freshNamespace('phase');
    await pod(ns, 'starting', { labels: { app: 'web' }, phase: 'Pending', started: false });
    await pod(ns, 'running', { labels: { app: 'web' } });
    const pods = await source.listPods([ns]);
    expect(pods.map((p) => p.name).sort()).toEqual(['running', 'starting']);
    const pending = await resolveTargets({
      spec: { selector: { labelSelectors: { app: 'web' }, podPhaseSelectors: ['Pending'] }, mode: 'all' },
      namespace: ns,
      source,
      random: Math.random,
    }).catch((err: unknown) => err);
    // A Pending pod has no started container: matched, then refused as not running yet.
    expect(String(pending)).toMatch(/starting/);
    // A pod being deleted (a finalizer keeps it) is not a target.
    await core.patchNamespacedPod(
      {
        namespace: ns,
        name: 'running',
        body: [{ op: 'add', path: '/metadata/finalizers', value: ['test/keep'] }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await core.deleteNamespacedPod({ namespace: ns, name: 'running' });
    expect((await source.listPods([ns])).map((p) => p.name)).toEqual(['starting']);
  });

  it('searches only namespaces annotated chaos-mesh.org/inject=enabled when filtering', async () => {
    const open = await kube.freshNamespace('open');
    const closed = await kube.freshNamespace('closed');
    await core.patchNamespace(
      { name: open, body: { metadata: { annotations: { 'chaos-mesh.org/inject': 'enabled' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await pod(open, 'a', { labels: { app: 'x' } });
    await pod(closed, 'b', { labels: { app: 'x' } });
    const filtered = new KubernetesTargetSource({ kubeConfig: kube.kubeConfig, namespaceFilter: true });
    expect((await filtered.listPods([open, closed])).map((p) => p.name)).toEqual(['a']);
  });

  it("finds the daemon pod on the target's node, chaosflow's or Chaos Mesh's, at its port", async () => {
    expect(await source.daemonFor('n1')).toEqual({ address: '10.9.0.1:4000' });
    expect(await source.daemonFor('n2')).toEqual({ address: '10.9.0.2:31767' });
    await expect(source.daemonFor('n3')).rejects.toThrow(/no running daemon pod on node n3/);
  });

  it('kills a pod through the API and fails one by switching its images to the pause image and back', async () => {
    const ns = await kube.freshNamespace('podchaos');
    await pod(ns, 'victim', { labels: { app: 'v' } });
    await pod(ns, 'failing', { labels: { app: 'f' } });
    const drivers = createFaultDrivers({
      pool: new DaemonClientPool(),
      source,
      targetState: {
        set: () => Promise.reject(new Error('unused')),
        remove: () => Promise.reject(new Error('unused')),
      },
      pods: new KubernetesPodApi(kube.kubeConfig),
      pauseImage: 'pause:test',
    });
    const batchFor = async (
      action: 'pod-kill' | 'pod-failure',
      app: string,
    ): Promise<FaultBatchOf<'PodChaos'>> => {
      const resolved = await resolveTargets({
        spec: { selector: { labelSelectors: { app } }, mode: 'all' },
        namespace: ns,
        source,
        random: Math.random,
      });
      return {
        run: { workflowId: 'run-1', namespace: ns, name: action },
        nodeId: action,
        chaos: {
          kind: 'PodChaos',
          action,
          oneShot: action === 'pod-kill',
          spec: { action, mode: 'all', selector: { labelSelectors: { app } }, gracePeriod: 0 },
        },
        endpoint: 'unused',
        targets: (resolved.groups[0]?.targets ?? []).map((t) => ({
          target: t,
          key: `run-1/${action}/${t.key}`,
        })),
      };
    };
    const kill = await batchFor('pod-kill', 'v');
    expect((await drivers.PodChaos.inject(kill, new AbortController().signal)).results[0]?.ok).toBe(true);
    await expect(core.readNamespacedPod({ namespace: ns, name: 'victim' })).rejects.toMatchObject({
      code: 404,
    });

    const fail = await batchFor('pod-failure', 'f');
    expect((await drivers.PodChaos.inject(fail, new AbortController().signal)).results[0]?.ok).toBe(true);
    // Idempotent: a repeated inject keeps the originals it recorded first.
    expect((await drivers.PodChaos.inject(fail, new AbortController().signal)).results[0]?.ok).toBe(true);
    const failed = await core.readNamespacedPod({ namespace: ns, name: 'failing' });
    expect(failed.spec?.containers.map((c) => c.image)).toEqual(['pause:test', 'pause:test']);
    expect(failed.spec?.initContainers?.map((c) => c.image)).toEqual(['pause:test']);
    expect(JSON.parse(failed.metadata?.annotations?.[POD_FAILURE_ANNOTATION] ?? '{}')).toMatchObject({
      containers: { app: 'app:1', sidecar: 'sidecar:1' },
      initContainers: { init: 'init:1' },
    });
    expect((await drivers.PodChaos.recover(fail, new AbortController().signal)).results[0]?.ok).toBe(true);
    const restored = await core.readNamespacedPod({ namespace: ns, name: 'failing' });
    expect(restored.spec?.containers.map((c) => c.image)).toEqual(['app:1', 'sidecar:1']);
    expect(restored.spec?.initContainers?.map((c) => c.image)).toEqual(['init:1']);
    expect(restored.metadata?.annotations?.[POD_FAILURE_ANNOTATION]).toBeUndefined();
    // Recovering again (or a pod gone) is harmless.
    expect((await drivers.PodChaos.recover(fail, new AbortController().signal)).results[0]?.ok).toBe(true);
    await core.deleteNamespacedPod({ namespace: ns, name: 'failing', gracePeriodSeconds: 0 });
    const gone = await drivers.PodChaos.recover(fail, new AbortController().signal);
    expect(gone.results[0]).toMatchObject({ ok: true, message: expect.stringMatching(/gone/) as unknown });
  });

  it('shows the pods a run would hit with chaosflow plan --kubeconfig', async () => {
    const ns = await kube.freshNamespace('plan');
    await pod(ns, 'web-0', { labels: { app: 'web' } });
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-plan-'));
    const file = join(dir, 'kill.yaml');
    await writeFile(
      file,
      `apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill, namespace: ${ns} }
spec: { action: container-kill, mode: all, selector: { labelSelectors: { app: web } } }
`,
    );
    const result = await runCli(['plan', file, '--kubeconfig', kube.kubeconfigFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`1 of 1 matching: ${ns}/web-0/app`);
  });
});
