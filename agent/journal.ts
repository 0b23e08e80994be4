/**
 * The agent's journal: one JSON file per injected fault in `<state dir>/journal/`, keyed by the
 * `chaosflow-fault-key` metadata (`<run>/<node>/<target>`) or, without it, by `<container id>#<RPC>`. An entry
 * is written before the agent changes anything (state `applying`, listing everything the change may leave
 * behind) and again after (`applied`, or `recovered` once nothing of it is left), so that after a crash or a
 * SIGKILL `chaosflow agent --recover-all` or the start-up reconcile can undo what was injected.
 *
 * Durability comes from a write-ahead log beside the entries (`journal/log.jsonl`, `group-commit-log.ts`): a
 * write first replaces the entry's file (temp name and rename, no fsync of its own), then appends the entry
 * (or its removal) to the log and waits for the log's group commit, so every request writing at the same time
 * shares one fdatasync instead of each paying one per file. Nothing runs on the strength of an entry before
 * its log record is on disk (the write-ahead rule). On open the entry files are read and the log replayed over
 * them (the log's last record of a key wins: a file newer than it was never acknowledged), then the files are
 * made durable one by one and the log emptied; the same compaction runs when the log outgrows its limit.
 * The file name is a digest of the key (keys contain slashes); the key is inside.
 *
 * Writes of one key may come at the same moment (a call, a lease recovery, the collection of a namespace's
 * sets): they are ordered by a `KeyedLock` from the file's replacement to the log record's place in the queue,
 * so the last write issued is the last file renamed, the last record in the log and the entry kept in memory,
 * while the log's flush is still shared by all of them. Each write has a temp file of its own
 * (`atomic-file.ts`).
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentExtensionRpc } from '../proto/agent-extensions-proto.js';
import type { ChaosDaemonRpc } from '../proto/chaos-daemon-rpcs.js';
import { removeStrayTempFiles, writeFileAtomically } from './atomic-file.js';
import { GroupCommitLog } from './group-commit-log.js';
import { KeyedLock } from './keyed-lock.js';
import type { MntnsId } from './mount-namespaces.js';
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

/** An IOChaos file system the agent mounted over a volume, and its helper processes (`io-faults.ts`). */
export interface IoRecord {
  readonly mntns: MntnsId;
  /** The volume path, inside the target's mount namespace. */
  readonly volume: string;
  /** Running chaosflow-iofs helpers (one; an earlier one only while it is being replaced). */
  readonly helpers: readonly IoHelperRecord[];
  /** Whether a chaosflow-iofs mount may be at the volume (a helper that died leaves its mount behind). */
  readonly mounted: boolean;
}

export interface IoHelperRecord {
  readonly pid: number;
  readonly startTimeMs: number;
  readonly uid: string;
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
  readonly io?: IoRecord;
  /** The last failure of this key, kept for `--recover-all` reports. */
  readonly lastError?: string;
}

/** A record of the journal's log: an entry as written, or the removal of a key. */
type LogRecord = { readonly put: JournalEntry } | { readonly removed: string };

const LOG_FILE = 'log.jsonl';

export class Journal {
  readonly #dir: string;
  readonly #entries = new Map<string, JournalEntry>();
  /** Orders the writes of one key (file replaced, log record queued) in the order they were issued. */
  readonly #order = new KeyedLock();
  #log: GroupCommitLog | undefined;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens (creating) `<stateDir>/journal` and loads every entry; unreadable files are reported, not fatal. */
  static async open(stateDir: string, onBadFile: (file: string, reason: string) => void): Promise<Journal> {
    const journal = new Journal(join(stateDir, 'journal'));
    await mkdir(journal.#dir, { recursive: true, mode: 0o700 });
    await removeStrayTempFiles(journal.#dir);
    const logFile = join(journal.#dir, LOG_FILE);
    const replayed = new Map<string, JournalEntry | undefined>();
    for (const record of (await GroupCommitLog.read(logFile)) as LogRecord[]) {
      if ('put' in record && record.put.version === JOURNAL_VERSION) replayed.set(record.put.key, record.put);
      else if ('removed' in record && typeof record.removed === 'string')
        replayed.set(record.removed, undefined);
    }
    for (const file of await readdir(journal.#dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const entry = JSON.parse(await readFile(join(journal.#dir, file), 'utf8')) as JournalEntry;
        if (entry.version !== JOURNAL_VERSION || typeof entry.key !== 'string')
          throw new Error('unknown format');
        journal.#entries.set(entry.key, entry);
      } catch (err) {
        // A file the log has a record of is rewritten from it below; only the others are lost.
        if (![...replayed.keys()].some((key) => journal.fileOf(key).endsWith(file))) {
          onBadFile(file, errorMessage(err));
        }
      }
    }
    for (const [key, entry] of replayed) {
      if (entry) journal.#entries.set(key, entry);
      else journal.#entries.delete(key);
    }
    journal.#log = await GroupCommitLog.open(logFile, { compact: () => journal.#compact(false) });
    if (replayed.size > 0) {
      for (const [key, entry] of replayed) if (!entry) await rm(journal.fileOf(key), { force: true });
      await journal.#compact(true);
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

  /** Resolves once the entry is durable (its log record on disk, in a flush shared with concurrent writes). */
  async put(entry: JournalEntry): Promise<void> {
    await this.#write(entry.key, { put: entry }, () => this.#writeFile(entry, false));
  }

  async remove(key: string): Promise<void> {
    await this.#write(key, { removed: key }, () => rm(this.fileOf(key), { force: true }));
  }

  /**
   * Replaces (or removes) the key's file and queues its log record, after every earlier write of the key has
   * done the same; then waits for the flush and updates the entry in memory. Flushes complete in queue order,
   * so the memory of a key ends as its last write left it.
   */
  async #write(key: string, record: LogRecord, replaceFile: () => Promise<void>): Promise<void> {
    const { durable } = await this.#order.run(key, async () => {
      await replaceFile();
      return { durable: this.#logOf().append(record) };
    });
    await durable;
    if ('put' in record) this.#entries.set(key, record.put);
    else this.#entries.delete(key);
  }

  /** Waits for the log's last flush and closes it. */
  async close(): Promise<void> {
    await this.#log?.close();
    this.#log = undefined;
  }

  fileOf(key: string): string {
    return join(this.#dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  #logOf(): GroupCommitLog {
    if (!this.#log) throw new Error('the journal is closed');
    return this.#log;
  }

  async #writeFile(entry: JournalEntry, durable: boolean): Promise<void> {
    await writeFileAtomically(this.fileOf(entry.key), `${JSON.stringify(entry, null, 2)}\n`, { durable });
  }

  /**
   * Makes every entry file durable on its own and the folder too (for the renames and removals), after which
   * the log holds nothing the files do not, and empties it. While serving (`rewrite` false) the files are
   * fsynced as they are: each is written before its log record, so a file is as new as its entry or newer (a
   * write of the batch under way, whose record follows at once). At open (`rewrite` true) the files are
   * rewritten from the replayed entries, since one may be older than its log record, or torn.
   */
  async #compact(rewrite: boolean): Promise<void> {
    for (const entry of this.#entries.values()) {
      if (rewrite) {
        await this.#writeFile(entry, true);
        continue;
      }
      const handle = await open(this.fileOf(entry.key), 'r').catch(() => undefined);
      try {
        await handle?.sync();
      } finally {
        await handle?.close();
      }
    }
    const folder = await open(this.#dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
    await this.#log?.truncate();
  }
}
