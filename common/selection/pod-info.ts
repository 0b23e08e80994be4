/**
 * What target selection needs to know about a pod, whatever its source (the Kubernetes API or the host
 * inventory). Plain JSON.
 */

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

export interface ContainerInfo {
  name: string;
  /**
   * As the runtime reports it, prefix included (`containerd://…`, `docker://…`; `pid://<pid>` for host
   * processes). Absent while the container has not started: such a container cannot be a target.
   */
  containerId?: string;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** Absent while the pod is not scheduled. */
  nodeName?: string;
  phase: PodPhase;
  /** The pod's IP addresses, when known: NetworkChaos needs those of its `target` pods. */
  podIPs?: readonly string[];
  /** In the pod's order: an empty `containerNames` selects the first one. */
  containers: readonly ContainerInfo[];
}

/** Node name -> the node's labels, for `nodeSelectors`; its keys are also the nodes `selector.nodes` may name. */
export type NodeLabels = Readonly<Record<string, Readonly<Record<string, string>>>>;
