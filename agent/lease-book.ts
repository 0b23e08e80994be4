/**
 * The agent's leases (a dead-man switch, docs/design.md §4 layer 5). A fault applied with the
 * `chaosflow-fault-key` metadata carries a lease: every call that leaves its key holding something starts or
 * extends it (by the call's `chaosflow-lease`, else the length it already has, else the agent's `--lease`), and
 * `chaosflow.agent.v1.Leases/RenewLeases` extends it. Calls without the metadata (Chaos Mesh's controller,
 * which never renews) get no lease. When a lease runs out, the agent reverts the key's journal entry itself,
 * under the target's lock, and keeps a recovery record: `RenewLeases` and `ListLeases` report it as
 * RECOVERED, and the key's next ChaosDaemon call gets it as a `chaosflow-warning` trailer (then it is dropped).
 *
 * Both are on disk, beside the journal: `<state dir>/leases/` (one record per held lease, rewritten on every
 * renewal) and `<state dir>/lease-recoveries/`. The recovery record is written before the revert and completed
 * after it, so a crash in between is finished on the next start. On start, leases that ran out while the agent
 * was down are recovered before it serves (`expireDue`).
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { formatGoDuration } from '../common/duration.js';
import { holdsNothing, type CallScope, type FaultContext } from './fault-context.js';
import type { KeyedLock } from './keyed-lock.js';
import { RecordFolder } from './record-folder.js';
import type { CgroupBaselines } from './cgroup-baselines.js';
import type { NetworkBaselines } from './network-baselines.js';

/** The drift checks a lease recovery runs after its revert. */
export interface DriftChecks {
  readonly network?: Pick<NetworkBaselines, 'afterCall'>;
  readonly cgroups?: Pick<CgroupBaselines, 'afterCall'>;
}
import { findNetnsPath } from './process-info.js';
import { revertEntry } from './recovery.js';

export interface LeaseRecord {
  readonly version: 1;
  readonly key: string;
  /** The container id of the journal entry: its target lock is taken for the revert. */
  readonly containerId: string;
  readonly leaseMs: number;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

export interface LeaseRecovery {
  readonly version: 1;
  readonly key: string;
  readonly containerId: string;
  readonly leaseMs: number;
  readonly lastRenewedAt: string;
  readonly expiredAt: string;
  /** Empty while the revert runs (a crash then is finished on the next start). */
  readonly recoveredAt: string;
  readonly error?: string;
  /** Drift found after the revert (`network-baselines.ts`). */
  readonly drift?: string;
}

export type LeaseView =
  | { readonly key: string; readonly state: 'HELD'; readonly lease: LeaseRecord }
  | { readonly key: string; readonly state: 'RECOVERED'; readonly recovery: LeaseRecovery }
  | { readonly key: string; readonly state: 'NOT_HELD' };

/** How long a failed revert waits before it is tried again. */
const RETRY_MS = 1_000;

export class LeaseBook {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #expiring = new Set<string>();

  private constructor(
    private readonly ctx: FaultContext,
    private readonly locks: KeyedLock,
    /** The agent's `--lease` in ms; 0: no leases. */
    readonly defaultMs: number,
    private readonly leases: RecordFolder<LeaseRecord>,
    private readonly recoveries: RecordFolder<LeaseRecovery>,
    private readonly logger: Logger,
    private readonly baselines: DriftChecks,
  ) {}

  static async open(
    ctx: FaultContext,
    locks: KeyedLock,
    stateDir: string,
    defaultMs: number,
    logger: Logger,
    baselines: DriftChecks = {},
  ): Promise<LeaseBook> {
    const onBad = (file: string, reason: string): void =>
      logger.error({ file, reason }, 'unreadable lease record skipped');
    const book = new LeaseBook(
      ctx,
      locks,
      defaultMs,
      await RecordFolder.open(join(stateDir, 'leases'), isLeaseRecord, onBad),
      await RecordFolder.open(join(stateDir, 'lease-recoveries'), isLeaseRecovery, onBad),
      logger,
      baselines,
    );
    // A lease whose fault is no longer in the journal (recovered some other way) holds nothing.
    for (const lease of book.leases.values()) {
      if (!ctx.journal.get(lease.key)) await book.leases.remove(lease.key);
    }
    // A recovery interrupted by a crash: finished if the journal entry is gone, else the lease expires again.
    for (const recovery of book.recoveries.values()) {
      if (recovery.recoveredAt !== '') continue;
      if (!ctx.journal.get(recovery.key)) {
        await book.recoveries.put({ ...recovery, recoveredAt: new Date().toISOString() });
      }
    }
    return book;
  }

