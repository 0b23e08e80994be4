/**
 * Where the target's cgroups are, so stress-ng can be placed in them and its CPU and memory count against the
 * target (as Chaos Mesh's daemon does). Works with cgroup v1 (one hierarchy per controller, or combined ones
 * such as cpu,cpuacct), cgroup v2, and hybrid hosts: for each hierarchy listed in /proc/<pid>/cgroup, the
 * mounted folder is found in /proc/self/mountinfo. A process joins one by writing its pid to `cgroup.procs`
 * (see the launcher in `stress-instances.ts`).
 */
import { readProcFile } from './proc-files.js';
import { join } from 'node:path';
import { AgentError } from './agent-error.js';

export interface CgroupDir {
  /** Controllers of the hierarchy (`['cpu', 'cpuacct']`, `['name=systemd']`, `[]` for v2). */
  readonly controllers: readonly string[];
  readonly dir: string;
  /** A failure to join it fails the request: cpu, cpuacct, memory, or the only (v2) hierarchy. */
  readonly essential: boolean;
}

interface CgroupMount {
  readonly root: string;
  readonly mountPoint: string;
  readonly version: 1 | 2;
  readonly options: readonly string[];
}

const ESSENTIAL = new Set(['cpu', 'cpuacct', 'memory']);

/** The last mountinfo read and its cgroup mounts: parsed again only when the table changed. */
let parsed: { readonly text: string; readonly mounts: CgroupMount[] } | undefined;

function cgroupMounts(): CgroupMount[] {
  const text = readProcFile('/proc/self/mountinfo') ?? '';
  if (parsed?.text !== text) parsed = { text, mounts: parseCgroupMounts(text) };
  return parsed.mounts;
}

function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      root: unescapeMount(fields[3] ?? '/'),
      mountPoint: unescapeMount(fields[4] ?? ''),
      version: fsType === 'cgroup2' ? 2 : 1,
      options: (superOptions ?? '').split(','),
    });
  }
  return mounts;
}

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The folders of every cgroup `pid` belongs to, in mounted hierarchies. */
export function cgroupDirsOf(pid: number): CgroupDir[] {
  const text = readProcFile(`/proc/${pid}/cgroup`);
  if (text === undefined) throw new AgentError('NOT_FOUND', `target process ${pid} does not exist`, { pid });
  const mounts = cgroupMounts();
  const hasV1 = text.split('\n').some((l) => /^\d+:[^:]+:/.test(l));
  const dirs: CgroupDir[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const controllers = match[2] ? match[2].split(',') : [];
    const path = match[3] as string;
    const mount =
      controllers.length === 0
        ? mounts.find((m) => m.version === 2)
        : mounts.find((m) => m.version === 1 && controllers.every((c) => m.options.includes(c)));
    if (!mount) continue;
    const relative = path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
    dirs.push({
      controllers,
      dir: join(mount.mountPoint, relative),
      essential: controllers.some((c) => ESSENTIAL.has(c)) || (controllers.length === 0 && !hasV1),
    });
  }
  return dirs;
}
