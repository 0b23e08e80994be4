/**
 * One control plane, many clusters: each cluster runs an activities-only chaosflow worker (`chaosflow worker
 * --cluster NAME`) that polls its own task queue, and every activity of a chaos node with `remoteCluster: NAME`
 * (its target resolution, injects, recovers, lease renewals, the applies of its pods' entities) is scheduled
 * there. The queue's name is derived here and nowhere else.
 */

/** A cluster name: a DNS-1123 label (Chaos Mesh's RemoteCluster is named by its `metadata.name`). */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const CLUSTER_NAME_HINT =
  'a cluster name is a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';

/** Why `name` cannot name a cluster, or undefined when it can. */
export function clusterNameProblem(name: string): string | undefined {
  if (name.length > 63 || !CLUSTER_NAME.test(name))
    return `invalid cluster name '${name}': ${CLUSTER_NAME_HINT}`;
  return undefined;
}

/** The task queue of cluster `cluster`'s worker, beside the control plane's `taskQueue`. */
export function clusterTaskQueue(taskQueue: string, cluster: string): string {
  return `${taskQueue}-cluster-${cluster}`;
}

/** The queue an activity for `cluster` goes to: the cluster's, or the control plane's own when undefined. */
export function taskQueueFor(taskQueue: string, cluster: string | undefined): string {
  return cluster === undefined ? taskQueue : clusterTaskQueue(taskQueue, cluster);
}