  /**
   * After a ChaosDaemon call that succeeded, under its target's lock: starts, extends or drops the key's lease,
   * and returns the warnings the caller should see (a recovery by lease not reported yet).
   */
  async afterCall(scope: CallScope, requestedMs: number | undefined): Promise<string[]> {
    const warnings: string[] = [];
    const recovery = this.recoveries.get(scope.key);
    const entry = this.ctx.journal.get(scope.key);
    const holds = entry !== undefined && !holdsNothing(entry);
    if (recovery && recovery.recoveredAt !== '') {
      warnings.push(
        holds
          ? `${describeRecovery(recovery)}; this call applied the fault again`
          : describeRecovery(recovery),
      );
      await this.recoveries.remove(scope.key);
    }
    if (!entry || !holds || scope.keySource !== 'metadata' || this.defaultMs === 0) {
      await this.leases.remove(scope.key);
    } else {
      const leaseMs = requestedMs ?? this.leases.get(scope.key)?.leaseMs ?? this.defaultMs;
      await this.#grant(scope.key, entry.target.containerId, leaseMs);
    }
    this.#arm();
    return warnings;
  }

  /** Extends each held key by its lease; says what each key is. */
  async renew(keys: readonly string[]): Promise<LeaseView[]> {
    const views: LeaseView[] = [];
    for (const key of keys) {
      const lease = this.leases.get(key);
      const entry = this.ctx.journal.get(key);
      if (lease && entry && !this.#expiring.has(key)) {
        views.push({
          key,
          state: 'HELD',
          // The entry's target, which a restarted target's next call updated.
          lease: await this.#grant(key, entry.target.containerId, lease.leaseMs, false),
        });
        continue;
      }
      views.push(this.view(key));
    }
    this.#arm();
    return views;
  }

  view(key: string): LeaseView {
    const lease = this.leases.get(key);
    if (lease && this.ctx.journal.get(key)) return { key, state: 'HELD', lease };
    const recovery = this.recoveries.get(key);
    if (recovery) return { key, state: 'RECOVERED', recovery };
    return { key, state: 'NOT_HELD' };
  }

  /** Every held lease and every recovery not reported to a call yet. */
  list(): LeaseView[] {
    return [
      ...this.leases
        .values()
        .filter((lease) => this.ctx.journal.get(lease.key))
        .map((lease): LeaseView => ({ key: lease.key, state: 'HELD', lease })),
      ...this.recoveries
        .values()
        .filter((r) => !this.leases.get(r.key) || !this.ctx.journal.get(r.key))
        .map((recovery): LeaseView => ({ key: recovery.key, state: 'RECOVERED', recovery })),
    ];
  }

  /** Recovers every lease that has run out (on start, before serving); then keeps watching. */
  async expireDue(): Promise<string[]> {
    const due = this.leases.values().filter((l) => Date.parse(l.expiresAt) <= Date.now());
    await Promise.all(due.map((lease) => this.#expire(lease.key)));
    this.#arm();
    return due.map((l) => l.key);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #grant(key: string, containerId: string, leaseMs: number, durable = true): Promise<LeaseRecord> {
    const now = Date.now();
    const lease: LeaseRecord = {
      version: 1,
      key,
      containerId,
      leaseMs,
      renewedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + leaseMs).toISOString(),
    };
    await this.leases.put(lease, { durable });
    return lease;
  }

  /** Sets the timer to the next expiry. */
  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = Math.min(...this.leases.values().map((l) => Date.parse(l.expiresAt)));
    if (!Number.isFinite(next)) return;
    this.#timer = setTimeout(() => void this.#onTimer(), Math.max(0, next - Date.now()));
    this.#timer.unref();
  }

