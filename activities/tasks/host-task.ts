import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { ActivityError } from '../errors.js';
import type { TaskInput, TaskResult } from '../contract.js';
import { spawnFailure, spawnIdentity, type RunAsUser } from './run-as.js';

/** Output kept for the branch expressions; beyond it the task's stdout is cut. */
const STDOUT_LIMIT = 1024 * 1024;
const KILL_GRACE_MS = 5_000;

/** Worker variables a Task keeps (the rest, which may hold the worker's credentials, it does not see). */
const KEPT_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'] as const;

/**
 * Host mode of a Task: runs the container's `command` + `args` as one argv on this host (no shell, no image),
 * as the worker's `runAs` user (see `run-as.ts`), with its `env` over PATH, LANG, LC_ALL, TZ and the user's
 * HOME, USER and LOGNAME, in its `workingDir` (default: the user's home when it exists, else `/`, once the user
 * differs from the worker's). Cancellation (node deadline, abort) sends SIGTERM to the process group and
 * SIGKILL after a grace period.
 */
export async function runHostTask(
  input: TaskInput,
  signal: AbortSignal,
  heartbeat: () => void,
  runAs?: RunAsUser,
): Promise<TaskResult> {
  const { container } = input.task;
  const argv = [...container.command, ...container.args];
  const [file, ...args] = argv;
  if (!file) {
    throw new ActivityError(
      'INVALID_INPUT',
      `task '${input.nodeId}' has no command: in host mode chaosflow runs container.command + container.args; set container.command`,
    );
  }
  const identity = spawnIdentity(runAs);
  const switching = identity.uid !== undefined;
  const kept = Object.fromEntries(
    KEPT_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  ) as Record<string, string>;
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...kept,
    ...(runAs ? { HOME: runAs.home, USER: runAs.name, LOGNAME: runAs.name } : {}),
    ...Object.fromEntries(container.env.map((e) => [e.name, e.value])),
  };
  const cwd =
    container.workingDir || (switching ? (runAs && existsSync(runAs.home) ? runAs.home : '/') : undefined);
  return new Promise<TaskResult>((resolve, reject) => {
    const child = spawn(file, args, {
      ...(cwd ? { cwd } : {}),
      ...identity,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk.slice(0, STDOUT_LIMIT - stdout.length);
    });
    const beat = setInterval(heartbeat, 2_000);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearInterval(beat);
      if (killTimer) clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      done();
      reject(spawnFailure(`task '${input.nodeId}'`, file, runAs, err));
    });
    child.once('close', (code, sig) => {
      done();
      if (signal.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('task cancelled'));
        return;
      }
      // A signal-killed process reports 128 + signal number, as a shell would.
      resolve({ exitCode: code ?? 128 + (sig ? constants.signals[sig] : 0), stdout: stdout.trim() });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
