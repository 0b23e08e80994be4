/**
 * What every fault handler of the agent works with (built once by the agent's composition root), the scope of
 * one call (its RPC, journal key and logger), and the journal bookkeeping they share.
 */
import type { Logger } from 'pino';
import type { AgentExtensionRpc } from '../proto/agent-extensions-proto.js';
import type { ChaosDaemonRpc } from '../proto/chaos-daemon-rpcs.js';
import type { CommandRunner } from './command-runner.js';
import type { HostTarget } from './host-target.js';
import type { IoSupport } from './io-support.js';
import type { Journal, JournalEntry, JournalState, NetworkRecord } from './journal.js';
import type { MntnsId } from './mount-namespaces.js';
import type { NetnsId } from './process-info.js';
import type { StressInstances } from './stress-instances.js';
import type { NetemSupport } from './tc-plan.js';

export interface FaultContext {
  readonly runner: CommandRunner;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly stress: StressInstances;
  /** Whether the kernel has netem; probed on first use. */
  readonly netemSupport: () => Promise<NetemSupport>;
  /** The agent's own network namespace (the host's): network faults there need `allowHostNetwork`. */
  readonly agentNetns: NetnsId | undefined;
  readonly allowHostNetwork: boolean;
  /** The chaosflow-iofs executable (IOChaos). */
  readonly iofsPath: string;
  /** Whether IOChaos can run here (chaosflow-iofs and /dev/fuse); probed on first use. */
  readonly ioSupport: () => Promise<IoSupport>;
  /** The agent's own mount namespace (the host's): IOChaos there would reach every process of the host. */
  readonly agentMntns: MntnsId | undefined;
}

export interface CallScope {
  readonly rpc: ChaosDaemonRpc | AgentExtensionRpc;
  /** The fault key: `chaosflow-fault-key` metadata, or `<container id>#<rpc>`. */
  readonly key: string;
  readonly keySource: 'metadata' | 'derived';
  readonly namespacedName: string | undefined;
  readonly logger: Logger;
  /** What the call wants its caller told (sent back as `chaosflow-warning` trailers); absent outside a call. */
  readonly warnings?: string[];
}

export const EMPTY_NETWORK = (netns: NetnsId): NetworkRecord => ({
  netns,
  ipsets: [],
  desiredIpsets: [],
  chains: [],
  tcDevices: [],
});

/** The scope's journal entry, or a new one for `target`, with `patch` applied and the state recomputed. */
export function nextEntry(
  existing: JournalEntry | undefined,
  scope: CallScope,
  target: Pick<HostTarget, 'containerId' | 'pid' | 'startTimeMs'>,
  patch: Partial<Pick<JournalEntry, 'network' | 'stressors' | 'kill' | 'http' | 'dns' | 'io' | 'lastError'>>,
  state?: JournalState,
): JournalEntry {
  const now = new Date().toISOString();
  const merged: JournalEntry = {
    version: 1,
    key: scope.key,
    keySource: scope.keySource,
    ...(scope.namespacedName ? { namespacedName: scope.namespacedName } : {}),
    target: { containerId: target.containerId, pid: target.pid, startTimeMs: target.startTimeMs },
    state: 'applying',
    lastRpc: scope.rpc,
    createdAt: existing?.createdAt ?? now,
    ...(existing?.network ? { network: existing.network } : {}),
    ...(existing?.stressors ? { stressors: existing.stressors } : {}),
    ...(existing?.kill ? { kill: existing.kill } : {}),
    ...(existing?.http ? { http: existing.http } : {}),
    ...(existing?.dns ? { dns: existing.dns } : {}),
    ...(existing?.io ? { io: existing.io } : {}),
    ...patch,
    updatedAt: now,
  };
  return { ...merged, state: state ?? (holdsNothing(merged) ? 'recovered' : 'applied') };
}

/** True when nothing of the entry's fault is left in place (a kill cannot be undone and counts as nothing). */
export function holdsNothing(entry: JournalEntry): boolean {
  const network = entry.network;
  const networkEmpty =
    !network ||
    (network.chains.length === 0 && network.tcDevices.length === 0 && network.ipsets.length === 0);
  const httpEmpty = !entry.http || (entry.http.proxies.length === 0 && !entry.http.redirect);
  const dnsEmpty = !entry.dns || (entry.dns.responders.length === 0 && !entry.dns.redirect);
  const ioEmpty = !entry.io || (entry.io.helpers.length === 0 && !entry.io.mounted);
  return networkEmpty && httpEmpty && dnsEmpty && ioEmpty && (entry.stressors ?? []).length === 0;
}

/** Writes the entry, or removes it when it holds nothing and records no kill (kills stay for idempotency). */
export async function saveEntry(journal: Journal, entry: JournalEntry): Promise<void> {
  if (entry.state === 'recovered' && !entry.kill) await journal.remove(entry.key);
  else await journal.put(entry);
}

export function union(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
