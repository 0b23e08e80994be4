/**
 * Turning what happened to one target into its `FaultTargetResult`, the same way for every driver: a failure
 * keeps the retryability of its cause (the daemon's gRPC status, or our own error code); on recover, a target
 * that is gone counts as recovered with a message, and so does a daemon that does not implement the RPC at
 * all (it cannot have injected it).
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { FaultBatch, FaultBatchOf, FaultBatchResult, FaultTargetResult } from '../contract.js';
import type { DaemonCallOptions, FaultKey } from '../daemon/daemon-client.js';
import { DaemonError } from '../daemon/daemon-error.js';
import { ActivityError } from '../errors.js';

/** A batch of any kind, for what every driver does the same way. */
type AnyBatch = FaultBatchOf<ChaosKind>;

export type FaultTarget = FaultBatch['targets'][number];

/** What a driver returns for one target; the key is added by `eachTarget`. */
export type TargetOutcome = Omit<FaultTargetResult, 'key'>;

/** How many targets of one batch are worked on at once. */
const CONCURRENCY = 8;

/** Runs `work` for every target of the batch (a few at a time) and collects one result each, in order. */
export async function eachTarget(
  batch: AnyBatch,
  work: (target: FaultTarget) => Promise<TargetOutcome>,
  onError: (err: unknown) => TargetOutcome = failed,
): Promise<FaultBatchResult> {
  const results: FaultTargetResult[] = new Array<FaultTargetResult>(batch.targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batch.targets.length) {
      const index = next++;
      const target = batch.targets[index] as FaultTarget;
      let outcome: TargetOutcome;
      try {
        outcome = await work(target);
      } catch (err) {
        outcome = onError(err);
      }
      results[index] = { key: target.key, ...outcome };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.targets.length) }, worker));
  return { results };
}

/** A failed inject (or recover): retryable unless the cause says repeating cannot help. */
export function failed(err: unknown): TargetOutcome {
  if (err instanceof DaemonError || err instanceof ActivityError) {
    return { ok: false, retryable: err.retryable, message: err.message };
  }
  return { ok: false, retryable: true, message: errorMessage(err) };
}

/** A failed recover: "gone" and "not implemented" count as recovered, with a message; the rest as `failed`. */
export function failedRecover(err: unknown): TargetOutcome {
  if (err instanceof DaemonError && err.context.status === 'NOT_FOUND') {
    return { ok: true, message: `target gone: counted as recovered (${err.context.serverMessage})` };
  }
  if (err instanceof DaemonError && err.context.status === 'UNIMPLEMENTED') {
    return {
      ok: true,
      message: `the daemon does not implement ${err.context.rpc ?? 'this RPC'}, so nothing was injected: ${err.context.serverMessage}`,
    };
  }
  return failed(err);
}

/** The idempotency key the chaosflow agent journals on: `<run>/<node>/<target>`, like the ledger's key. */
export function faultKeyOf(batch: AnyBatch, target: FaultTarget): FaultKey {
  return { run: batch.run.workflowId, node: batch.nodeId, target: target.target.key };
}

/** Metadata and cancellation of every daemon call a driver makes for one target. */
export function callOptions(batch: AnyBatch, target: FaultTarget, signal: AbortSignal): DaemonCallOptions {
  return {
    faultKey: faultKeyOf(batch, target),
    namespacedName: `${batch.run.namespace}/${batch.run.name}`,
    signal,
  };
}

/**
 * The name Chaos Mesh would give the chaos object, which its chain and ipset names are built from: the
 * template's name (for a standalone chaos, the manifest's name). A template used twice under one parent
 * (`net#2`) becomes `net-2`, so its names differ from the first use.
 */
export function chaosNameOf(batch: AnyBatch): string {
  const last = batch.nodeId.split('/').at(-1) ?? batch.nodeId;
  return last.replace(/#/g, '-');
}
