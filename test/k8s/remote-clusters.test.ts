/**
 * One control plane, two clusters, for real: two kube-apiservers (etcd each), and for each a real chaosflow
 * worker started as `chaosflow worker --cluster a|b --kubeconfig ...` starts it (activities only, its cluster's
 * queue, its own kubeconfig). The control plane's worker runs the interpreter (its own activities are FAKE and
 * must not be used). A Workflow with a pod-failure on `remoteCluster: a` and one on `remoteCluster: b` fails the
 * pod of the same name in each cluster through that cluster's own worker (each worker has its own pause image,
 * so the image on the pod says which worker acted), and both are restored when the run ends.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POD_FAILURE_ANNOTATION } from '../../activities/faults/pod-chaos/pod-failure.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';
import { readManifestText } from '../../manifests/read-manifests.js';
import { buildActivityDeps } from '../../worker/activity-deps.js';
import { parseWorkerConfig } from '../../worker/config.js';
import { startWorker, type RunningWorker } from '../../worker/run-worker.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startInterpreterEnv, type InterpreterEnv } from '../workflows/interpreter-env.js';

const CLUSTERS = ['a', 'b'] as const;
const NS = 'game';

const MANIFEST = `apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: two-clusters }
spec:
  entry: both
  templates:
    - { name: both, templateType: Parallel, children: [fail-a, fail-b], deadline: 2m }
${CLUSTERS.map(
  (c) => `    - name: fail-${c}
      templateType: PodChaos
      deadline: 6s
      podChaos:
        action: pod-failure
        mode: all
        selector: { namespaces: [${NS}], labelSelectors: { app: web } }
        remoteCluster: ${c}`,
).join('\n')}
`;

describeWithTools(['etcd', 'kube-apiserver'], 'a run across two real clusters', () => {
  let env: InterpreterEnv;
  const kubes = new Map<string, TestKubeApiServer>();
  const workers: RunningWorker[] = [];
  const core = (cluster: string) => kubes.get(cluster)!.kubeConfig.makeApiClient(CoreV1Api);

  beforeAll(async () => {
    env = await startInterpreterEnv();
    for (const cluster of CLUSTERS) {
      const kube = await startKubeApiServer();
      kubes.set(cluster, kube);
      const api = kube.kubeConfig.makeApiClient(CoreV1Api);
      await api.createNode({ body: { metadata: { name: 'n1' } } });
      // The target, and a daemon on its node (target resolution finds one; pod-failure itself uses the API).
      for (const [namespace, name, labels] of [
        [NS, 'web-0', { app: 'web' }],
        ['daemons', 'agent', { 'app.kubernetes.io/name': 'chaosflow-agent' }],
      ] as const) {
        if (!(await api.listNamespace()).items.some((n) => n.metadata?.name === namespace)) {
          await api.createNamespace({ body: { metadata: { name: namespace } } });
        }
        const created = await api.createNamespacedPod({
          namespace,
          body: {
            metadata: { name, namespace, labels },
            spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'app:1' }] },
          },
        });
        await api.replaceNamespacedPodStatus({
          namespace,
          name,
          body: {
            ...created,
            status: {
              phase: 'Running',
              podIP: '10.1.0.1',
              containerStatuses: [
                {
                  name: 'app',
                  image: 'app:1',
                  imageID: '',
                  ready: true,
                  restartCount: 0,
                  containerID: `containerd://${name}-app-${cluster}`,
                },
              ],
            },
          },
        });
      }
      const config = parseWorkerConfig(
        {
          address: env.temporal.address,
          namespace: env.temporal.namespace,
          taskQueue: env.taskQueue,
          cluster,
          kubeconfig: kube.kubeconfigFile,
          pauseImage: `pause:${cluster}`,
          registerSearchAttributes: false,
        },
        {},
      );
      workers.push(await startWorker(config, pino({ level: 'warn' }), buildActivityDeps));
    }
  }, 300_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    for (const kube of kubes.values()) await kube.stop();
    await env?.stop();
  }, 120_000);

  it("fails each cluster's pod through that cluster's own worker, and restores both when the run ends", async () => {
    const result = readManifestText(MANIFEST, 'two-clusters.yaml');
    expect(result.errors).toEqual([]);
    const [plan] = result.plans;
    if (!plan) throw new Error('no plan');
    const handle = await env.start(plan);
    const image = async (cluster: string) =>
      (await core(cluster).readNamespacedPod({ namespace: NS, name: 'web-0' })).spec?.containers[0]?.image;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await image('a')) !== 'pause:a' || (await image('b')) !== 'pause:b')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect([await image('a'), await image('b')]).toEqual(['pause:a', 'pause:b']);
    await handle.result();
    for (const cluster of CLUSTERS) {
      const pod = await core(cluster).readNamespacedPod({ namespace: NS, name: 'web-0' });
      expect(pod.spec?.containers[0]?.image).toBe('app:1');
      expect(pod.metadata?.annotations?.[POD_FAILURE_ANNOTATION]).toBeUndefined();
    }
    // The control plane's own (FAKE) activities were never used, and the ledger names each fault's cluster.
    expect(env.driver.calls.filter((c) => c.key.startsWith(`${handle.workflowId}/`))).toEqual([]);
    expect(env.targets.calls.filter((c) => c.run.workflowId === handle.workflowId)).toEqual([]);
    const { faultsQuery } = await import('../../workflows/messages.js');
    const faults = await handle.query(faultsQuery);
    // (In either order: the two nodes run in parallel.)
    expect(faults.map((f) => [f.nodeId, f.cluster, f.state]).sort()).toEqual([
      ['both/fail-a', 'a', 'Recovered'],
      ['both/fail-b', 'b', 'Recovered'],
    ]);
  }, 180_000);
});
