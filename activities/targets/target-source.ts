/**
 * Where targets come from: the pods that exist, the labels of their nodes, and the daemon that serves each node.
 * Two implementations: the host inventory (`inventory.ts`, a YAML file of local processes) and the Kubernetes
 * API (`kubernetes-source.ts`). Selection itself is pure (`common/selection/`) and works the same over either.
 */
import type { NodeLabels, PodInfo, PodPhase } from '../../common/selection/pod-info.js';
import type { DaemonTlsFiles } from '../daemon/daemon-credentials.js';

/** How to reach the Chaos Daemon (or chaosflow agent) of one node. */
export interface DaemonRef {
  /** `host:port`, IPv6 as `[addr]:port`. */
  address: string;
  /** Mutual TLS files; absent means plaintext (loopback, or an inventory that says `insecure: true`). */
  tls?: DaemonTlsFiles;
}

export interface TargetSource {
  /** Phases a pod must be in when a selector names none (`podPhaseSelectors`); absent: any phase. */
  readonly defaultPodPhases?: readonly PodPhase[];
  /** Pods in the given namespaces (every namespace when omitted), in any order. */
  listPods(namespaces?: readonly string[]): Promise<PodInfo[]>;
  /** Every node the source knows, with its labels. */
  nodeLabels(): Promise<NodeLabels>;
  /** The daemon serving `node`; throws when the node is unknown or has no daemon. */
  daemonFor(node: string): Promise<DaemonRef>;
}
