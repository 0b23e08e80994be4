/**
 * ApplyIOChaos for a host process, declarative like Chaos Mesh's daemon (each call carries the container's whole
 * action list, the JSON of `v1alpha1.IOChaosAction`s, and its volume): the agent runs chaosflow-iofs
 * (`iofs-process.ts`) inside the target's mount namespace, which mounts a loopback FUSE file system over the
 * volume and applies the actions (latency, fault, attrOverride, mistake; `path` glob, `methods`, `percent`) to
 * what passes through it. A later call stops the helper of the previous one (it unmounts on SIGTERM) and starts
 * a new one, as Chaos Mesh's daemon replaces its toda; an empty list only stops it. The journal entry's `io`
 * (namespace, volume, helpers, whether a mount may be in place) is written before each mount, so an agent
 * restart, `--recover-all`, `--recover-on-exit` and lease expiry stop the helper and remove the mount (lazily,
 * when a process still uses it). The answer is Chaos Mesh's: `instance` = the helper's pid, `startTime` its
 * start in ms, `instance_uid`.
 *
 * Difference from Chaos Mesh: files a process opened before the inject keep reaching the volume below the mount
 * (toda swaps those descriptors with ptrace; the agent does not), and so do its working directory and mmaps.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { ApplyIOChaosRequest } from '../proto/generated/pb/ApplyIOChaosRequest.js';
import type { ApplyIOChaosResponseInput } from '../proto/generated/pb/ApplyIOChaosResponse.js';
import { AgentError } from './agent-error.js';
import { nextEntry, saveEntry, type CallScope, type FaultContext } from './fault-context.js';
import { resolveUnlessGone, type HostTarget } from './host-target.js';
import { checkIoActions, startIofs, unmountIofs } from './iofs-process.js';
import type { IoHelperRecord, IoRecord, JournalEntry } from './journal.js';
import { findMntnsPath, mntnsOf, sameMntns } from './mount-namespaces.js';
import { stopNetnsChild } from './netns-child.js';

/** How long a helper may take to unmount after SIGTERM before it is killed (its mount is then removed apart). */
const HELPER_GRACE_MS = 5_000;
const NONE: ApplyIOChaosResponseInput = { instance: 0, startTime: 0, instance_uid: '' };

export class IoFaults {
  constructor(private readonly ctx: FaultContext) {}

  async apply(scope: CallScope, request: ApplyIOChaosRequest): Promise<ApplyIOChaosResponseInput> {
    const support = await this.ctx.ioSupport();
    if (!support.available) throw new AgentError('UNIMPLEMENTED', support.reason, { rpc: 'ApplyIOChaos' });
    const actions = parseActions(request.actions);
    const clears = actions.length === 0;
    const journal = this.ctx.journal;
    const existing = journal.get(scope.key);
    const target = await resolveUnlessGone(request.container_id, clears);
    if (!target) {
      scope.logger.warn({ key: scope.key }, 'target gone; counting the clear as done');
      if (existing?.io) await this.clear(scope, existing, existing.io);
      return NONE;
    }
    if (clears) {
      if (existing?.io) await this.clear(scope, existing, existing.io, target);
      return NONE;
    }
    const volume = checkVolume(request.volume);
    const mntns = await mntnsOf(target.pid);
    if (!mntns)
      throw new AgentError('NOT_FOUND', `target process ${target.pid} does not exist`, { pid: target.pid });
    this.guardHostMounts(target, mntns);
    await guardPidNamespace(target);
    await checkIoActions(this.ctx.iofsPath, request.actions);

    // The previous file system goes first (Chaos Mesh's daemon stops its toda before starting the next one).
    if (existing?.io) await this.clear(scope, existing, existing.io, target);
    const io: IoRecord = { mntns, volume, helpers: [], mounted: true };
    await journal.put(nextEntry(journal.get(scope.key), scope, target, { io }, 'applying'));
    const mntnsPath = `/proc/${target.pid}/ns/mnt`;
    let helper: IoHelperRecord;
    try {
      const child = await startIofs(this.ctx.iofsPath, mntnsPath, volume, request.actions);
      helper = { ...child, uid: randomUUID() };
    } catch (err) {
      // A helper that failed never mounted, or unmounted as it exited; a leftover is removed all the same.
      await unmountIofs(this.ctx.iofsPath, mntnsPath, volume).catch(() => undefined);
      await saveEntry(
        journal,
        nextEntry(journal.get(scope.key), scope, target, {
          io: { ...io, mounted: false },
          lastError: errorMessage(err),
        }),
      );
      throw err;
    }
    await saveEntry(
      journal,
      nextEntry(journal.get(scope.key), scope, target, { io: { ...io, helpers: [helper] } }),
    );
    scope.logger.info(
      { pid: target.pid, helper: helper.pid, volume, actions: actions.length },
      'io fault mounted',
    );
    return { instance: helper.pid, startTime: helper.startTimeMs, instance_uid: helper.uid };
  }

