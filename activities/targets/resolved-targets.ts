/** What resolving a chaos spec's selector gives: its targets grouped by the daemon that serves them. */
import type { TargetGroup } from '../contract.js';
import type { DaemonRef } from './target-source.js';

/** The targets of one daemon. `endpoint` is the daemon's address (the contract's TargetGroup). */
export interface DaemonTargetGroup extends TargetGroup {
  daemon: DaemonRef;
  /** The nodes this daemon serves among the targets. */
  nodes: string[];
}

export interface ResolvedTargets {
  groups: DaemonTargetGroup[];
  /** Pods that matched the selector before the mode was applied. */
  matched: number;
  namespaces: string[];
  /** random-max-percent only: the percentage drawn (0 means no target, and no fault). */
  drawnPercent?: number;
}
