/**
 * Recovery verified for stress (docs/design.md §4, layer 7): before the agent's first ExecStressors on a target
 * (no journal entry holds stressors for it yet) it records the processes in the target's cgroups (pid and
 * command name, from each hierarchy's `cgroup.procs`); after the call that leaves the target with no stressor
 * of the agent's, it looks again. A process that is there now and was not (a stress-ng the cancel missed, a
 * process someone put there), or that was there and is gone (the target killed by the OOM killer under memory
 * stress), is drift: logged and returned as a warning naming each (`+"pid 123 stress-ng"`, `-"pid 42 python3"`).
 * A difference must outlast 3 s (stress-ng's workers exit a moment after their parent). A target that shares
 * the agent's own cgroups gets no baseline. Kept beside the journal (`<state dir>/baselines/`, one per target); dropped after the comparison.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { cgroupDirsOf } from './cgroups.js';
import type { Journal } from './journal.js';
import { describeDiff } from './network-baselines.js';
import { RecordFolder } from './record-folder.js';

/** How long a difference may take to pass before it counts as drift. */
const SETTLE_MS = 3_000;

interface CgroupBaseline {
  readonly version: 1;
  /** `cgroup:<container id>` */
  readonly key: string;
  readonly takenAt: string;
  readonly dirs: readonly string[];
  readonly processes: readonly string[];
}

export class CgroupBaselines {
  private constructor(
    private readonly journal: Journal,
    private readonly folder: RecordFolder<CgroupBaseline>,
    private readonly logger: Logger,
  ) {}

  static async open(stateDir: string, journal: Journal, logger: Logger): Promise<CgroupBaselines> {
    const folder = await RecordFolder.open(
      join(stateDir, 'baselines', 'cgroups'),
      isBaseline,
      (file, reason) => logger.error({ file, reason }, 'unreadable baseline skipped'),
    );
    const baselines = new CgroupBaselines(journal, folder, logger);
    for (const baseline of folder.values()) {
      if (!baselines.#holdsStressors(baseline.key.slice('cgroup:'.length))) await folder.remove(baseline.key);
    }
    return baselines;
  }

  /** Before an ExecStressors on `containerId` (process `pid`): records the baseline if no stressor is held there. */
  async beforeStress(containerId: string, pid: number): Promise<void> {
    const key = `cgroup:${containerId}`;
    if (this.folder.get(key) || this.#holdsStressors(containerId)) return;
    const dirs = [
      ...new Set(
        cgroupDirsOf(pid)
          .filter((d) => d.essential)
          .map((d) => d.dir),
      ),
    ];
    // A target in the agent's own cgroups (a host process with no cgroup of its own) shares them with
    // everything the session starts and stops: a difference there says nothing about the stress, and waiting
    // for it to settle made every cancel take 3 s (the abort benchmark: 500 targets in 70 s instead of 2).
    const own = new Set(cgroupDirsOf(process.pid).map((d) => d.dir));
    if (dirs.some((d) => own.has(d))) return;
    await this.folder.put({
      version: 1,
      key,
      takenAt: new Date().toISOString(),
      dirs,
      processes: await processesIn(dirs),
    });
  }

  /** After a stress call on `containerId`: once no stressor is held there, the drift as a warning (or undefined). */
  async afterCall(containerId: string): Promise<string | undefined> {
    const key = `cgroup:${containerId}`;
    const baseline = this.folder.get(key);
    if (!baseline || this.#holdsStressors(containerId)) return undefined;
    await this.folder.remove(key);
    // stress-ng's workers may take a moment to exit after their parent: drift must outlast SETTLE_MS.
    const deadline = Date.now() + SETTLE_MS;
    let diff = describeDiff('processes', baseline.processes, await processesIn(baseline.dirs));
    while (diff && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      diff = describeDiff('processes', baseline.processes, await processesIn(baseline.dirs));
    }
    if (!diff) return undefined;
    this.logger.warn(
      { containerId, baselineAt: baseline.takenAt, drift: diff },
      'drift after the last recover',
    );
    return (
      `drift in the target's cgroups after the last recover (compared with ${baseline.takenAt}, before the ` +
      `first inject): ${diff}`
    );
  }

  #holdsStressors(containerId: string): boolean {
    return this.journal
      .entries()
      .some((e) => e.target.containerId === containerId && (e.stressors ?? []).length > 0);
  }
}

/** `pid <n> <comm>` of every process in the folders, sorted; a folder that is gone has none. */
async function processesIn(dirs: readonly string[]): Promise<string[]> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  const described: string[] = [];
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined);
    if (comm !== undefined) described.push(`pid ${pid} ${comm.trim()}`);
  }
  return described.sort();
}

function isBaseline(value: unknown): value is CgroupBaseline {
  const v = value as Partial<CgroupBaseline> | null;
  return v !== null && v.version === 1 && typeof v.key === 'string' && Array.isArray(v.processes);
}
