/**
 * The target of a request: a host process named by the container id `pid://<pid>`. Resolving it records the
 * process's start time (so a pid reused later is never mistaken for it) and its network namespace, which the
 * network RPCs enter with `nsenter --net=/proc/<pid>/ns/net` (the same namespace `nsenter --target <pid> --net`
 * enters, but a path also works for a named namespace once the process is gone).
 */
import { readFile } from 'node:fs/promises';
import { AgentError } from './agent-error.js';
import { netnsOf, processStartTimeMs, type NetnsId } from './process-info.js';

export interface HostTarget {
  readonly containerId: string;
  readonly pid: number;
  readonly startTimeMs: number;
  readonly netns: NetnsId;
  /** `nsenter --net=` path of the target's network namespace. */
  readonly netnsPath: string;
}

const CONTAINER_ID = /^pid:\/\/([1-9]\d{0,9})$/;

/** The pid in `pid://<pid>`; INVALID_ARGUMENT for anything else (docker://, containerd://, ...). */
export function parseContainerId(containerId: string, field = 'container_id'): number {
  const match = CONTAINER_ID.exec(containerId);
  const pid = Number(match?.[1]);
  if (!match || pid > 4_194_304) {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `${field} must be pid://<pid> for the chaosflow agent (it serves host processes; ` +
        `container runtimes are Chaos Mesh's daemon's job), got ${JSON.stringify(containerId.slice(0, 80))}`,
      { field },
    );
  }
  return pid;
}

/** The thread group (process) a pid belongs to: itself for a process, its process for a thread id. */
async function threadGroupOf(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^Tgid:\s+(\d+)$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/**
 * FAILED_PRECONDITION when `pid` is init (pid 1) or the agent itself, or a thread of either: the same refusal,
 * in the same words, for every RPC that names a target.
 */
export async function refuseProtectedPid(pid: number, field = 'container_id'): Promise<void> {
  const group = pid === 1 || pid === process.pid ? pid : await threadGroupOf(pid);
  if (group === 1 || group === process.pid) {
    throw new AgentError(
      'FAILED_PRECONDITION',
      `${field} pid://${pid} is ${group === 1 ? 'init (pid 1)' : 'the chaosflow agent itself'}` +
        `${group === pid ? '' : ` (a thread of pid ${group})`}: the agent never acts on init or on itself; ` +
        'name the process you mean to break',
      { field, pid },
    );
  }
}

/** Resolves a live target; NOT_FOUND when the process is gone, FAILED_PRECONDITION for init and the agent. */
export async function resolveHostTarget(containerId: string, field = 'container_id'): Promise<HostTarget> {
  const pid = parseContainerId(containerId, field);
  await refuseProtectedPid(pid, field);
  const startTimeMs = await processStartTimeMs(pid);
  const netns = await netnsOf(pid);
  if (startTimeMs === undefined || netns === undefined) {
    throw new AgentError('NOT_FOUND', `target process ${pid} (${containerId}) does not exist`, { pid });
  }
  return { containerId, pid, startTimeMs, netns, netnsPath: `/proc/${pid}/ns/net` };
}

/** argv that runs `argv` inside the network namespace at `netnsPath`. */
export function inNetns(netnsPath: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath}`, '--', ...argv];
}
