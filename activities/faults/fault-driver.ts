import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { FaultBatchOf, FaultBatchResult } from '../contract.js';

/**
 * Injects and recovers one chaos action of kind `K` on one daemon's batch of targets; the batch's spec is that
 * kind's compiled spec. Both are idempotent per target key: repeating either is harmless, and recovering a
 * target that is gone counts as recovered (with a message). A per-target failure is returned in the result; a
 * transient failure of the whole call is thrown (the activity is retried).
 */
export interface FaultDriver<K extends ChaosKind> {
  inject(batch: FaultBatchOf<K>, signal: AbortSignal): Promise<FaultBatchResult>;
  recover(batch: FaultBatchOf<K>, signal: AbortSignal): Promise<FaultBatchResult>;
}

/** One driver per chaos kind. */
export type FaultDrivers = { readonly [K in ChaosKind]: FaultDriver<K> };

/** Calls `op` on the driver of the batch's kind: generic, so the compiler pairs each kind with its own driver. */
export function callDriver<K extends ChaosKind>(
  drivers: FaultDrivers,
  op: 'inject' | 'recover',
  batch: FaultBatchOf<K>,
  signal: AbortSignal,
): Promise<FaultBatchResult> {
  return drivers[batch.chaos.kind][op](batch, signal);
}
