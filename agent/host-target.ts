/**
 * The target of a request: a host process named by the container id `pid://<pid>`, or a container named by its
 * runtime id (`containerd://`, `docker://`, `cri-o://` and 64 hex, found through its cgroup: container-process.ts),
 * which is then its main process, exactly as a host process would be. Resolving it records the
 * process's start time (so a pid reused later is never mistaken for it) and its network namespace, which the
 * network RPCs enter with `nsenter --net=/proc/<pid>/ns/net` (the same namespace `nsenter --target <pid> --net`
 * enters, but a path also works for a named namespace once the process is gone).
 */
import { AgentError } from './agent-error.js';
import { readProcFile } from './proc-files.js';
import { containerMainPid, runtimeContainerId } from './container-process.js';
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

/**
 * The pid a container id names: the `<pid>` of `pid://<pid>`, or the main process of a runtime container
 * (NOT_FOUND when none of its processes runs, e.g. it was restarted under a new id); INVALID_ARGUMENT for
 * anything else.
 */
export async function pidOfContainerId(containerId: string, field = 'container_id'): Promise<number> {
  const runtimeId = runtimeContainerId(containerId);
  if (runtimeId === undefined) return parseContainerId(containerId, field);
  const pid = await containerMainPid(runtimeId);
  if (pid === undefined) {
    throw new AgentError('NOT_FOUND', `no process of container ${containerId} runs on this node`, { field });
  }
  return pid;
}

/** The pid in `pid://<pid>`; INVALID_ARGUMENT for anything else. */
function parseContainerId(containerId: string, field: string): number {
  const match = CONTAINER_ID.exec(containerId);
  const pid = Number(match?.[1]);
  if (!match || pid > 4_194_304) {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `${field} must be pid://<pid> (a host process) or containerd://, docker:// or cri-o:// followed by the ` +
        `container's 64-hex id, got ${JSON.stringify(containerId.slice(0, 80))}`,
      { field },
    );
  }
  return pid;
}

/** The thread group (process) a pid belongs to: itself for a process, its process for a thread id. */
function threadGroupOf(pid: number): number | undefined {
  const status = readProcFile(`/proc/${pid}/status`) ?? '';
  const match = /^Tgid:\s+(\d+)$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/**
 * FAILED_PRECONDITION when `pid` is init (pid 1) or the agent itself, or a thread of either: the same refusal,
 * in the same words, for every RPC that names a target.
 */
export function refuseProtectedPid(pid: number, field = 'container_id'): void {
  const group = pid === 1 || pid === process.pid ? pid : threadGroupOf(pid);
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
  const pid = await pidOfContainerId(containerId, field);
  refuseProtectedPid(pid, field);
  const startTimeMs = await processStartTimeMs(pid);
  const netns = await netnsOf(pid);
  if (startTimeMs === undefined || netns === undefined) {
    throw new AgentError('NOT_FOUND', `target process ${pid} (${containerId}) does not exist`, { pid });
  }
  return { containerId, pid, startTimeMs, netns, netnsPath: `/proc/${pid}/ns/net` };
}

/**
 * The live target of a call, or undefined when it is gone and the call only clears state: a gone target counts
 * as cleared (the caller then cleans what the journal says through the namespace, if it is still there).
 * A gone target of a call that injects is NOT_FOUND.
 */
export async function resolveUnlessGone(
  containerId: string,
  clears: boolean,
): Promise<HostTarget | undefined> {
  try {
    return await resolveHostTarget(containerId);
  } catch (err) {
    if (err instanceof AgentError && err.code === 'NOT_FOUND' && clears) return undefined;
    throw err;
  }
}

/** argv that runs `argv` inside the network namespace at `netnsPath`. */
export function inNetns(netnsPath: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath}`, '--', ...argv];
}
