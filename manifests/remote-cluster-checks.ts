/**
 * Chaos Mesh's RemoteCluster in chaosflow: a document that declares a cluster by its `metadata.name`, which chaos
 * specs name with `remoteCluster`. chaosflow does not reach that cluster with a kubeconfig, nor install Chaos
 * Mesh there: the cluster runs chaosflow's own worker (`chaosflow worker --cluster NAME`), and its fields get
 * a warning that says so. A `remoteCluster` that no RemoteCluster of the same input declares still runs (on
 * whatever worker serves that name); when the input declares some, it gets a warning, since it is then most
 * likely a typo.
 */
import { clusterNameProblem } from '../common/cluster-task-queue.js';
import type { RemoteClusterManifest } from '../common/generated/manifest-types.js';
import { joinPointer, type ManifestIssue, type ManifestWarningIssue } from './errors.js';

const OWN_WORKER =
  "chaosflow acts in that cluster through the cluster's own worker (chaosflow worker --cluster NAME)";

const IGNORED_SPEC_FIELDS = {
  kubeConfig: `spec.kubeConfig is not used: chaosflow reads no kubeconfig Secret; ${OWN_WORKER}, which uses its own credentials`,
  namespace: `spec.namespace is not used: chaosflow installs nothing in the remote cluster; ${OWN_WORKER}`,
  version: `spec.version is not used: chaosflow installs no Chaos Mesh in the remote cluster; ${OWN_WORKER}`,
  configOverride: `spec.configOverride is not used: chaosflow installs no Chaos Mesh in the remote cluster; ${OWN_WORKER}`,
} as const;

export function checkRemoteCluster(manifest: RemoteClusterManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const problem = clusterNameProblem(manifest.metadata.name);
  if (problem) {
    issues.push({
      code: 'CLUSTER_NAME_INVALID',
      pointer: '/metadata/name',
      message: problem,
      fix: 'name the RemoteCluster as its worker is named (chaosflow worker --cluster NAME)',
    });
  }
  for (const [field, message] of Object.entries(IGNORED_SPEC_FIELDS)) {
    if (manifest.spec?.[field as keyof typeof IGNORED_SPEC_FIELDS] === undefined) continue;
    issues.push({
      severity: 'warning',
      code: 'FIELD_IGNORED',
      pointer: joinPointer('/spec', field),
      at: 'key',
      message,
      fix: `remove spec.${field}, and run chaosflow worker --cluster ${manifest.metadata.name} in that cluster`,
    });
  }
  return issues;
}

/** Every string `remoteCluster` in a document, with its JSON pointer. */
export function remoteClusterUses(value: unknown, pointer = ''): { pointer: string; name: string }[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => remoteClusterUses(item, joinPointer(pointer, i)));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'remoteCluster' && typeof child === 'string'
      ? [{ pointer: joinPointer(pointer, key), name: child }]
      : remoteClusterUses(child, joinPointer(pointer, key)),
  );
}

/** The warning of a `remoteCluster` that the input's RemoteCluster objects (`declared`, not empty) leave out. */
export function undeclaredCluster(
  use: { pointer: string; name: string },
  declared: readonly string[],
): ManifestWarningIssue {
  return {
    severity: 'warning',
    code: 'REMOTE_CLUSTER_UNDECLARED',
    pointer: use.pointer,
    message: `remoteCluster ${JSON.stringify(use.name)} is not declared by a RemoteCluster here (declared: ${declared.join(', ')}): the fault still runs, on the worker of cluster ${use.name} (it waits until one polls)`,
    fix: `add a RemoteCluster named ${use.name}, or name one of ${declared.join(', ')}`,
  };
}
