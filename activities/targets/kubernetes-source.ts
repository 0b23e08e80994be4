/**
 * The Kubernetes API as a TargetSource: the pods of the cluster (as Chaos Mesh's selectors see them), the labels
 * of its nodes, and, for a node, the daemon pod that serves it (Chaos Mesh's chaos-daemon or chaosflow's agent
 * DaemonSet) at port 31767, reached with the mutual TLS files the worker is given.
 *
 * - Pods being deleted are left out (Chaos Mesh's selector skips them too); a container is a target only once
 *   its status carries a container id (it started), taken unchanged with its runtime prefix (`containerd://…`).
 * - With `namespaceFilter` (Chaos Mesh's `ENABLE_FILTER_NAMESPACE`), only namespaces annotated
 *   `chaos-mesh.org/inject=enabled` are searched.
 * - Daemon discovery: pods matching any of `daemonSelectors` (label selectors; default: Chaos Mesh's and
 *   chaosflow's) on the node (`spec.nodeName`), running, with an IP; the first by name is used. A daemon pod may
 *   name another port in its annotation `chaosflow.dev/daemon-port`.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { POD_PHASES, type NodeLabels, type PodInfo, type PodPhase } from '../../common/selection/pod-info.js';
import { CHAOS_DAEMON_PORT } from '../../proto/daemon-metadata.js';
import type { DaemonTlsFiles } from '../daemon/daemon-credentials.js';
import { ActivityError } from '../errors.js';
import type { DaemonRef, TargetSource } from './target-source.js';

/** Chaos Mesh's chaos-daemon pods, and chaosflow's agent DaemonSet (`deploy/`). */
export const DEFAULT_DAEMON_SELECTORS = [
  'app.kubernetes.io/component=chaos-daemon',
  'app.kubernetes.io/name=chaosflow-agent',
] as const;

/** Chaos Mesh's opt-in annotation of a namespace, read when `namespaceFilter` is on. */
export const INJECT_ANNOTATION = 'chaos-mesh.org/inject';

/** A daemon pod's own port, when it is not 31767. */
export const DAEMON_PORT_ANNOTATION = 'chaosflow.dev/daemon-port';

export interface KubernetesSourceOptions {
  kubeConfig: KubeConfig;
  /** Label selectors of daemon pods; any one matching is enough. */
  daemonSelectors?: readonly string[];
  /** Mutual TLS files for every daemon; absent means plaintext (only for daemons on loopback, in tests). */
  daemonTls?: DaemonTlsFiles;
  /** Only namespaces annotated `chaos-mesh.org/inject=enabled` (off by default, as in Chaos Mesh). */
  namespaceFilter?: boolean;
}

export class KubernetesTargetSource implements TargetSource {
  /** Only running pods are targets unless a selector asks for other phases. */
  readonly defaultPodPhases = ['Running'] as const;
  readonly #core: CoreV1Api;
  readonly #options: KubernetesSourceOptions;

  constructor(options: KubernetesSourceOptions) {
    this.#options = options;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  async listPods(namespaces?: readonly string[]): Promise<PodInfo[]> {
    const allowed = this.#options.namespaceFilter ? await this.#injectableNamespaces() : undefined;
    const searched = namespaces ?? (allowed ? [...allowed] : undefined);
    const pods =
      searched === undefined
        ? (await this.#call('list pods', () => this.#core.listPodForAllNamespaces())).items
        : (
            await Promise.all(
              searched
                .filter((ns) => !allowed || allowed.has(ns))
                .map((namespace) =>
                  this.#call(`list pods in ${namespace}`, () => this.#core.listNamespacedPod({ namespace })),
                ),
            )
          ).flatMap((list) => list.items);
    return pods.filter((pod) => !pod.metadata?.deletionTimestamp).map(podInfoOf);
  }

  async nodeLabels(): Promise<NodeLabels> {
    const nodes = await this.#call('list nodes', () => this.#core.listNode());
    return Object.fromEntries(nodes.items.map((n) => [n.metadata?.name ?? '', { ...n.metadata?.labels }]));
  }

  async daemonFor(node: string): Promise<DaemonRef> {
    const selectors = this.#options.daemonSelectors ?? DEFAULT_DAEMON_SELECTORS;
    const found: V1Pod[] = [];
    for (const labelSelector of selectors) {
      const list = await this.#call(`find the daemon of node ${node}`, () =>
        this.#core.listPodForAllNamespaces({ labelSelector, fieldSelector: `spec.nodeName=${node}` }),
      );
      found.push(...list.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP));
    }
    found.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const daemon = found[0];
    if (!daemon?.status?.podIP) {
      throw new ActivityError(
        'UNAVAILABLE',
        `no running daemon pod on node ${node} (label ${selectors.join(' or ')}): install chaosflow's agent DaemonSet (deploy/) or Chaos Mesh's chaos-daemon on it`,
        { context: { node } },
      );
    }
    const port = Number(daemon.metadata?.annotations?.[DAEMON_PORT_ANNOTATION] ?? CHAOS_DAEMON_PORT);
    const ip = daemon.status.podIP;
    const address = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
    return this.#options.daemonTls ? { address, tls: this.#options.daemonTls } : { address };
  }

  async #injectableNamespaces(): Promise<Set<string>> {
    const list = await this.#call('list namespaces', () => this.#core.listNamespace());
    return new Set(
      list.items
        .filter((ns) => ns.metadata?.annotations?.[INJECT_ANNOTATION] === 'enabled')
        .map((ns) => ns.metadata?.name ?? ''),
    );
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new ActivityError(
        'UNAVAILABLE',
        `cannot ${what} through the Kubernetes API: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }
}

/** What selection needs of a pod. */
export function podInfoOf(pod: V1Pod): PodInfo {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const phase = pod.status?.phase;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    labels: { ...pod.metadata?.labels },
    annotations: { ...pod.metadata?.annotations },
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    phase: (POD_PHASES as readonly string[]).includes(phase ?? '') ? (phase as PodPhase) : 'Unknown',
    ...(ips.length > 0 ? { podIPs: ips } : {}),
    containers: (pod.spec?.containers ?? []).map((c) => {
      const id = statuses.get(c.name)?.containerID;
      return id ? { name: c.name, containerId: id } : { name: c.name };
    }),
  };
}
