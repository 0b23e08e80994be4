/**
 * The host process of a container named by its runtime id (`containerd://<id>`, `docker://<id>`,
 * `cri-o://<id>`, as a pod's `status.containerStatuses[].containerID` gives it), found through the container's
 * cgroup: every process of a container sits in a cgroup whose path contains the container's 64-hex id, whichever
 * runtime started it and whichever cgroup driver it uses (`kubepods/besteffort/pod<uid>/<id>` with cgroupfs,
 * `cri-containerd-<id>.scope`, `docker-<id>.scope`, `crio-<id>.scope` with systemd; v1 or v2).
 *
 * Why the cgroup rather than the runtime (containerd's or CRI's API, `crictl`, `ctr`):
 * - one method for the three runtimes, with no socket path, API version or client binary to configure or keep
 *   in step with the node (Chaos Mesh's daemon needs `--runtime` and `--runtime-socket-path` for each);
 * - it answers while the runtime is restarting (containers keep running without containerd);
 * - it reads only /proc, which the agent reads anyway (start times, namespaces), so a container restarted
 *   meanwhile is simply NOT_FOUND under its old id, as a gone process is: recovery then cleans the network
 *   namespace it recorded (the pod's, which outlives the container), never failing with "task not found"
 *   (Chaos Mesh #4827).
 *
 * The container's main process is the one in that cgroup whose parent is not (the runtime shim's child); when
 * several qualify (none should), the oldest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { processStartTimeMs } from './process-info.js';

export const RUNTIME_CONTAINER_ID = /^(containerd|docker|cri-o):\/\/([0-9a-f]{64})$/;

/** The id part of a runtime container id, or undefined when `containerId` is not one. */
export function runtimeContainerId(containerId: string): string | undefined {
  return RUNTIME_CONTAINER_ID.exec(containerId)?.[2];
}

/** The host pid of the container's main process, or undefined when no process of it runs. */
export async function containerMainPid(id: string): Promise<number | undefined> {
  const members = new Set<number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cgroups = await readFile(`/proc/${entry}/cgroup`, 'utf8').catch(() => '');
    if (cgroupsName(cgroups, id)) members.add(Number(entry));
  }
  let best: { pid: number; start: number } | undefined;
  for (const pid of members) {
    const parent = await parentPid(pid);
    if (parent !== undefined && members.has(parent)) continue;
    const start = await processStartTimeMs(pid);
    if (start === undefined) continue;
    if (!best || start < best.start || (start === best.start && pid < best.pid)) best = { pid, start };
  }
  return best?.pid;
}

/** Whether a /proc/<pid>/cgroup text puts the process in a cgroup of container `id` (a path segment naming it). */
export function cgroupsName(text: string, id: string): boolean {
  return text.split('\n').some((line) => {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    return path.split('/').some((segment) => segment === id || segmentNames(segment, id));
  });
}

/**
 * `<prefix>-<id>.scope` (systemd driver) or `<prefix>-<id>` forms. CRI-O's `crio-conmon-<id>.scope` holds its
 * monitor process, not the container.
 */
function segmentNames(segment: string, id: string): boolean {
  const bare = segment.endsWith('.scope') ? segment.slice(0, -'.scope'.length) : segment;
  if (bare.startsWith('crio-conmon-')) return false;
  return bare.endsWith(`-${id}`) || bare.endsWith(`:${id}`);
}

async function parentPid(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}
