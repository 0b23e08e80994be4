/**
 * One chaos spec to a PlanChaos: webhook defaults applied, `duration` taken out (it becomes a deadline),
 * `remoteCluster` lifted out of the spec (it picks the worker, `common/cluster-task-queue.ts`).
 */
import { isOneShot, type ChaosKind } from '../common/chaos-kinds.js';
import type { PlanChaos } from '../common/plan.js';
import { applyChaosDefaults } from './defaults.js';

/**
 * `spec` is the document's spec of `kind`, already valid against that kind's schema (the validators run before
 * the compiler): that is what pairs the kind with its spec type in the returned `PlanChaos`, the one place the
 * pairing is asserted rather than derived.
 */
export function compileChaos(kind: ChaosKind, spec: object, namespace: string): PlanChaos {
  const defaulted = applyChaosDefaults(kind, spec as Record<string, unknown>, namespace);
  delete defaulted.duration;
  // Where the fault runs is the interpreter's concern (it picks the cluster's task queue), not the driver's.
  const remoteCluster = typeof defaulted.remoteCluster === 'string' ? defaulted.remoteCluster : undefined;
  delete defaulted.remoteCluster;
  const action = typeof defaulted.action === 'string' ? defaulted.action : undefined;
  return {
    kind,
    ...(action === undefined ? {} : { action }),
    oneShot: isOneShot(kind, action),
    spec: defaulted,
    ...(remoteCluster === undefined ? {} : { remoteCluster }),
  } as PlanChaos;
}
