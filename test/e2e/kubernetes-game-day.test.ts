/**
 * A game day in Kubernetes mode, end to end on real parts: the one-node Kubernetes (real kubelet, containerd,
 * pods), a Temporal dev server, a worker whose activities are the real ones over the cluster (targets from the
 * API server, Tasks as pods, pod-kill through the API, network faults through the per-target entity workflow), and
 * the chaosflow agent as a host process on the node (mutual TLS on the node's address, registered as the agent
 * DaemonSet would be). A Task pod's real exit code and stdout pick the branch that partitions the web pod from
 * the client pod (a request from the client times out while it holds), then a pod is killed; the run ends
 * Succeeded with every fault Recovered and the partition gone.
 */
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActivities } from '../../activities/create-activities.js';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { createDaemonConnector } from '../../activities/faults/daemon-connector.js';
import { createFaultDrivers } from '../../activities/faults/drivers.js';
import { createTargetStateApplier } from '../../activities/faults/per-target-state/apply-target-state.js';
import { createTargetStateClient } from '../../activities/faults/per-target-state/entity-client.js';
import { createTargetExpanders } from '../../activities/faults/target-expanders.js';
import { KubernetesPodApi } from '../../activities/kubernetes/pod-api.js';
import { createPodTaskRunner } from '../../activities/tasks/pod-task.js';
import { KubernetesTargetSource } from '../../activities/targets/kubernetes-source.js';
import { createTargetResolver } from '../../activities/targets/resolve-targets.js';
import { startRun } from '../../client/start-run.js';
import type { FaultEntry } from '../../common/run-status.js';
import { readManifestText } from '../../manifests/read-manifests.js';
import { createChaosflowWorker } from '../../worker/create-worker.js';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';
import { faultsQuery, statusQuery } from '../../workflows/messages.js';
import { describeUnless } from '../harness/describe-unless.js';
import {
  BUSYBOX_IMAGE,
  kubeNodeUnavailableReason,
  PAUSE_IMAGE,
  podOnNode,
  startKubeNode,
  webPod,
  type KubeNode,
} from '../../embedded/kube-node.js';
import { missingTools } from '../../embedded/installed-tools.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal.js';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture.js';

