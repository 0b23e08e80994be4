/**
 * Undoing what the journal records, for `chaosflow agent --recover-all`, `--recover-on-exit`, and the start-up
 * reconcile.
 *
 * Reverting an entry: its network namespace (found through the target if it still runs, else by the
 * namespace's inode among named namespaces and running processes) loses the agent's CHAOS-* chains, its
 * qdiscs and classification chain, and every ipset the journal says the agent created there; its stress-ng
 * instances are stopped (pid and start time checked); its IOChaos helper is stopped and its FUSE mount removed. Network state is per namespace, so reverting one entry
 * clears the whole namespace's chaosflow state. A kill cannot be undone; its entry is just dropped.
 *
 * Start-up reconcile rule: an entry whose target process is gone (no process with that pid and start time)
 * has no owner left to recover it through the API, so it is reverted. An entry whose target still runs is
 * kept: the workflow that injected it recovers it with a keyed call (or `--recover-all` does), except when
 * it holds nothing any more (an interrupted call that changed nothing, stressors that all exited), which is
 * dropped. Kill entries are dropped after a day.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { Logger } from 'pino';
import { holdsNothing, type FaultContext } from './fault-context.js';
import { applyChains } from './iptables-chains.js';
import { destroySets } from './ipsets.js';
import { revertDns } from './dns-faults.js';
import { revertHttp } from './http-faults.js';
import { revertIo } from './io-faults.js';
import type { JournalEntry } from './journal.js';
import { netnsRunner } from './netns-runner.js';
import { findNetnsPath, isSameProcess, netnsOf } from './process-info.js';
import { clearTc } from './tc-qdiscs.js';

const KILL_RETENTION_MS = 24 * 3_600_000;

export interface RecoveryReport {
  readonly reverted: readonly string[];
  readonly kept: readonly string[];
  readonly failed: readonly { readonly key: string; readonly error: string }[];
}

export async function revertEntry(ctx: FaultContext, entry: JournalEntry, logger: Logger): Promise<void> {
  if (entry.network) {
    const netns = entry.network.netns;
    const targetNs = (await isSameProcess(entry.target.pid, entry.target.startTimeMs))
      ? await netnsOf(entry.target.pid)
      : undefined;
    const path =
      targetNs && targetNs.inode === netns.inode && targetNs.dev === netns.dev
        ? `/proc/${entry.target.pid}/ns/net`
        : await findNetnsPath(netns);
    if (path) {
      const ns = netnsRunner(ctx.runner, path);
      await applyChains(ns, []);
      await clearTc(ns);
      const sets = [...new Set(ctx.journal.inNetns(netns).flatMap((e) => e.network?.ipsets ?? []))];
      const { inUse } = await destroySets(ns, sets);
      if (inUse.length > 0) logger.warn({ key: entry.key, inUse }, 'ipsets still in use by someone else');
      logger.info({ key: entry.key, netns: path }, 'network namespace reverted');
    } else {
      logger.info({ key: entry.key }, 'network namespace gone; nothing to revert');
    }
  }
  if (entry.http) {
    await revertHttp(ctx, entry.http);
    logger.info({ key: entry.key, proxies: entry.http.proxies.length }, 'http fault reverted');
  }
  if (entry.dns) {
    await revertDns(ctx, entry.dns);
    logger.info({ key: entry.key, responders: entry.dns.responders.length }, 'dns fault reverted');
  }
  if (entry.io) {
    await revertIo(ctx, entry.io, entry.target.pid);
    logger.info(
      { key: entry.key, volume: entry.io.volume, helpers: entry.io.helpers.length },
      'io fault reverted',
    );
  }
  for (const instance of entry.stressors ?? []) {
    const outcome = await ctx.stress.stop(instance.pid, instance.startTimeMs, true, instance.uid);
    logger.info({ key: entry.key, pid: instance.pid, outcome }, 'stressor reverted');
  }
  // The other entries of the namespace lost their network state with it.
  for (const other of entry.network ? ctx.journal.inNetns(entry.network.netns) : []) {
    if (other.key === entry.key || !other.network) continue;
    const cleared: JournalEntry = {
      ...other,
      network: { ...other.network, chains: [], tcDevices: [], ipsets: [] },
      updatedAt: new Date().toISOString(),
    };
    if (holdsNothing(cleared) && !cleared.kill) await ctx.journal.remove(other.key);
    else await ctx.journal.put(cleared);
  }
  await ctx.journal.remove(entry.key);
}

/** How many namespaces (or non-network entries) are reverted at once. */
const REVERT_CONCURRENCY = 8;

/**
 * Reverts the selected entries: those of one network namespace one after the other (reverting one clears the
 * namespace for all), different namespaces and entries without one concurrently, a few at a time.
 */
async function revertAll(
  ctx: FaultContext,
  logger: Logger,
  select: (entry: JournalEntry) => Promise<boolean>,
): Promise<RecoveryReport> {
  const reverted: string[] = [];
  const kept: string[] = [];
  const failed: { key: string; error: string }[] = [];
  const groups = new Map<string, JournalEntry[]>();
  for (const entry of ctx.journal.entries()) {
    const netns = entry.network?.netns;
    const group = netns ? `netns:${netns.dev}:${netns.inode}` : `key:${entry.key}`;
    groups.set(group, [...(groups.get(group) ?? []), entry]);
  }
  const revertGroup = async (entries: readonly JournalEntry[]): Promise<void> => {
    for (const entry of entries) {
      if (!ctx.journal.get(entry.key)) continue; // removed with its namespace already
      if (!(await select(entry))) {
        kept.push(entry.key);
        continue;
      }
      try {
        await revertEntry(ctx, entry, logger);
        reverted.push(entry.key);
      } catch (err) {
        failed.push({ key: entry.key, error: errorMessage(err) });
        logger.error({ key: entry.key, err }, 'revert failed');
      }
    }
  };
  const queue = [...groups.values()];
  await Promise.all(
    Array.from({ length: Math.min(REVERT_CONCURRENCY, queue.length) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) await revertGroup(group);
    }),
  );
  return { reverted, kept, failed };
}

/** Reverts every entry of the journal. */
export function recoverAll(ctx: FaultContext, logger: Logger): Promise<RecoveryReport> {
  return revertAll(ctx, logger, () => Promise.resolve(true));
}

/** Reverts the entries whose target process is gone; see the rule above. */
export function reconcile(ctx: FaultContext, logger: Logger): Promise<RecoveryReport> {
  return revertAll(ctx, logger, async (entry) => {
    if (entry.kill && !entry.network && !entry.stressors?.length) {
      return Date.now() - Date.parse(entry.updatedAt) > KILL_RETENTION_MS;
    }
    if (!(await isSameProcess(entry.target.pid, entry.target.startTimeMs))) return true;
    // Nothing left to hold: an interrupted call that never got as far, or stressors that all exited.
    if (holdsNothing(entry)) return true;
    const network = entry.network;
    if (network && network.chains.length + network.tcDevices.length + network.ipsets.length > 0) return false;
    if (entry.http && (entry.http.redirect || entry.http.proxies.length > 0)) return false;
    if (entry.dns && (entry.dns.redirect || entry.dns.responders.length > 0)) return false;
    if (entry.io && (entry.io.mounted || entry.io.helpers.length > 0)) return false;
    const live = await Promise.all((entry.stressors ?? []).map((i) => isSameProcess(i.pid, i.startTimeMs)));
    return !live.includes(true);
  });
}
