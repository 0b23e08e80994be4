/**
 * Children that do not outlive their parent. A SIGKILL of `chaosflow dev` runs no exit hook, so the children it
 * started (the Temporal dev server, the agent, the worker) would be orphaned, holding their ports and faults.
 * On Linux each child is started through util-linux's `setpriv --pdeathsig SIG --`, which sets the kernel's
 * parent-death signal (prctl PR_SET_PDEATHSIG) and then execs the command (same pid): the kernel sends SIG to
 * the child the moment its parent goes, however it went. Without setpriv the argv is unchanged and the exit
 * hook of embedded/managed-process.ts is the only guard; `parentDeathGuard()` says which applies.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

let setprivPath: string | null | undefined;

function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform === 'linux') {
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
      const candidate = join(dir, 'setpriv');
      if (existsSync(candidate)) {
        setprivPath = candidate;
        break;
      }
    }
  }
  return setprivPath;
}

/** How children are tied to this process: `pdeathsig` (kernel) or `exit-hook` (only on a clean exit). */
export function parentDeathGuard(): 'pdeathsig' | 'exit-hook' {
  return findSetpriv() ? 'pdeathsig' : 'exit-hook';
}

/** The argv that runs `command args` and delivers `signal` to it when this process dies. */
export function dieWithParent(
  command: string,
  args: readonly string[],
  signal: NodeJS.Signals,
): { command: string; args: string[] } {
  const setpriv = findSetpriv();
  if (!setpriv) return { command, args: [...args] };
  return { command: setpriv, args: ['--pdeathsig', signal, '--', command, ...args] };
}
