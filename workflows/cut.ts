/**
 * Why a node's scope was cancelled. Each node has a Cut; whoever cancels a scope first writes the reason on the
 * Cut that belongs to it (a node on its own deadline, a Parallel when a sibling failed, the run on abort). A
 * cancelled node walks up its chain to find the nearest reason; none means the workflow itself was cancelled.
 */
import type { EndReason } from '../common/run-status.js';

export type CutReason = 'deadline' | 'abort' | 'sibling-failed';

export interface Cut {
  reason?: CutReason;
  /** For `abort`, the EndReason to report (a StatusCheck abort reports its own). */
  abortReason?: EndReason;
  readonly parent?: Cut;
}

export function childCut(parent: Cut): Cut {
  return { parent };
}

/** The nearest reason on the chain, and whether it is this node's own. */
export function findCut(cut: Cut): { reason?: CutReason; own: boolean; cut?: Cut } {
  for (let c: Cut | undefined = cut; c; c = c.parent) {
    if (c.reason) return { reason: c.reason, own: c === cut, cut: c };
  }
  return { own: false };
}