  async #onTimer(): Promise<void> {
    this.#timer = undefined;
    const due = this.leases.values().filter((l) => Date.parse(l.expiresAt) <= Date.now());
    await Promise.all(due.map((lease) => this.#expire(lease.key)));
    this.#arm();
  }

  async #expire(key: string): Promise<void> {
    const first = this.leases.get(key);
    if (!first || this.#expiring.has(key)) return;
    this.#expiring.add(key);
    try {
      await this.locks.run(`target:${first.containerId}`, async () => {
        const lease = this.leases.get(key);
        // Renewed, or recovered by a call, while the lock was waited for.
        if (!lease || Date.parse(lease.expiresAt) > Date.now()) return;
        const entry = this.ctx.journal.get(key);
        if (!entry) {
          await this.leases.remove(key);
          return;
        }
        const started = Date.now();
        const base: LeaseRecovery = {
          version: 1,
          key,
          containerId: lease.containerId,
          leaseMs: lease.leaseMs,
          lastRenewedAt: lease.renewedAt,
          expiredAt: lease.expiresAt,
          recoveredAt: '',
        };
        await this.recoveries.put(base);
        try {
          await revertEntry(this.ctx, entry, this.logger);
        } catch (err) {
          await this.recoveries.put({ ...base, error: errorMessage(err) });
          // Tried again shortly: the lease stays, already expired.
          await this.leases.put({ ...lease, expiresAt: new Date(Date.now() + RETRY_MS).toISOString() });
          this.logger.error({ key, err }, 'lease expired; recovering the fault failed, retrying');
          return;
        }
        const recoveredAt = new Date().toISOString();
        const netns = entry.network?.netns;
        const checks: Promise<string | undefined>[] = [];
        if (netns && this.baselines.network) {
          checks.push(this.baselines.network.afterCall(netns, await findNetnsPath(netns)));
        }
        if (entry.stressors?.length && this.baselines.cgroups) {
          checks.push(this.baselines.cgroups.afterCall(entry.target.containerId));
        }
        const found = await Promise.all(
          checks.map((check) =>
            check.catch((err: unknown) => `the drift check failed: ${errorMessage(err)}`),
          ),
        );
        const drift = found.filter(Boolean).join('; ') || undefined;
        await this.recoveries.put({ ...base, recoveredAt, ...(drift ? { drift } : {}) });
        await this.leases.remove(key);
        this.logger.warn(
          {
            key,
            containerId: lease.containerId,
            leaseMs: lease.leaseMs,
            lastRenewedAt: lease.renewedAt,
            expiredAt: lease.expiresAt,
            recoveredAt,
            lateMs: Date.parse(recoveredAt) - Date.parse(lease.expiresAt),
            revertMs: Date.parse(recoveredAt) - started,
          },
          'lease expired; fault recovered by the agent',
        );
      });
    } finally {
      this.#expiring.delete(key);
    }
  }
}

/** The sentence a caller sees about a recovery by lease. */
export function describeRecovery(recovery: LeaseRecovery): string {
  return (
    `recovered by the agent's lease at ${recovery.recoveredAt}: no renewal for ${formatGoDuration(recovery.leaseMs)} ` +
    `(last renewed ${recovery.lastRenewedAt}, lease expired ${recovery.expiredAt})` +
    (recovery.drift ? `; ${recovery.drift}` : '')
  );
}

function isLeaseRecord(value: unknown): value is LeaseRecord {
  const v = value as Partial<LeaseRecord> | null;
  return (
    v !== null &&
    v.version === 1 &&
    typeof v.key === 'string' &&
    typeof v.containerId === 'string' &&
    typeof v.leaseMs === 'number' &&
    typeof v.expiresAt === 'string' &&
    typeof v.renewedAt === 'string'
  );
}

function isLeaseRecovery(value: unknown): value is LeaseRecovery {
  const v = value as Partial<LeaseRecovery> | null;
  return (
    v !== null &&
    v.version === 1 &&
    typeof v.key === 'string' &&
    typeof v.containerId === 'string' &&
    typeof v.expiredAt === 'string' &&
    typeof v.recoveredAt === 'string'
  );
}