describeUnless(
  kubeNodeUnavailableReason() ?? missingTools(['temporal']),
  'a Kubernetes game day on real pods (Task pod, partition, pod-kill)',
  () => {
    let node: KubeNode;
    let agent: AgentFixture;
    let temporal: TestTemporal;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
    const taskQueue = `k8s-game-day-${process.pid}`;

    beforeAll(async () => {
      node = await startKubeNode();
      agent = await startAgentFixture({ listen: `${node.nodeIp}:0` }, undefined, { defaultTransport: true });
      const client = agent.agent.certificates?.client;
      if (!client) throw new Error('the agent made no client certificate');
      await node.registerAgent(Number(agent.agent.address.split(':').pop()));
      temporal = await startTestTemporal();
      const kubeConfig = node.kube.kubeConfig;
      const source = new KubernetesTargetSource({ kubeConfig, daemonTls: client });
      const daemons = createDaemonConnector(pool, source);
      worker = await createChaosflowWorker({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        activities: createActivities({
          targets: createTargetResolver(source, Math.random, createTargetExpanders(source)),
          drivers: createFaultDrivers({
            pool,
            source,
            connector: daemons,
            targetState: createTargetStateClient(temporal.client, taskQueue),
            pods: new KubernetesPodApi(kubeConfig),
            pauseImage: PAUSE_IMAGE,
          }),
          applyTargetState: createTargetStateApplier({ pool, source }),
          podTasks: createPodTaskRunner({ kubeConfig, pollMs: 250 }),
          // As the worker has them: the lease renewal and the halt guard run here too.
          client: temporal.client,
          daemons,
        }),
        bundle: await bundleWorkflows(),
        shutdownGraceMs: 2_000,
      });
      running = worker.run();
    });
    afterAll(async () => {
      worker?.shutdown();
      await running;
      pool.close();
      await temporal?.stop();
      await agent?.stop();
      await node?.stop();
    });

    it('runs the Task pod, takes its branch, partitions, kills, and recovers everything', async () => {
      const ns = await node.kube.freshNamespace('gameday');
      const web = await node.runPod(ns, webPod('web'));
      const clientPod = await node.runPod(
        ns,
        podOnNode(
          'client',
          { containers: [{ name: 'client', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
          { app: 'client' },
        ),
      );
      await node.runPod(
        ns,
        podOnNode(
          'victim',
          { containers: [{ name: 'victim', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
          { app: 'victim' },
        ),
      );
      const url = `http://${web.status?.podIP}:8080/`;
      const clientId = (clientPod.status?.containerStatuses?.[0]?.containerID ?? '').replace(
        'containerd://',
        '',
      );
      const fromClient = () => node.requestFrom(clientId, url);
      expect(await fromClient()).toBe('ok');

      const manifest = `
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: game-day, namespace: ${ns} }
spec:
  entry: game-day
  templates:
    - name: game-day
      templateType: Serial
      deadline: 3m
      children: [check, kill-victim]
    - name: check
      templateType: Task
      deadline: 60s
      task:
        container:
          name: check
          image: ${BUSYBOX_IMAGE}
          command: ['sh', '-c', 'echo healthy']
      conditionalBranches:
        - target: partition-web
          expression: exitCode == 0 && stdout == "healthy"
        - target: wait-when-unhealthy
          expression: exitCode != 0
    - name: partition-web
      templateType: NetworkChaos
      deadline: 10s
      networkChaos:
        action: partition
        mode: all
        direction: to
        selector: { labelSelectors: { app: web } }
        target:
          mode: all
          selector: { labelSelectors: { app: client } }
    - name: wait-when-unhealthy
      templateType: Suspend
      deadline: 1s
    - name: kill-victim
      templateType: PodChaos
      deadline: 20s
      podChaos:
        action: pod-kill
        mode: all
        gracePeriod: 0
        selector: { labelSelectors: { app: victim } }
`;
      const compiled = readManifestText(manifest, 'game-day.yaml');
      expect(compiled.errors).toEqual([]);
      const plan = compiled.plans[0];
      if (!plan) throw new Error('no plan');
      const handle = await startRun(temporal.client, { plan, taskQueue });

      // While the partition holds, a request from the client pod times out.
      const deadline = Date.now() + 60_000;
      let faults: FaultEntry[] = [];
      while (Date.now() < deadline) {
        faults = await handle.query(faultsQuery);
        if (faults.some((f) => f.kind === 'NetworkChaos' && f.state === 'Injected')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(faults.some((f) => f.kind === 'NetworkChaos' && f.state === 'Injected')).toBe(true);
      expect(await fromClient()).toBe('timeout');

      const result = await handle.result();
      expect(result.phase).toBe('Succeeded');
      const status = await handle.query(statusQuery);
      const byTemplate = (template: string) =>
        Object.values(status.nodes).filter((n) => n.template === template);
      expect(byTemplate('check').map((n) => n.phase)).toEqual(['Succeeded']);
      expect(byTemplate('partition-web').map((n) => n.phase)).toEqual(['Succeeded']);
      expect(byTemplate('kill-victim').map((n) => n.phase)).toEqual(['Succeeded']);
      // The branch the Task's output did not choose never ran.
      expect(byTemplate('wait-when-unhealthy').map((n) => n.phase)).not.toContain('Succeeded');
      const ledger = await handle.query(faultsQuery);
      expect(ledger.filter((f) => f.kind === 'NetworkChaos').length).toBeGreaterThan(0);
      expect(ledger.every((f) => f.state === 'Recovered')).toBe(true);
      expect(await fromClient()).toBe('ok');
      await node.waitForPod(ns, 'victim', (p) => p === undefined, 30_000);
      // The Task's pod is gone too.
      const left = await node.core.listNamespacedPod({
        namespace: ns,
        labelSelector: 'chaosflow.dev/task=true',
      });
      expect(left.items).toEqual([]);
    });
  },
);
