/**
 * The compensation ledger (docs/design.md §4, layer 1). An entry is written before its inject call, because an inject
 * that timed out may still have happened; recovery drains entries newest first in a non-cancellable scope and
 * never gives up silently: while a recover keeps failing, the node and the run show RecoveryFailed and the
 * workflow retries with backoff until it succeeds.
 */
import { CancellationScope, log, patched, sleep } from '@temporalio/workflow';
import type { PlanChaos } from '../common/plan.js';
import type { FaultEntry, NodeStatus } from '../common/run-status.js';
import type { Target } from '../common/target.js';
import type {
  FaultBatch,
  FaultTargetResult,
  LedgerRecord,
  RunRef,
  TargetGroup,
} from '../activities/contract.js';
import {
  INJECT_AWAITS_CANCELLATION,
  clusterActivities,
  injectFaults,
  injectFaultsAwaited,
} from './activity-stubs.js';
import { faultSummary } from './activity-summaries.js';
import { describeFailure } from './failure-details.js';

/** What the ledger needs of its run (the run's `RunContext` is one). */
export interface LedgerRun {
  readonly ref: RunRef;
  /** The node's status, where its recovery failures are shown. */
  nodeStatus(nodeId: string): Pick<NodeStatus, 'phase' | 'errors'> | undefined;
  /** The run shows RecoveryFailed while any node's recovery is failing. */
  markRecoveryFailing(nodeId: string, failing: boolean): void;
}

/** Backoff of the recovery loop after a recover call (with its own retries) failed. */
const RECOVERY_BACKOFF = { initialMs: 1_000, factor: 2, maxMs: 60_000 };

export class FaultLedger {
  readonly #records = new Map<string, LedgerRecord>();

  constructor(private readonly run: LedgerRun) {}

