/**
 * A Kubernetes chaos playground on one machine with no Docker, kind or cloud account: the one-node Kubernetes of
 * kube-node.ts (real kube-apiserver, kubelet, containerd) with chaosflow's CRDs, next to the supervised embedded
 * stack in Kubernetes mode — the Temporal dev server, the chaosflow agent as a host process on the node (the
 * way the agent DaemonSet of `deploy/` would serve it, registered as a host-network agent pod), a worker whose
 * targets are the node's pods, and the controller. `npm run demo -- --kubernetes` and the real-node game-day
 * test start it; `stop()` leaves nothing behind (the node's own teardown, then the stack's).
 *
 *   const playground = await startKubePlayground({ dataDir, temporalExecutable, cli, onEvent });
 *   await playground.kubectl(['apply', '-f', 'examples/k8s/game-day.yaml']);
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { kubectl } from './kubectl.js';
import type { V1Pod } from '@kubernetes/client-node';
import { BUSYBOX_IMAGE, podOnNode, startKubeNode, webPod, type KubeNode } from './kube-node.js';
import { SupervisedStack } from './supervised-stack.js';

const CRD_DIR = join(import.meta.dirname, '..', 'crds');
/** The namespace of the demo's workload. */
export const DEMO_NAMESPACE = 'chaosflow-demo';

export interface KubePlaygroundOptions {
  temporalExecutable: string;
  /** Holds the stack's Temporal SQLite file, the agent's journal and every part's log. */
  dataDir: string;
  /** Temporal gRPC port (0 or absent: a free one). */
  port?: number;
  /** Web UI port; `false` for none (absent: a free one). */
  uiPort?: number | false;
  /** argv prefix that runs the chaosflow CLI (see SupervisedStack). */
  cli?: readonly string[];
  logLevel?: string;
  onEvent: (line: string) => void;
}

export interface KubePlayground {
  readonly node: KubeNode;
  readonly stack: SupervisedStack;
  readonly kubeconfigFile: string;
  /**
   * The demo's workload (what examples/k8s/game-day.yaml targets), running: namespace `chaosflow-demo` with web
   * pods `web-0` and `web-1` (app: web, busybox httpd on 8080) and a `client` pod (app: client) to send requests.
   */
  runDemoWorkload(): Promise<{ web0: V1Pod; web1: V1Pod; client: V1Pod }>;
  /** `kubectl --kubeconfig <the node's>`; resolves with stdout, rejects on a non-zero exit. */
  kubectl(args: readonly string[], stdin?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startKubePlayground(options: KubePlaygroundOptions): Promise<KubePlayground> {
  const node = await startKubeNode();
  let stack: SupervisedStack | undefined;
  try {
    await node.kube.applyCrds(
      readdirSync(CRD_DIR)
        .filter((f) => f.endsWith('.chaosflow.dev.yaml'))
        .map((f) => join(CRD_DIR, f)),
    );
    const agentPort = await freePort();
    stack = await SupervisedStack.start({
      temporalExecutable: options.temporalExecutable,
      dataDir: options.dataDir,
      port: options.port || (await freePort()),
      uiPort: options.uiPort ?? (await freePort()),
      // The node's address: pods and the worker reach the agent there, as they would a DaemonSet's host port.
      agentListen: `${node.nodeIp}:${agentPort}`,
      kubeconfigFile: node.kube.kubeconfigFile,
      logLevel: options.logLevel ?? 'info',
      ...(options.cli ? { cli: options.cli } : {}),
      onEvent: options.onEvent,
    });
    await node.registerAgent(agentPort);
  } catch (err) {
    await stack?.stop();
    await node.stop();
    throw err;
  }
  const started = stack;
  return {
    node,
    stack: started,
    kubeconfigFile: node.kube.kubeconfigFile,
    async runDemoWorkload() {
      await node.core.createNamespace({ body: { metadata: { name: DEMO_NAMESPACE } } });
      const client = podOnNode(
        'client',
        { containers: [{ name: 'client', image: BUSYBOX_IMAGE, command: ['sleep', '86400'] }] },
        { app: 'client' },
      );
      const [web0, web1, running] = await Promise.all([
        node.runPod(DEMO_NAMESPACE, webPod('web-0')),
        node.runPod(DEMO_NAMESPACE, webPod('web-1')),
        node.runPod(DEMO_NAMESPACE, client),
      ]);
      return { web0, web1, client: running };
    },
    kubectl: (args, stdin) => kubectl(node.kube.kubeconfigFile, args, stdin === undefined ? {} : { stdin }),
    async stop() {
      // The agent undoes its faults while the pods still exist; then the node goes, leaving nothing.
      await started.stop();
      await node.stop();
    },
  };
}
