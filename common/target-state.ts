/**
 * The desired fault state of one target pod, for the daemon RPCs that replace a pod's whole state in one call
 * (network: FlushIPSets + SetIptablesChains + SetTcs; IO: ApplyIOChaos; HTTP: ApplyHttpChaos). Each fault
 * contributes a fragment; the pod's state is the union of the fragments of its active faults, owned and sent by
 * one entity workflow per (family, pod) so that concurrent faults on a pod merge instead of overwriting each
 * other, and removing one re-sends the rest.
 */
import type { ChainInput } from '../proto/generated/pb/Chain.js';
import type { IPSetInput } from '../proto/generated/pb/IPSet.js';
import type { TcInput } from '../proto/generated/pb/Tc.js';
import type { Target } from './target.js';

export const FAULT_FAMILIES = ['network', 'io', 'http'] as const;
export type FaultFamily = (typeof FAULT_FAMILIES)[number];

/** An ipset of a pod's network state: the daemon message, with the fields every set has. */
export type IPSetMessage = IPSetInput & { name: string; type: string };
/** An iptables chain of a pod's network state. */
export type ChainMessage = ChainInput & { name: string; direction: 'INPUT' | 'OUTPUT' };
/** A tc rule of a pod's network state. */
export type TcMessage = TcInput;

/** One IOChaos action on one container's volume (Chaos Mesh's `v1alpha1.IOChaosAction`, as JSON). */
export interface IOActionItem {
  container: string;
  /** The volume mount point toda takes over (`volumePath`). */
  volume: string;
  action: Record<string, unknown>;
}

/** One HTTPChaos rule (Chaos Mesh's `PodHttpChaosBaseRule`, as JSON) and the port tproxy intercepts for it. */
export interface HttpRuleItem {
  port: number;
  rule: Record<string, unknown>;
}

/** The named lists that make up a pod's whole state in each family, as its daemon RPCs take them. */
export interface TargetStateLists {
  network: { ipsets: IPSetMessage[]; chains: ChainMessage[]; tcs: TcMessage[] };
  io: { actions: IOActionItem[] };
  http: { rules: HttpRuleItem[] };
}

/**
 * A fault's share of a pod's state in family `F` (lists it does not add to are left out); the merge of a pod's
 * fragments is the same shape. The entity concatenates lists of the same name, oldest fault first.
 */
export type FaultFragment<F extends FaultFamily = FaultFamily> = {
  [P in F]: Readonly<Partial<TargetStateLists[P]>>;
}[F];

export interface TargetStateInput {
  family: FaultFamily;
  endpoint: string;
  target: Target;
  /** The cluster (`remoteCluster`) of the pod: its state is sent by that cluster's worker. */
  cluster?: string;
  /** Carried over by continue-as-new. */
  fragments?: [string, FaultFragment][];
  daemonState?: Record<string, string>;
}

/** Workflow type of the per-target entity (wire API). */
export const TARGET_STATE_WORKFLOW_TYPE = 'chaosflowTargetState';

/**
 * One entity per family and pod: every container of a pod shares its network namespace (Chaos Mesh's
 * PodNetworkChaos). A pod of a remote cluster has its own (pods of two clusters may share a name).
 */
export function targetStateWorkflowId(family: FaultFamily, target: Target, cluster?: string): string {
  const pod = `${family}/${target.namespace}/${target.pod}`;
  return cluster === undefined ? `chaosflow-target/${pod}` : `chaosflow-target/cluster/${cluster}/${pod}`;
}

/** The union of the fragments (all of one family), in the order the faults were added. */
export function mergeFragments<T extends FaultFragment>(fragments: Iterable<T>): T {
  const merged: Record<string, unknown[]> = {};
  for (const fragment of fragments) {
    for (const [name, items] of Object.entries(fragment) as [string, readonly unknown[]][]) {
      (merged[name] ??= []).push(...items);
    }
  }
  // Concatenating lists by name keeps each list's item type: the merge has the fragments' shape.
  return merged as T;
}
