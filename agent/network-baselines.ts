/**
 * Recovery verified, not assumed (docs/design.md §4, layer 7), for network state: before the agent's first
 * inject into a network namespace (no journal entry holds state there yet) it records what it is about to touch
 * there — `iptables-save` (every table, counters and comments left out), `ipset save`, `tc qdisc show` — and after
 * the call that leaves the namespace holding nothing of the agent's again (the last recover) it takes the same
 * picture and compares. A difference is drift: something the agent did not revert, or something another hand
 * changed meanwhile. It is logged and returned to the caller as a warning naming each added (`+`) and removed
 * (`-`) line; the baseline is then dropped (the next first inject records a new one).
 *
 * Baselines are kept beside the journal (`<state dir>/baselines/`, one per namespace), so a restart of the agent
 * in the middle of a fault still compares with the picture from before it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CommandRunner } from './command-runner.js';
import type { Journal } from './journal.js';
import { netnsRunner } from './netns-runner.js';
import type { NetnsId } from './process-info.js';
import { RecordFolder } from './record-folder.js';

export interface NetworkPicture {
  readonly iptables: readonly string[];
  readonly ipsets: readonly string[];
  readonly qdiscs: readonly string[];
}

interface Baseline {
  readonly version: 1;
  /** `netns:<dev>:<inode>` */
  readonly key: string;
  readonly takenAt: string;
  /** The journal key of the call that took it. */
  readonly by: string;
  readonly picture: NetworkPicture;
}

/**
 * Lines of `iptables-save` that only say a table is loaded: its header, COMMIT, and built-in chains with the
 * default ACCEPT policy. A table the agent's first rule loaded stays listed after its rules are gone; that is
 * not drift. Rules, user chains and any other policy are compared.
 */
const TABLE_FRAME = /^(\*\w+|COMMIT|:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ACCEPT \[\d+:\d+\])$/;

/** The most differing lines a warning names per part (the rest are counted). */
const SHOWN_LINES = 10;

export class NetworkBaselines {
  private constructor(
    private readonly runner: CommandRunner,
    private readonly journal: Journal,
    private readonly folder: RecordFolder<Baseline>,
    private readonly logger: Logger,
  ) {}

  static async open(
    stateDir: string,
    runner: CommandRunner,
    journal: Journal,
    logger: Logger,
  ): Promise<NetworkBaselines> {
    const folder = await RecordFolder.open(join(stateDir, 'baselines'), isBaseline, (file, reason) =>
      logger.error({ file, reason }, 'unreadable baseline skipped'),
    );
    // A baseline of a namespace the agent holds nothing in any more (recovered by --recover-all or the start-up
    // reconcile, which do not compare) is stale: the next first inject records a new one.
    const baselines = new NetworkBaselines(runner, journal, folder, logger);
    for (const baseline of folder.values()) {
      const [, dev, inode] = baseline.key.split(':');
      if (!baselines.#holdsState({ dev: Number(dev), inode: Number(inode) }))
        await folder.remove(baseline.key);
    }
    return baselines;
  }

  /** Before a call that injects into `netns` (at `path`): records the baseline if the agent holds nothing there. */
  async beforeInject(netns: NetnsId, path: string, by: string): Promise<void> {
    const key = keyOf(netns);
    if (this.folder.get(key) || this.#holdsState(netns)) return;
    await this.folder.put({
      version: 1,
      key,
      takenAt: new Date().toISOString(),
      by,
      picture: await this.picture(path),
    });
  }

  /**
   * After a call on `netns`: once the agent holds nothing there, compares with the baseline and returns the drift
   * as a warning (undefined when there is none, or no baseline).
   */
  async afterCall(netns: NetnsId, path: string | undefined): Promise<string | undefined> {
    const key = keyOf(netns);
    const baseline = this.folder.get(key);
    if (!baseline || this.#holdsState(netns)) return undefined;
    await this.folder.remove(key);
    if (!path) return undefined; // the namespace is gone: nothing can have drifted in it
    const now = await this.picture(path);
    const parts = (['iptables', 'ipsets', 'qdiscs'] as const)
      .map((part) => describeDiff(part, baseline.picture[part], now[part]))
      .filter((d): d is string => d !== undefined);
    if (parts.length === 0) return undefined;
    const warning =
      `drift in the target's network namespace after the last recover (compared with ${baseline.takenAt}, ` +
      `before the first inject): ${parts.join('; ')}`;
    this.logger.warn(
      { netns: path, baselineAt: baseline.takenAt, drift: parts },
      'drift after the last recover',
    );
    return warning;
  }

  async picture(path: string): Promise<NetworkPicture> {
    const ns = netnsRunner(this.runner, path);
    const [iptables, ipsets, qdiscs] = await Promise.all([
      ns.run(['iptables-save']),
      ns.run(['ipset', 'save']),
      ns.run(['tc', 'qdisc', 'show']),
    ]);
    return {
      iptables: iptables.stdout
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#') && !TABLE_FRAME.test(l))
        .map((l) => l.replace(/\[\d+:\d+\]/g, '[]')),
      ipsets: ipsets.stdout.split('\n').filter(Boolean).sort(),
      qdiscs: qdiscs.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/refcnt \d+ /g, '').trim()),
    };
  }

  #holdsState(netns: NetnsId): boolean {
    return this.journal
      .inNetns(netns)
      .some(
        (e) =>
          (e.network?.chains.length ?? 0) +
            (e.network?.tcDevices.length ?? 0) +
            (e.network?.ipsets.length ?? 0) >
          0,
      );
  }
}

/** `iptables: +"-A INPUT -j DROP"`: lines added and removed, as multisets, in their order. */
export function describeDiff(
  part: string,
  before: readonly string[],
  after: readonly string[],
): string | undefined {
  const remaining = new Map<string, number>();
  for (const line of before) remaining.set(line, (remaining.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of after) {
    const count = remaining.get(line) ?? 0;
    if (count > 0) remaining.set(line, count - 1);
    else added.push(line);
  }
  const removed = [...remaining].flatMap(([line, count]) => Array<string>(count).fill(line));
  if (added.length === 0 && removed.length === 0) return undefined;
  const shown = [
    ...added.map((l) => `+${JSON.stringify(l)}`),
    ...removed.map((l) => `-${JSON.stringify(l)}`),
  ];
  const more = shown.length > SHOWN_LINES ? ` and ${shown.length - SHOWN_LINES} more` : '';
  return `${part}: ${shown.slice(0, SHOWN_LINES).join(', ')}${more}`;
}

function keyOf(netns: NetnsId): string {
  return `netns:${netns.dev}:${netns.inode}`;
}

function isBaseline(value: unknown): value is Baseline {
  const v = value as Partial<Baseline> | null;
  return v !== null && v.version === 1 && typeof v.key === 'string' && typeof v.picture === 'object';
}
