/**
 * Mount namespaces of host processes, named like network namespaces (`process-info.ts`) by the inode and device
 * of `/proc/<pid>/ns/mnt`, and entered with `nsenter --mount=<path>`. A mount namespace has no name of its own,
 * so once its process is gone it is found through any other process still in it.
 */
import { readdir, stat } from 'node:fs/promises';

export interface MntnsId {
  readonly inode: number;
  readonly dev: number;
}

export async function mntnsOf(pid: number): Promise<MntnsId | undefined> {
  try {
    const info = await stat(`/proc/${pid}/ns/mnt`);
    return { inode: info.ino, dev: info.dev };
  } catch {
    return undefined;
  }
}

export function sameMntns(a: MntnsId, b: MntnsId): boolean {
  return a.inode === b.inode && a.dev === b.dev;
}

/**
 * A path through which the mount namespace `id` can be entered: `/proc/<pid>/ns/mnt` of the first of
 * `preferred` that is in it, else of any running process in it; undefined when no process is left in it (the
 * namespace, and every mount in it, is then gone).
 */
export async function findMntnsPath(
  id: MntnsId,
  preferred: readonly number[] = [],
): Promise<string | undefined> {
  const matches = async (pid: string | number): Promise<boolean> => {
    const found = await mntnsOf(Number(pid));
    return found !== undefined && sameMntns(found, id);
  };
  for (const pid of preferred) if (await matches(pid)) return `/proc/${pid}/ns/mnt`;
  for (const entry of await readdir('/proc')) {
    if (/^\d+$/.test(entry) && (await matches(entry))) return `/proc/${entry}/ns/mnt`;
  }
  return undefined;
}
