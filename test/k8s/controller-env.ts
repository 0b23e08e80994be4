/**
 * Kubernetes mode on one machine, for the controller's tests: a real kube-apiserver with chaosflow's CRDs, the
 * Temporal dev server, a chaosflow worker in Kubernetes mode and the controller as their own processes (the real
 * `chaosflow` command), and the real agent, serving a node whose "pods" are host processes in network
 * namespaces. Pods are API objects whose status the test writes (there is no kubelet in this tier): their
 * containers' ids are `pid://<pid>` of the processes, and the node's daemon pod points at the agent.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { CHAOSFLOW_GROUP, CHAOSFLOW_VERSION, RESOURCE_KINDS } from '../../controller/resource-kinds.js';
import { DAEMON_PORT_ANNOTATION } from '../../activities/targets/kubernetes-source.js';
import { createNetnsHost, type NetnsHost } from '../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from '../integration/agent/agent-fixture.js';
import { startCli, type CliProcess } from '../harness/cli.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal.js';
import { kubectl } from '../../embedded/kubectl.js';

const root = join(import.meta.dirname, '..', '..');
export const NODE = 'node-1';

export interface ControllerEnv {
  kube: TestKubeApiServer;
  temporal: TestTemporal;
  agent: AgentFixture;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  taskQueue: string;
  /** `kubectl --kubeconfig <the test server>`; resolves with the output, rejects on a non-zero exit. */
  kubectl(args: readonly string[], stdin?: string): Promise<string>;
  /** Starts a controller replica; `identity` names it in the Lease; `args` are further flags. */
  startController(identity: string, args?: readonly string[]): CliProcess;
  /** SIGKILLs the replica of that identity; resolves once it is gone. */
  killController(identity: string): Promise<CliProcess | undefined>;
  /** A running pod whose one container is a new host process in its own network namespace. */
  createPod(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    node?: string,
  ): Promise<{ pod: V1Pod; host: NetnsHost }>;
  /** Another node, served by an agent of its own (which a test may stop and start again). */
  addNode(name: string): Promise<TestNode>;
  /** Reads a chaosflow object. */
  getObject<T = Record<string, unknown>>(
    kind: keyof typeof RESOURCE_KINDS,
    namespace: string,
    name: string,
  ): Promise<T | undefined>;
  /** Events whose involved object has this name, oldest first. */
  events(namespace: string, name: string): Promise<CoreV1Event[]>;
  stop(): Promise<void>;
}

export interface TestNode {
  readonly name: string;
  readonly agent: AgentFixture;
  /** Stops the node's agent: its faults stay in place, and its daemon is unreachable. */
  stopAgent(): Promise<void>;
  /** Starts it again on the same address and journal. */
  startAgent(): Promise<void>;
}

