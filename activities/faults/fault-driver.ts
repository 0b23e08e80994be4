import type { FaultBatch, FaultBatchResult } from '../contract.js';

/**
 * Injects and recovers one chaos action on one daemon's batch of targets. Both are idempotent per target key:
 * repeating either is harmless, and recovering a target that is gone counts as recovered (with a message).
 * A per-target failure is returned in the result; a transient failure of the whole call is thrown (the activity
 * is retried).
 */
export interface FaultDriver {
  inject(batch: FaultBatch, signal: AbortSignal): Promise<FaultBatchResult>;
  recover(batch: FaultBatch, signal: AbortSignal): Promise<FaultBatchResult>;
}
