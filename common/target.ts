/**
 * One selected target of a chaos action: a container of a pod (or a declared host process). Plain JSON: it is
 * recorded in workflow history when targets are resolved.
 */
export interface Target {
  /** Chaos Mesh's record id for a container: `<namespace>/<pod>/<container>`. */
  key: string;
  namespace: string;
  pod: string;
  podUid?: string;
  container: string;
  /** As the runtime reports it, prefix included: `containerd://…`, `docker://…`, or `pid://<pid>` on hosts. */
  containerId: string;
  /** The node the pod runs on; its daemon serves the target. */
  node: string;
  /**
   * Which selector of the chaos chose it, as Chaos Mesh's record `selectorKey`: absent (`.`) for the spec's own
   * selector, `.Target` for a NetworkChaos `target` peer (its key then ends in `#target`).
   */
  selectorKey?: '.Target';
}