  /** The entries, oldest first (the `faults` query). */
  entries(): FaultEntry[] {
    return [...this.#records.values()].map((r) => r.entry);
  }

  /** Every record not yet recovered, oldest first (the `recoveryRecords` query the janitor reads). */
  unrecovered(): LedgerRecord[] {
    return [...this.#records.values()].filter((r) => r.entry.state !== 'Recovered');
  }

  /** Takes over records of another run (the janitor, for an orphan): `recover` then drains them. */
  adopt(records: readonly LedgerRecord[]): void {
    for (const record of records) this.#records.set(record.entry.key, record);
  }

  /**
   * Records every target of the group, then injects them in one activity. Returns the error of a failed inject
   * (the entries stay, so recovery still runs for targets that may have been touched).
   */
  async inject(
    nodeId: string,
    chaos: PlanChaos,
    group: TargetGroup,
    context: Readonly<Record<string, unknown>> | undefined,
  ): Promise<string | undefined> {
    const batch = this.#batch(nodeId, chaos, group.endpoint, group.targets, context);
    for (const { target, key } of batch.targets) {
      const entry: FaultEntry = {
        key,
        nodeId,
        kind: chaos.kind,
        ...(chaos.action ? { action: chaos.action } : {}),
        target: target.key,
        endpoint: group.endpoint,
        ...(chaos.remoteCluster ? { cluster: chaos.remoteCluster } : {}),
        state: 'Injecting',
        recoverAttempts: 0,
      };
      this.#records.set(key, { entry, chaos, target, context });
    }
    try {
      // A remote cluster's inject goes to its worker; plans without one keep the stubs their histories recorded.
      const inject = chaos.remoteCluster
        ? clusterActivities(chaos.remoteCluster).injectFaults
        : patched(INJECT_AWAITS_CANCELLATION)
          ? injectFaultsAwaited
          : injectFaults;
      const { results } = await inject.executeWithOptions({ summary: faultSummary('inject', batch) }, [
        batch,
      ]);
      const failures: string[] = [];
      for (const result of results) {
        const record = this.#records.get(result.key);
        if (!record) continue;
        if (result.ok) {
          record.entry.state = 'Injected';
          record.entry.injectedAt = new Date().toISOString();
          if (result.recoveryData) record.entry.recoveryData = result.recoveryData;
          if (result.message) record.entry.note = result.message;
        } else {
          record.entry.lastError = result.message ?? 'inject failed';
          failures.push(`${record.entry.target}: ${record.entry.lastError}`);
        }
      }
      return failures.length ? `inject failed on ${failures.join('; ')}` : undefined;
    } catch (err) {
      if (CancellationScope.current().consideredCancelled) throw err;
      return `inject failed on ${group.endpoint}: ${describeFailure(err)}`;
    }
  }

  /** One-shot actions (pod-kill, container-kill) have nothing to undo: their entries are settled at once. */
  settleOneShot(nodeId: string): void {
    for (const { entry } of this.#records.values()) {
      if (entry.nodeId === nodeId && entry.state === 'Injected') {
        entry.state = 'Recovered';
        entry.recoveredAt = entry.injectedAt;
      }
    }
  }

  /** Recovers every unrecovered entry of `nodeId` (all nodes when undefined), newest first; never cancelled. */
  async recover(nodeId: string | undefined): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      const pending = [...this.#records.values()]
        .filter((r) => r.entry.state !== 'Recovered' && (nodeId === undefined || r.entry.nodeId === nodeId))
        .reverse();
      if (pending.length === 0) return;
      // One recover per (node, cluster, endpoint) batch, all batches at once: recovery time does not grow with
      // the number of daemons.
      const batches = new Map<string, LedgerRecord[]>();
      for (const record of pending) {
        const id = `${record.entry.nodeId}\u0000${record.entry.cluster ?? ''}\u0000${record.entry.endpoint}`;
        batches.set(id, [...(batches.get(id) ?? []), record]);
      }
      await Promise.all([...batches.values()].map((records) => this.#recoverUntilDone(records)));
    });
  }

  async #recoverUntilDone(records: LedgerRecord[]): Promise<void> {
    const nodeId = records[0]!.entry.nodeId;
    let delay = RECOVERY_BACKOFF.initialMs;
    for (;;) {
      const open = records.filter((r) => r.entry.state !== 'Recovered');
      if (open.length === 0) break;
      const error = await this.#recoverOnce(open);
      if (error === undefined) break;
      for (const record of open) {
        if (record.entry.state !== 'Recovered') record.entry.state = 'RecoveryFailed';
      }
      const node = this.run.nodeStatus(nodeId);
      if (node) {
        node.phase = 'RecoveryFailed';
        if (node.errors.at(-1) !== error) node.errors.push(error);
      }
      this.run.markRecoveryFailing(nodeId, true);
      log.warn('recover failed; retrying', { nodeId, error, retryInMs: delay });
      await sleep(delay);
      delay = Math.min(delay * RECOVERY_BACKOFF.factor, RECOVERY_BACKOFF.maxMs);
    }
    this.run.markRecoveryFailing(nodeId, false);
  }

  /** One recover activity for records of one node and endpoint; returns an error message or undefined. */
  async #recoverOnce(records: LedgerRecord[]): Promise<string | undefined> {
    const first = records[0]!;
    for (const record of records) {
      record.entry.state = 'Recovering';
      record.entry.recoverAttempts += 1;
    }
    const batch = this.#batch(
      first.entry.nodeId,
      first.chaos,
      first.entry.endpoint,
      records.map((r) => r.target),
      first.context,
    );
    let results: FaultTargetResult[];
    // The cluster the ledger recorded at the inject: the recover goes to the worker that injected.
    const { recoverFaults } = clusterActivities(first.entry.cluster);
    try {
      ({ results } = await recoverFaults.executeWithOptions({ summary: faultSummary('recover', batch) }, [
        batch,
      ]));
    } catch (err) {
      const message = describeFailure(err);
      for (const record of records) record.entry.lastError = message;
      return `recover failed on ${first.entry.endpoint}: ${message}`;
    }
    const failures: string[] = [];
    for (const result of results) {
      const record = this.#records.get(result.key);
      if (!record) continue;
      if (result.ok) {
        record.entry.state = 'Recovered';
        record.entry.recoveredAt = new Date().toISOString();
        if (result.message) record.entry.lastError = result.message;
      } else {
        record.entry.lastError = result.message ?? 'recover failed';
        failures.push(`${record.entry.target}: ${record.entry.lastError}`);
      }
    }
    return failures.length ? `recover failed on ${failures.join('; ')}` : undefined;
  }

  #batch(
    nodeId: string,
    chaos: PlanChaos,
    endpoint: string,
    targets: readonly Target[],
    context: Readonly<Record<string, unknown>> | undefined,
  ): FaultBatch {
    return {
      run: this.run.ref,
      nodeId,
      chaos,
      endpoint,
      ...(context ? { context } : {}),
      targets: targets.map((target) => {
        const key = faultKey(this.run.ref.workflowId, nodeId, target.key);
        const recoveryData = this.#records.get(key)?.entry.recoveryData;
        return { target, key, ...(recoveryData ? { recoveryData } : {}) };
      }),
    };
  }
}

export function faultKey(workflowId: string, nodeId: string, targetKey: string): string {
  return `${workflowId}/${nodeId}/${targetKey}`;
}
