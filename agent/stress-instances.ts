/**
 * Starts and stops stress-ng instances for ExecStressors / CancelStressors. An instance is identified like in
 * Chaos Mesh by its pid and its start time in ms; a cancel only ever signals a process whose pid *and* start
 * time match (so a recycled pid is never hit) and which is a stress-ng the agent started or at least a
 * stress-ng executable.
 *
 * Placement in the target's cgroups: Chaos Mesh starts stress-ng paused, moves it, then resumes it, so that no
 * worker is ever forked (and no memory charged) outside the target's cgroups. Node cannot run code between fork
 * and exec, so the agent starts a tiny launcher (`/bin/sh -c` with the constant script below: every value is a
 * positional parameter, never part of the script) that moves *itself* into the target's cgroups, sets its
 * oom_score_adj, and only then starts stress-ng in a session of its own (`setsid`, which execs in place: the
 * pid it prints is stress-ng's), which inherits both from its first instruction; the launcher prints the pid and
 * exits. stress-ng is then an orphan adopted by init, exactly as after an agent restart. (The launcher was a
 * `node -e` script: ~100 ms of CPU per start against ~3 ms, which bound 500 targets to ~40 s on 2 cores.)
 *
 * `stress-ng --dry-run` checks the options once per distinct option list (they are the same for every target of
 * a fault, and its targets ask at once): the check is shared and its answer remembered while the agent runs.
 *
 * Each instance runs in a scratch folder of its own, `<state dir>/stress/<instance uid>` (0700, the agent's),
 * as its working directory and its `--temp-path`, so whatever a stressor writes stays there; the folder is
 * removed when the instance is stopped or reverted, and folders of instances the journal no longer holds are
 * removed at start (`sweepScratch`).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { AgentError } from './agent-error.js';
import { cgroupDirsOf } from './cgroups.js';
import type { CommandRunner } from './command-runner.js';
import type { HostTarget } from './host-target.js';
import { isAlive, isSameProcess, processStartTimeMs, waitForChild, waitForExit } from './process-info.js';

export type StressRole = 'cpu' | 'memory';

export interface StressInstance {
  readonly role: StressRole;
  readonly pid: number;
  readonly startTimeMs: number;
  readonly uid: string;
  readonly argv: readonly string[];
}

const STOP_GRACE_MS = 3_000;
/**
 * A started stress-ng counts as started once it has forked a stressor worker (usually within ~10 ms), or when
 * it is still up after this long without one; one that exits first failed (a bad option makes it exit at once).
 */
const STARTUP_CHECK_MS = 50;
/** Bounds the memory of the dry-run answers kept (a new list past it starts the map afresh). */
const MAX_CHECKED_OPTION_LISTS = 1_000;

/**
 * Run as `/bin/sh -c LAUNCHER chaosflow-stress-launcher <oom_score_adj> <working dir> <N> <cgroup dir>
 * <essential 1|0> ... (N pairs) <stress-ng> <args...>`. Exit 3: an essential cgroup could not be joined; other
 * cgroup failures are printed on stderr as warnings.
 */