  /** Stops the helpers and removes a mount left behind, then records that nothing is held. */
  private async clear(
    scope: CallScope,
    existing: JournalEntry,
    io: IoRecord,
    target: Pick<HostTarget, 'containerId' | 'pid' | 'startTimeMs'> = existing.target,
  ): Promise<void> {
    await revertIo(this.ctx, io, existing.target.pid);
    await saveEntry(
      this.ctx.journal,
      nextEntry(this.ctx.journal.get(scope.key), scope, target, {
        io: { ...io, helpers: [], mounted: false },
      }),
    );
    scope.logger.info({ key: scope.key, volume: io.volume }, 'io fault removed');
  }

  private guardHostMounts(target: HostTarget, mntns: { inode: number; dev: number }): void {
    const own = this.ctx.agentMntns;
    if (own && sameMntns(own, mntns)) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `target process ${target.pid} shares the agent's (the host's) mount namespace, where a file system ` +
          "mounted over the volume would be every process's; run the target in a mount namespace of its own " +
          '(a container, or `unshare -m`)',
        { pid: target.pid },
      );
    }
  }
}

/**
 * FAILED_PRECONDITION for a target in a pid namespace other than the agent's: the helper is started as
 * `/proc/self/fd/3` inside the target's mount namespace, which resolves only where that namespace's /proc shows
 * the agent's processes (a container with its own pid namespace has its own /proc).
 */
async function guardPidNamespace(target: HostTarget): Promise<void> {
  const [own, theirs] = await Promise.all([
    stat('/proc/self/ns/pid').catch(() => undefined),
    stat(`/proc/${target.pid}/ns/pid`).catch(() => undefined),
  ]);
  if (own && theirs && (own.ino !== theirs.ino || own.dev !== theirs.dev)) {
    throw new AgentError(
      'FAILED_PRECONDITION',
      `target process ${target.pid} is in a pid namespace of its own, where chaosflow-iofs cannot be started ` +
        "yet (its /proc does not show the agent's processes); IOChaos works for processes in the host's pid " +
        'namespace (host processes, hostPID pods)',
      { pid: target.pid },
    );
  }
}

/** The actions JSON as a list (its items are checked by chaosflow-iofs); INVALID_ARGUMENT otherwise. */
function parseActions(text: string): unknown[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AgentError('INVALID_ARGUMENT', `actions: not JSON (${errorMessage(err)})`, {
      field: 'actions',
    });
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) {
    throw new AgentError('INVALID_ARGUMENT', 'actions: must be a JSON array of IOChaos actions', {
      field: 'actions',
    });
  }
  return parsed;
}

/** The volume: a clean absolute path other than `/`; INVALID_ARGUMENT otherwise. */
function checkVolume(volume: string): string {
  const clean =
    volume.startsWith('/') &&
    volume !== '/' &&
    !volume.endsWith('/') &&
    !volume
      .split('/')
      .slice(1)
      .some((part) => part === '' || part === '.' || part === '..') &&
    ![...volume].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (!clean) {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `volume must be a clean absolute path other than /, got ${JSON.stringify(volume.slice(0, 200))}`,
      { field: 'volume' },
    );
  }
  return volume;
}

/**
 * Undoes an IO fault (recovery too): SIGTERM to each helper that is still the one recorded (it unmounts),
 * then, through any process left in the mount namespace, removes a chaosflow-iofs mount still at the volume
 * (a helper killed with SIGKILL leaves its mount behind). A namespace with no process left has no mount left.
 */
export async function revertIo(ctx: FaultContext, io: IoRecord, targetPid?: number): Promise<void> {
  for (const helper of io.helpers) await stopNetnsChild(helper, HELPER_GRACE_MS);
  if (!io.mounted && io.helpers.length === 0) return;
  const path = await findMntnsPath(io.mntns, targetPid === undefined ? [] : [targetPid]);
  if (path) await unmountIofs(ctx.iofsPath, path, io.volume);
}
