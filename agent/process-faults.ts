/**
 * ContainerKill and ContainerGetPid for host processes and containers (host-target.ts). ContainerKill sends SIGKILL to the target process only
 * (not its children: a container's init dying takes the container with it, a host process's children may
 * outlive it). A target that is already gone counts as killed, with a warning. The journal keeps the pid and
 * start time of the kill, so a repeated request with the same fault key never kills a later process that
 * reuses the pid. Like every RPC, it refuses pid 1 and the agent itself (`refuseProtectedPid`).
 */
import type { ContainerRequest } from '../proto/generated/pb/ContainerRequest.js';
import type { ContainerResponse } from '../proto/generated/pb/ContainerResponse.js';
import { AgentError } from './agent-error.js';
import { nextEntry, type CallScope, type FaultContext } from './fault-context.js';
import { pidOfContainerId, refuseProtectedPid, resolveHostTarget } from './host-target.js';
import { isAlive, isSameProcess } from './process-info.js';

export class ProcessFaults {
  constructor(private readonly ctx: FaultContext) {}

  async kill(scope: CallScope, request: ContainerRequest): Promise<void> {
    const action = request.action?.action ?? 'KILL';
    if (action !== 'KILL') {
      throw new AgentError('INVALID_ARGUMENT', `ContainerKill needs action KILL, got ${action}`);
    }
    let pid: number;
    try {
      pid = await pidOfContainerId(request.container_id);
    } catch (err) {
      if (err instanceof AgentError && err.code === 'NOT_FOUND') {
        scope.logger.warn(
          { containerId: request.container_id },
          'container already gone; counting the kill as done',
        );
        return;
      }
      throw err;
    }
    refuseProtectedPid(pid);
    const journal = this.ctx.journal;
    const previous = journal.get(scope.key)?.kill;
    if (previous && previous.pid === pid && !(await isSameProcess(pid, previous.startTimeMs))) {
      scope.logger.warn({ pid, key: scope.key }, 'already killed under this fault key; not killing again');
      return;
    }
    let target;
    try {
      target = await resolveHostTarget(request.container_id);
    } catch (err) {
      if (err instanceof AgentError && err.code === 'NOT_FOUND') {
        scope.logger.warn({ pid }, 'target already gone; counting the kill as done');
        return;
      }
      throw err;
    }
    const kill = { pid, startTimeMs: target.startTimeMs, at: new Date().toISOString() };
    await journal.put(nextEntry(journal.get(scope.key), scope, target, { kill }, 'applying'));
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      scope.logger.warn({ pid }, 'target exited before the signal; counting the kill as done');
    }
    await journal.put(nextEntry(journal.get(scope.key), scope, target, { kill }, 'applied'));
    scope.logger.info({ pid }, 'target killed');
  }

  async getPid(_scope: CallScope, request: ContainerRequest): Promise<ContainerResponse> {
    const pid = await pidOfContainerId(request.container_id);
    refuseProtectedPid(pid);
    if (!(await isAlive(pid))) {
      throw new AgentError('NOT_FOUND', `target process ${pid} does not exist`, { pid });
    }
    return { pid };
  }
}
