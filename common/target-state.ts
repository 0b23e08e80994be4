/**
 * The desired fault state of one target pod, for the daemon RPCs that replace a pod's whole state in one call
 * (network: FlushIPSets + SetIptablesChains + SetTcs; IO: ApplyIOChaos; HTTP: ApplyHttpChaos). Each fault
 * contributes a fragment; the pod's state is the union of the fragments of its active faults, owned and sent by
 * one entity workflow per (family, pod) so that concurrent faults on a pod merge instead of overwriting each
 * other, and removing one re-sends the rest.
 */
import type { Target } from './target.js';

export const FAULT_FAMILIES = ['network', 'io', 'http'] as const;
export type FaultFamily = (typeof FAULT_FAMILIES)[number];

/**
 * A fault's share of a pod's state: named lists (`ipsets`, `chains`, `tcs`; `actions`; `rules`) whose items are
 * daemon messages built by the fault driver. The entity concatenates lists of the same name, oldest fault first.
 */
export type FaultFragment = Readonly<Record<string, readonly unknown[]>>;

export interface TargetStateInput {
  family: FaultFamily;
  endpoint: string;
  target: Target;
  /** Carried over by continue-as-new. */
  fragments?: [string, FaultFragment][];
  daemonState?: Record<string, string>;
}

/** Workflow type of the per-target entity (wire API). */
export const TARGET_STATE_WORKFLOW_TYPE = 'chaosflowTargetState';

/** One entity per family and pod: every container of a pod shares its network namespace (Chaos Mesh's PodNetworkChaos). */
export function targetStateWorkflowId(family: FaultFamily, target: Target): string {
  return `chaosflow-target/${family}/${target.namespace}/${target.pod}`;
}

/** The union of the fragments, in the order the faults were added. */
export function mergeFragments(fragments: Iterable<FaultFragment>): Record<string, unknown[]> {
  const merged: Record<string, unknown[]> = {};
  for (const fragment of fragments) {
    for (const [name, items] of Object.entries(fragment)) (merged[name] ??= []).push(...items);
  }
  return merged;
}
