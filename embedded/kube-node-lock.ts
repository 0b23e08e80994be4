/**
 * One one-node Kubernetes per machine (embedded/kube-node.ts): its kubelet's cgroups, host folders and
 * sysctls are global. The lock file in /run records the owner's pid, its folders and the host as it was before
 * the node started, so that a run killed before its teardown (SIGKILL, a CI timeout) is cleaned up by the next
 * one, which also takes over the recorded host state: the crashed run's kubelet had already changed the host,
 * so only the recorded state says what to restore.
 */
import { existsSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { recordHostState, type HostState } from './kube-node-host-state.js';

const LOCK = '/run/chaosflow-kube-node.lock';

export interface LockRecord {
  readonly pid: number;
  /** Folders of the run (its data folder, the apiserver's) whose processes and mounts are its own. */
  readonly dirs: readonly string[];
  readonly host: HostState;
}

export interface NodeLock {
  /** The host as it was before any node ran (taken over from a crashed run when there was one). */
  readonly host: HostState;
  /** Records one more folder of this run. */
  addDir(dir: string): Promise<void>;
  release(): Promise<void>;
}

/** Waits for the lock; a lock whose owner is dead is cleaned up with `cleanStale` first, then taken over. */
export async function acquireNodeLock(
  deadline: number,
  cleanStale: (stale: LockRecord) => Promise<void>,
): Promise<NodeLock> {
  let inherited: HostState | undefined;
  for (;;) {
    const host = inherited ?? (await recordHostState());
    let record: LockRecord = { pid: process.pid, dirs: [], host };
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(serialise(record));
      await handle.close();
      return {
        host,
        addDir: async (dir) => {
          record = { ...record, dirs: [...record.dirs, dir] };
          await writeFile(LOCK, serialise(record));
        },
        release: () => rm(LOCK, { force: true }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const stale = parse(await readFile(LOCK, 'utf8').catch(() => ''));
    if (stale && existsSync(`/proc/${stale.pid}`)) {
      if (Date.now() > deadline)
        throw new Error(`another one-node Kubernetes (pid ${stale.pid}) holds ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    if (stale) {
      await cleanStale(stale);
      inherited = stale.host;
    }
    await rm(LOCK, { force: true });
  }
}

function serialise(record: LockRecord): string {
  const { host } = record;
  return `${JSON.stringify({
    pid: record.pid,
    dirs: record.dirs,
    host: {
      sysctls: host.sysctls,
      existingDirs: [...host.existingDirs],
      existingCgroups: [...host.existingCgroups],
      netns: [...host.netns],
    },
  })}\n`;
}

function parse(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as {
      pid: number;
      dirs: string[];
      host: {
        sysctls: Record<string, string>;
        existingDirs: string[];
        existingCgroups: string[];
        netns: string[];
      };
    };
    if (!Number.isInteger(value.pid) || !Array.isArray(value.dirs)) return undefined;
    return {
      pid: value.pid,
      dirs: value.dirs,
      host: {
        sysctls: value.host.sysctls,
        existingDirs: new Set(value.host.existingDirs),
        existingCgroups: new Set(value.host.existingCgroups),
        netns: new Set(value.host.netns),
      },
    };
  } catch {
    return undefined;
  }
}
