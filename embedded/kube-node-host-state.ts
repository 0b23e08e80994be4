/**
 * What a one-node Kubernetes (embedded/kube-node.ts) changes on the host outside its own data folder, how
 * that is recorded before it starts, undone after it stops, and checked afterwards. The facts come from the shared
 * reference "k8s-real-node" ("Host-wide side effects to undo"):
 *
 * - sysctls the kubelet writes whatever its configuration says (`vm.overcommit_memory`, `kernel.panic`,
 *   `kernel.panic_on_oops`): recorded and written back;
 * - host folders the kubelet, containerd and the CNI plugins create at fixed paths: removed when they did not
 *   exist before;
 * - the `kubepods` cgroup trees the kubelet creates in every v1 controller (or the v2 root): removed bottom-up when
 *   they did not exist before;
 * - network namespaces `cni-*` the CRI plugin creates for pod sandboxes: the ones that appeared are deleted.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const KUBELET_SYSCTLS = ['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops'] as const;

/** Fixed host paths the node's parts create (deepest first, so that removal can go in order). */
export const NODE_HOST_DIRS = [
  '/var/lib/kubelet/device-plugins',
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/cni',
  '/run/containerd/s',
  '/run/containerd/fifo',
  '/run/containerd',
  '/opt/containerd',
  '/run/netns',
] as const;

const CGROUP_ROOT = '/sys/fs/cgroup';
const KUBEPODS = 'kubepods';

export interface HostState {
  readonly sysctls: Readonly<Record<string, string>>;
  readonly existingDirs: ReadonlySet<string>;
  /** `<controller>/kubepods` folders that existed before (none, on a clean host). */
  readonly existingCgroups: ReadonlySet<string>;
  readonly netns: ReadonlySet<string>;
}

export async function recordHostState(): Promise<HostState> {
  const sysctls: Record<string, string> = {};
  for (const key of KUBELET_SYSCTLS) sysctls[key] = await readSysctl(key);
  return {
    sysctls,
    existingDirs: new Set(NODE_HOST_DIRS.filter((dir) => existsSync(dir))),
    existingCgroups: new Set(await kubepodsCgroups()),
    netns: new Set(await sandboxNetns()),
  };
}

/** Undoes everything listed above; every step runs even when one fails, and the failures are thrown together. */
export async function restoreHostState(before: HostState): Promise<void> {
  const failures: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  for (const name of await sandboxNetns()) {
    if (!before.netns.has(name)) await attempt(`netns ${name}`, () => run('ip', ['netns', 'delete', name]));
  }
  const created = (await kubepodsCgroups()).filter((c) => !before.existingCgroups.has(c));
  // Processes still in them are the node's containers (runc leaves them running when their shim is killed).
  await attempt('kill the processes left in the kubepods cgroups', () => killCgroupMembers(created));
  for (const cgroup of created) {
    await attempt(`cgroup ${cgroup}`, () => removeCgroupTree(join(CGROUP_ROOT, cgroup)));
  }
  for (const dir of NODE_HOST_DIRS) {
    if (before.existingDirs.has(dir) || !existsSync(dir)) continue;
    // /run/netns is shared with every `ip netns` user: only an empty one is removed.
    if (dir === '/run/netns') await rmdir(dir).catch(() => undefined);
    else await attempt(`folder ${dir}`, () => rm(dir, { recursive: true, force: true }));
  }
  for (const [key, value] of Object.entries(before.sysctls)) {
    if ((await readSysctl(key)) !== value) {
      await attempt(`sysctl ${key}`, () => writeFile(join('/proc/sys', key), `${value}\n`));
    }
  }
  if (failures.length > 0) throw new Error(`could not restore the host: ${failures.join('; ')}`);
}

/** What differs from `before`, one sentence each (empty when the host is as it was). */
export async function hostStateChanges(before: HostState): Promise<string[]> {
  const changes: string[] = [];
  for (const [key, value] of Object.entries(before.sysctls)) {
    const now = await readSysctl(key);
    if (now !== value) changes.push(`sysctl ${key.replace(/\//g, '.')} is ${now}, was ${value}`);
  }
  for (const dir of NODE_HOST_DIRS) {
    if (!before.existingDirs.has(dir) && existsSync(dir)) changes.push(`folder ${dir} was left behind`);
  }
  for (const cgroup of await kubepodsCgroups()) {
    if (!before.existingCgroups.has(cgroup))
      changes.push(`cgroup ${join(CGROUP_ROOT, cgroup)} was left behind`);
  }
  for (const name of await sandboxNetns()) {
    if (!before.netns.has(name)) changes.push(`network namespace ${name} was left behind`);
  }
  return changes;
}

async function readSysctl(key: string): Promise<string> {
  return (await readFile(join('/proc/sys', key), 'utf8')).trim();
}

/** `<controller>/kubepods` (cgroup v1) or `kubepods` (v2) paths relative to /sys/fs/cgroup that exist now. */
async function kubepodsCgroups(): Promise<string[]> {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) {
    return existsSync(join(CGROUP_ROOT, KUBEPODS)) ? [KUBEPODS] : [];
  }
  const controllers = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  return controllers.map((c) => join(c, KUBEPODS)).filter((p) => existsSync(join(CGROUP_ROOT, p)));
}

async function sandboxNetns(): Promise<string[]> {
  return (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith('cni-'));
}

async function killCgroupMembers(cgroups: readonly string[]): Promise<void> {
  const members = async (): Promise<number[]> => {
    const pids = new Set<number>();
    for (const cgroup of cgroups) for (const pid of await membersOf(join(CGROUP_ROOT, cgroup))) pids.add(pid);
    return [...pids];
  };
  for (const pid of await members()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const until = Date.now() + 5000;
  while ((await members()).length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function membersOf(dir: string): Promise<number[]> {
  const own = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) own.push(...(await membersOf(join(dir, entry.name))));
  }
  return own;
}

/** rmdir bottom-up; a cgroup whose last process is still exiting is busy for a moment, so each is retried. */
async function removeCgroupTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
