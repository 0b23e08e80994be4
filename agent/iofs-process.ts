/**
 * Running chaosflow-iofs (`scripts/tools/iofs`, the IOChaos FUSE file system) inside a target's mount
 * namespace: `nsenter --mount=<path> -- /proc/self/fd/3 <command> --volume <volume>` (argv only), with the
 * binary opened by the agent and handed over as fd 3, so it runs even where the target's file system has no
 * copy of it (a path would be resolved in the target's namespace). The actions go on stdin; the helper answers
 * one JSON line on stdout. `mount` serves until SIGTERM (it unmounts then); `unmount` removes a
 * chaosflow-iofs mount left at the volume by a helper that died; `check` only checks the actions (run in the
 * agent's own namespace, before anything changes).
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { AgentError } from './agent-error.js';
import { firstLine, type NetnsChild } from './netns-child.js';
import { processStartTimeMs } from './process-info.js';

const START_TIMEOUT_MS = 15_000;
const COMMAND_TIMEOUT_MS = 15_000;

interface IofsAnswer {
  readonly error?: string;
  readonly ready?: boolean;
  readonly outcome?: 'unmounted' | 'detached' | 'none';
}

async function runIofs(
  iofsPath: string,
  mntnsPath: string | undefined,
  args: readonly string[],
  stdin: string,
  detached: boolean,
): Promise<{ pid: number; answer: IofsAnswer }> {
  const binary = await open(iofsPath, 'r').catch((err: unknown) => {
    throw new AgentError(
      'UNIMPLEMENTED',
      `IOChaos needs chaosflow-iofs, which cannot be opened at ${iofsPath}: ${String(err)}`,
    );
  });
  let child;
  try {
    const argv = ['/proc/self/fd/3', ...args];
    child = mntnsPath
      ? spawn('nsenter', [`--mount=${mntnsPath}`, '--', ...argv], {
          detached,
          stdio: ['pipe', 'pipe', 'ignore', binary.fd],
        })
      : spawn(argv[0] as string, argv.slice(1), { detached, stdio: ['pipe', 'pipe', 'ignore', binary.fd] });
  } finally {
    await binary.close();
  }
  const input = child.stdin as Writable;
  input.on('error', () => undefined);
  input.end(stdin);
  const line = await firstLine(child, 'chaosflow-iofs', detached ? START_TIMEOUT_MS : COMMAND_TIMEOUT_MS);
  let answer: IofsAnswer;
  try {
    answer = JSON.parse(line) as IofsAnswer;
  } catch {
    throw new AgentError('INTERNAL', `chaosflow-iofs answered ${JSON.stringify(line.slice(0, 200))}`);
  }
  return { pid: child.pid as number, answer };
}

/** INVALID_ARGUMENT with the helper's words when the actions JSON is not what it can apply. */
export async function checkIoActions(iofsPath: string, actions: string): Promise<void> {
  const { answer } = await runIofs(iofsPath, undefined, ['check'], actions, false);
  if (answer.error !== undefined)
    throw new AgentError('INVALID_ARGUMENT', answer.error, { field: 'actions' });
}

/** Mounts the file system over `volume` in the namespace and returns the serving helper. */
export async function startIofs(
  iofsPath: string,
  mntnsPath: string,
  volume: string,
  actions: string,
): Promise<NetnsChild> {
  const { pid, answer } = await runIofs(iofsPath, mntnsPath, ['mount', '--volume', volume], actions, true);
  if (answer.error !== undefined || answer.ready !== true) {
    throw new AgentError(
      'FAILED_PRECONDITION',
      `chaosflow-iofs could not mount over ${volume}: ${answer.error ?? 'no answer'}`,
      {
        field: 'volume',
      },
    );
  }
  const startTimeMs = await processStartTimeMs(pid);
  if (startTimeMs === undefined) throw new AgentError('INTERNAL', 'chaosflow-iofs exited at once');
  return { pid, startTimeMs };
}

/** Removes a chaosflow-iofs mount left at `volume` (its helper gone); other mounts there are left alone. */
export async function unmountIofs(
  iofsPath: string,
  mntnsPath: string,
  volume: string,
): Promise<'unmounted' | 'detached' | 'none'> {
  const { answer } = await runIofs(iofsPath, mntnsPath, ['unmount', '--volume', volume], '', false);
  if (answer.error !== undefined) {
    throw new AgentError('INTERNAL', `chaosflow-iofs could not unmount ${volume}: ${answer.error}`);
  }
  return answer.outcome ?? 'none';
}
