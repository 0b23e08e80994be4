/**
 * The agent's journal: one JSON file per injected fault in `<state dir>/journal/`, keyed by the
 * `chaosflow-fault-key` metadata (`<run>/<node>/<target>`) or, without it, by `<container id>#<RPC>`. An entry
 * is written before the agent changes anything (state `applying`, listing everything the change may leave
 * behind) and again after (`applied`, or `recovered` once nothing of it is left), so that after a crash or a
 * SIGKILL `chaosflow agent --recover-all` or the start-up reconcile can undo what was injected.
 *
 * Files are written to a temp name, fsynced and renamed, so a crash leaves the old or the new entry, never a
 * torn one. The file name is a digest of the key (keys contain slashes); the key is inside.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentExtensionRpc } from '../proto/agent-extensions-proto.js';
import type { ChaosDaemonRpc } from '../proto/chaos-daemon-rpcs.js';
import type { NetnsId } from './process-info.js';
import type { StressInstance } from './stress-instances.js';

export const JOURNAL_VERSION = 1;

export type JournalState = 'applying' | 'applied' | 'recovered';

export interface NetworkRecord {
  readonly netns: NetnsId;
  /** ipsets the agent created in the namespace and has not destroyed yet. */
  readonly ipsets: readonly string[];
  /** The set names of this key's latest FlushIPSets, and when it came (ISO time). */
  readonly desiredIpsets: readonly string[];
  readonly desiredIpsetsAt?: string;
  /** Chains installed under CHAOS-INPUT/CHAOS-OUTPUT by this key's latest SetIptablesChains. */
  readonly chains: readonly string[];
  /** Devices carrying the agent's qdiscs (or loss rules) after this key's latest SetTcs. */
  readonly tcDevices: readonly string[];
  /** How that SetTcs carried out its loss, when it asked for loss (`loss-rules.ts`). */
  readonly lossMethod?: 'netem' | 'iptables-statistic';
}

/** An HTTPChaos fault proxy the agent started, and the redirects to it (`http-faults.ts`). */
export interface HttpRecord {
  readonly netns: NetnsId;
  /** Running proxies: the current one last; an earlier one only while it is being replaced. */
  readonly proxies: readonly HttpProxyRecord[];
  /** Whether the nat chain CHAOSFLOW-HTTP may be in place. */
  readonly redirect: boolean;
}

export interface HttpProxyRecord {
  readonly pid: number;
  readonly startTimeMs: number;
  readonly uid: string;
  /** [intercepted port, proxy port] pairs. */
  readonly listeners: readonly (readonly [number, number])[];
}

/** A DNSChaos responder the agent started, and the redirect of the namespace's DNS to it (`dns-faults.ts`). */
export interface DnsRecord {
  readonly netns: NetnsId;
  /** Running responders: the current one last; an earlier one only while it is being replaced. */
  readonly responders: readonly DnsResponderRecord[];
  /** Whether the nat chain CHAOSFLOW-DNS may be in place. */
  readonly redirect: boolean;
}

export interface DnsResponderRecord {
  readonly pid: number;
  readonly startTimeMs: number;
  readonly port: number;
}

export interface KillRecord {
  readonly pid: number;
  readonly startTimeMs: number;
  readonly at: string;
}

export interface JournalEntry {
  readonly version: typeof JOURNAL_VERSION;
  readonly key: string;
  readonly keySource: 'metadata' | 'derived';
  readonly namespacedName?: string;
  /** The process the fault was injected into. */
  readonly target: { readonly containerId: string; readonly pid: number; readonly startTimeMs: number };
  readonly state: JournalState;
  readonly lastRpc: ChaosDaemonRpc | AgentExtensionRpc;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly network?: NetworkRecord;
  readonly stressors?: readonly StressInstance[];
  readonly kill?: KillRecord;
  readonly http?: HttpRecord;
  readonly dns?: DnsRecord;
  /** The last failure of this key, kept for `--recover-all` reports. */
  readonly lastError?: string;
}

export class Journal {
  readonly #dir: string;
  readonly #entries = new Map<string, JournalEntry>();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens (creating) `<stateDir>/journal` and loads every entry; unreadable files are reported, not fatal. */
  static async open(stateDir: string, onBadFile: (file: string, reason: string) => void): Promise<Journal> {
    const journal = new Journal(join(stateDir, 'journal'));
    await mkdir(journal.#dir, { recursive: true, mode: 0o700 });
    for (const file of await readdir(journal.#dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const entry = JSON.parse(await readFile(join(journal.#dir, file), 'utf8')) as JournalEntry;
        if (entry.version !== JOURNAL_VERSION || typeof entry.key !== 'string')
          throw new Error('unknown format');
        journal.#entries.set(entry.key, entry);
      } catch (err) {
        onBadFile(file, errorMessage(err));
      }
    }
    return journal;
  }

  get dir(): string {
    return this.#dir;
  }

  get(key: string): JournalEntry | undefined {
    return this.#entries.get(key);
  }

  entries(): JournalEntry[] {
    return [...this.#entries.values()];
  }

  /** Entries whose network record is in namespace `netns`. */
  inNetns(netns: NetnsId): JournalEntry[] {
    return this.entries().filter(
      (e) => e.network?.netns.inode === netns.inode && e.network.netns.dev === netns.dev,
    );
  }

  async put(entry: JournalEntry): Promise<void> {
    const file = this.fileOf(entry.key);
    const temp = `${file}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(entry, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    this.#entries.set(entry.key, entry);
  }

  async remove(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
    this.#entries.delete(key);
  }

  fileOf(key: string): string {
    return join(this.#dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }
}