const LAUNCHER = `
oom=$1 cwd=$2 n=$3
shift 3
while [ "$n" -gt 0 ]; do
  if ! echo $$ 2>/dev/null >"$1/cgroup.procs"; then
    echo "cannot join $1" >&2
    [ "$2" = 1 ] && exit 3
  fi
  shift 2
  n=$((n - 1))
done
if [ "$oom" != 0 ]; then echo "$oom" >/proc/self/oom_score_adj || exit 1; fi
cd "$cwd" || exit 1
setsid "$@" </dev/null >/dev/null 2>&1 &
echo "pid $!"
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class StressInstances {
  constructor(
    private readonly runner: CommandRunner,
    private readonly logger: Logger,
    private readonly stressNgPath: string,
    /** Holds one scratch folder per instance: `<state dir>/stress`. */
    readonly scratchRoot: string,
  ) {}

  /**
   * `stress-ng --dry-run` of each option list (by its JSON), accepted or running, so that it runs once per
   * distinct list even when many targets of one fault ask at once; a refused list is forgotten.
   */
  readonly #checks = new Map<string, Promise<void>>();

  /** The scratch folder of the instance `uid`. */
  scratchDir(uid: string): string {
    if (!UUID.test(uid)) throw new Error(`not an instance uid: ${JSON.stringify(uid.slice(0, 40))}`);
    return join(this.scratchRoot, uid);
  }

  /** Removes the scratch folder of the instance `uid` (nothing when there is none). */
  async removeScratch(uid: string): Promise<void> {
    if (UUID.test(uid)) await rm(this.scratchDir(uid), { recursive: true, force: true });
  }

  /** Removes every scratch folder but those of `keep` (instance uids); returns how many it removed. */
  async sweepScratch(keep: ReadonlySet<string>): Promise<number> {
    const names = await readdir(this.scratchRoot).catch(() => [] as string[]);
    const stale = names.filter((name) => !keep.has(name));
    for (const name of stale) await rm(join(this.scratchRoot, name), { recursive: true, force: true });
    return stale.length;
  }

  /**
   * Stops every stress-ng this agent's state dir started that is not one of `keep` (journaled instance uids):
   * an agent killed between starting stress-ng and journaling it left it running with no owner. Found by the
   * scratch folder in its command line (`--temp-path <state dir>/stress/<uid>`); returns their pids.
   */
  async stopOrphans(keep: ReadonlySet<string>): Promise<number[]> {
    const prefix = `${this.scratchRoot}/`;
    const stopped: number[] = [];
    for (const name of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
      const at = argv.indexOf('--temp-path');
      const path = at >= 0 ? argv[at + 1] : undefined;
      if (!path?.startsWith(prefix)) continue;
      const uid = path.slice(prefix.length);
      if (!UUID.test(uid) || keep.has(uid) || !(await this.isStressNg(pid))) continue;
      killGroup(pid, 'SIGKILL');
      stopped.push(pid);
    }
    return stopped;
  }

  /** INVALID_ARGUMENT when stress-ng rejects `argv` (`full` is it with the instance's own `--temp-path`). */
  private checkOptions(role: StressRole, argv: readonly string[], full: readonly string[]): Promise<void> {
    const id = JSON.stringify(argv);
    let check = this.#checks.get(id);
    if (!check) {
      if (this.#checks.size >= MAX_CHECKED_OPTION_LISTS) this.#checks.clear();
      check = this.dryRun(role, argv, full);
      this.#checks.set(id, check);
      check.catch(() => this.#checks.delete(id));
    }
    return check;
  }

  private async dryRun(role: StressRole, argv: readonly string[], full: readonly string[]): Promise<void> {
    const check = await this.runner.run([this.stressNgPath, '--dry-run', ...full], { allowFailure: true });
    if (check.exitCode !== 0) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `stress-ng refused the ${role} stressors ${JSON.stringify(argv.join(' '))}: ${lastLine(check.stderr)}`,
        { role },
      );
    }
  }

  /** Starts stress-ng with `argv` in the target's cgroups; INVALID_ARGUMENT when stress-ng rejects the options. */
  async start(
    target: HostTarget,
    role: StressRole,
    argv: readonly string[],
    oomScoreAdj: number,
  ): Promise<StressInstance> {
    const uid = randomUUID();
    const scratch = this.scratchDir(uid);
    await mkdir(scratch, { recursive: true, mode: 0o700 });
    try {
      return await this.launch(target, role, argv, oomScoreAdj, uid, scratch);
    } catch (err) {
      await rm(scratch, { recursive: true, force: true });
      throw err;
    }
  }

  private async launch(
    target: HostTarget,
    role: StressRole,
    argv: readonly string[],
    oomScoreAdj: number,
    uid: string,
    scratch: string,
  ): Promise<StressInstance> {
    const full = [...argv, '--temp-path', scratch];
    await this.checkOptions(role, argv, full);
    const dirs = cgroupDirsOf(target.pid);
    const launch = await this.runner.run(
      [
        '/bin/sh',
        '-c',
        LAUNCHER,
        'chaosflow-stress-launcher',
        String(oomScoreAdj),
        scratch,
        String(dirs.length),
        ...dirs.flatMap((d) => [d.dir, d.essential ? '1' : '0']),
        this.stressNgPath,
        ...full,
      ],
      { allowFailure: true },
    );
    if (launch.exitCode !== 0) {
      throw new AgentError(
        launch.exitCode === 3 ? 'FAILED_PRECONDITION' : 'INTERNAL',
        `cannot start stress-ng in the cgroups of process ${target.pid}: ${lastLine(launch.stderr)}`,
        { pid: target.pid },
      );
    }
    const pid = Number(/^pid (\d+)$/m.exec(launch.stdout)?.[1]);
    for (const warning of launch.stderr.split('\n').filter(Boolean)) {
      this.logger.warn({ pid, warning }, 'cgroup not joined');
    }
    const started = Number.isInteger(pid) ? await waitForChild(pid, STARTUP_CHECK_MS) : 'exited';
    const startTimeMs = started === 'exited' ? undefined : await processStartTimeMs(pid);
    if (startTimeMs === undefined || !(await isAlive(pid))) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `stress-ng exited at once with the ${role} stressors ${JSON.stringify(argv.join(' '))}; they start no stressor`,
        { role },
      );
    }
    return { role, pid, startTimeMs, uid, argv: [...argv] };
  }

  /**
   * Stops the instance `pid` started at `startTimeMs`: SIGTERM to its process group (stress-ng stops its
   * workers), SIGKILL after a grace period; then removes its scratch folder when its `uid` is given. 'gone'
   * when no such process runs any more.
   */
  async stop(pid: number, startTimeMs: number, known: boolean, uid?: string): Promise<'stopped' | 'gone'> {
    const outcome = await this.signal(pid, startTimeMs, known);
    if (uid !== undefined) await this.removeScratch(uid);
    return outcome;
  }

  private async signal(pid: number, startTimeMs: number, known: boolean): Promise<'stopped' | 'gone'> {
    if (!(await isSameProcess(pid, startTimeMs)) || !(await isAlive(pid))) return 'gone';
    if (!known && !(await this.isStressNg(pid))) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `process ${pid} is not a stress-ng instance started by this agent; refusing to signal it`,
        { pid },
      );
    }
    killGroup(pid, 'SIGTERM');
    await waitForExit(pid, STOP_GRACE_MS);
    killGroup(pid, 'SIGKILL');
    return 'stopped';
  }

  private async isStressNg(pid: number): Promise<boolean> {
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    return basename(exe) === basename(this.stressNgPath) || basename(exe) === 'stress-ng';
  }
}

/** Signals the process group led by `pid` (stress-ng is spawned detached, so it leads its own group). */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
