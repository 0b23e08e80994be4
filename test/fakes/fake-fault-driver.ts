import { ActivityError } from '../../activities/errors.js';
import type { FaultBatch, FaultBatchResult } from '../../activities/contract.js';
import type { FaultDriver, FaultDrivers } from '../../activities/faults/fault-driver.js';
import { SUPPORTED_CHAOS_KINDS, type ChaosKind } from '../../common/chaos-kinds.js';

/** The same kind-agnostic FAKE driver for every chaos kind. */
export function sameDriverForEveryKind(driver: FaultDriver<ChaosKind>): FaultDrivers {
  return Object.fromEntries(SUPPORTED_CHAOS_KINDS.map((kind) => [kind, driver])) as FaultDrivers;
}

/**
 * FAKE fault driver for tests of the interpreter's orchestration: it injects nothing real. It records every
 * inject and recover in memory, keeps the set of faults currently "injected", and can be told to fail.
 */
export class FakeFaultDriver implements FaultDriver<ChaosKind> {
  /** Every call, in order. */
  readonly calls: { op: 'inject' | 'recover'; key: string; nodeId: string; at: number }[] = [];
  /** Keys injected and not yet recovered. */
  readonly active = new Set<string>();
  /** Keys (or node ids) whose recover fails with a transient error until removed. */
  readonly failRecover = new Set<string>();
  /** Keys (or node ids) whose inject fails permanently. */
  readonly failInject = new Set<string>();
  /** Node id → how many more inject calls of that node fail permanently (then they succeed). */
  readonly failInjectTimes = new Map<string, number>();
  /** Delay of each call, to let tests cut a node mid-inject. */
  delayMs = 0;
  /** Delay of each inject instead of `delayMs` (an inject that goes on after its run was aborted). */
  injectDelayMs: number | undefined;

  async inject(batch: FaultBatch): Promise<FaultBatchResult> {
    await this.#delay(this.injectDelayMs);
    return {
      results: batch.targets.map(({ key }) => {
        this.calls.push({ op: 'inject', key, nodeId: batch.nodeId, at: Date.now() });
        const times = this.failInjectTimes.get(batch.nodeId) ?? 0;
        if (times > 0) this.failInjectTimes.set(batch.nodeId, times - 1);
        if (times > 0 || this.failInject.has(key) || this.failInject.has(batch.nodeId)) {
          return { key, ok: false, message: 'fake inject failure', retryable: false };
        }
        this.active.add(key);
        return { key, ok: true, recoveryData: { fake: 'yes' } };
      }),
    };
  }

  async recover(batch: FaultBatch): Promise<FaultBatchResult> {
    await this.#delay();
    for (const { key } of batch.targets) {
      this.calls.push({ op: 'recover', key, nodeId: batch.nodeId, at: Date.now() });
      if (this.failRecover.has(key) || this.failRecover.has(batch.nodeId)) {
        throw new ActivityError('UNAVAILABLE', `fake recover failure for ${key}`);
      }
    }
    for (const { key } of batch.targets) this.active.delete(key);
    return { results: batch.targets.map(({ key }) => ({ key, ok: true })) };
  }

  /** Keys injected for `nodeId` by the run `workflowId`. */
  injected(workflowId: string, nodeId: string): string[] {
    return this.calls
      .filter((c) => c.op === 'inject' && c.nodeId === nodeId && c.key.startsWith(`${workflowId}/`))
      .map((c) => c.key);
  }

  async #delay(ms = this.delayMs): Promise<void> {
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