export async function startControllerEnv(): Promise<ControllerEnv> {
  const kube = await startKubeApiServer();
  const crds = readdirSync(join(root, 'crds'))
    .filter((f) => f.endsWith('.chaosflow.dev.yaml'))
    .map((f) => join(root, 'crds', f));
  await kube.applyCrds(crds);
  const temporal = await startTestTemporal();
  const agent = await startAgentFixture();
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
  const taskQueue = `k8s-${process.pid}`;
  const hosts: NetnsHost[] = [];
  const processes: CliProcess[] = [];
  const controllers = new Map<string, CliProcess>();

  const agents: AgentFixture[] = [agent];
  await registerNode(core, NODE, agent);

  const temporalFlags = ['--address', temporal.address, '--task-queue', taskQueue];
  const worker = startCli(
    ['worker', '--kubeconfig', kube.kubeconfigFile, '--log-level', 'warn', ...temporalFlags],
    {
      timeoutMs: 3_600_000,
    },
  );
  processes.push(worker);

  return {
    kube,
    temporal,
    agent,
    core,
    custom,
    taskQueue,
    kubectl: (args, stdin) =>
      kubectl(kube.kubeconfigFile, args, { cwd: root, ...(stdin === undefined ? {} : { stdin }) }),
    startController(identity, args = []) {
      const controller = startCli(
        [
          'controller',
          '--kubeconfig',
          kube.kubeconfigFile,
          '--lease-namespace',
          'kube-system',
          '--identity',
          identity,
          '--refresh',
          '500',
          '--log-level',
          'warn',
          ...temporalFlags,
          ...args,
        ],
        { timeoutMs: 3_600_000 },
      );
      processes.push(controller);
      controllers.set(identity, controller);
      return controller;
    },
    async killController(identity) {
      const controller = controllers.get(identity);
      controllers.delete(identity);
      controller?.child.kill('SIGKILL');
      await controller?.done;
      return controller;
    },
    async createPod(namespace, name, labels, node = NODE) {
      const host = await createNetnsHost({ process: 'http' });
      hosts.push(host);
      const pod = await writeRunningPod(
        core,
        namespace,
        {
          metadata: { name, namespace, labels },
          spec: { nodeName: node, containers: [{ name: 'server', image: 'web' }] },
        },
        host.ip,
        host.containerId,
      );
      return { pod, host };
    },
    async addNode(name) {
      let nodeAgent = await startAgentFixture({}, await mkdtemp(join(tmpdir(), 'chaosflow-agent-')));
      agents.push(nodeAgent);
      await registerNode(core, name, nodeAgent);
      const address = nodeAgent.agent.address;
      let stopped = false;
      return {
        name,
        get agent() {
          return nodeAgent;
        },
        async stopAgent() {
          if (stopped) return;
          stopped = true;
          await nodeAgent.agent.stop({ graceMs: 0 });
        },
        async startAgent() {
          nodeAgent = await startAgentFixture({ listen: address }, nodeAgent.stateDir);
          agents.push(nodeAgent);
          stopped = false;
        },
      };
    },
    async getObject(kind, namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject({
          group: CHAOSFLOW_GROUP,
          version: CHAOSFLOW_VERSION,
          namespace,
          plural: RESOURCE_KINDS[kind].plural,
          name,
        })) as never;
      } catch {
        return undefined;
      }
    },
    async events(namespace, name) {
      const list = await core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${name}`,
      });
      return list.items.sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)));
    },
    async stop() {
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(
        processes.map((p) => Promise.race([p.done, new Promise((r) => setTimeout(r, 10_000))])),
      );
      for (const p of processes) p.child.kill('SIGKILL');
      await Promise.all(hosts.map((h) => h.destroy()));
      for (const a of agents) await a.stop().catch(() => undefined);
      await temporal.stop();
      await kube.stop();
    },
  };
}

/** The node, and a daemon pod on it that points at the agent (its IP 127.0.0.1, its port in an annotation). */
async function registerNode(core: CoreV1Api, name: string, agent: AgentFixture): Promise<void> {
  await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
  await writeRunningPod(
    core,
    'kube-system',
    {
      metadata: {
        name: `chaosflow-agent-${name}`,
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/name': 'chaosflow-agent' },
        annotations: { [DAEMON_PORT_ANNOTATION]: agent.agent.address.split(':')[1] ?? '' },
      },
      spec: { nodeName: name, containers: [{ name: 'agent', image: 'chaosflow' }] },
    },
    '127.0.0.1',
    'pid://1',
  );
}

/** Creates the pod, then writes the status a kubelet would: Running, its IP, its container started. */
async function writeRunningPod(
  core: CoreV1Api,
  namespace: string,
  body: V1Pod,
  ip: string,
  containerId: string,
): Promise<V1Pod> {
  const created = await core.createNamespacedPod({ namespace, body });
  const container = created.spec?.containers[0];
  return core.replaceNamespacedPodStatus({
    namespace,
    name: created.metadata?.name ?? '',
    body: {
      ...created,
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        containerStatuses: [
          {
            name: container?.name ?? 'main',
            image: container?.image ?? 'image',
            imageID: '',
            ready: true,
            restartCount: 0,
            containerID: containerId,
            state: { running: { startedAt: new Date() } },
          },
        ],
      },
    },
  });
}
