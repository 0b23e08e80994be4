/**
 * Facts about host processes read from /proc: whether a pid is alive, its start time (to tell a process from
 * a later one that reuses its pid), its network namespace and its children. Start times are in ms since the
 * epoch computed like gopsutil's CreateTime (boot time + start ticks / CLK_TCK), which is what Chaos Mesh's
 * daemon returns as `cpuStartTime`.
 */
import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { readProcDir, readProcFile, statProc } from './proc-files.js';

let bootTimeMs: number | undefined;
let clockTicks: number | undefined;

function bootTime(): number {
  if (bootTimeMs === undefined) {
    const text = readProcFile('/proc/stat') ?? '';
    const match = /^btime (\d+)$/m.exec(text);
    if (!match) throw new Error('/proc/stat has no btime line');
    bootTimeMs = Number(match[1]) * 1000;
  }
  return bootTimeMs;
}

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The process's start time in ms since the epoch, or undefined when the pid does not exist. */
export function processStartTimeMs(pid: number): Promise<number | undefined> {
  return Promise.resolve(startTimeNow(pid));
}

function startTimeNow(pid: number): number | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may itself contain spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // starttime is field 22 of the whole line, so index 19 after dropping pid and comm.
  const ticks = Number(rest[19]);
  if (!Number.isFinite(ticks)) return undefined;
  return bootTime() + Math.round((ticks * 1000) / ticksPerSecond());
}

/** Whether `pid` runs and is still the process that started at `startTimeMs`. */
export async function isSameProcess(pid: number, startTimeMs: number): Promise<boolean> {
  return (await processStartTimeMs(pid)) === startTimeMs;
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): Promise<boolean> {
  return Promise.resolve(aliveNow(pid));
}

function aliveNow(pid: number): boolean {
  const text = readProcFile(`/proc/${pid}/stat`);
  if (text === undefined) return false;
  const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * Looks at `look` until it answers (not undefined) or `timeoutMs` has passed, waiting `firstMs`, then twice as
 * long each time, at most `maxMs`, between looks; undefined when time ran out.
 */
async function pollUntil<T>(
  look: () => T | undefined,
  timeoutMs: number,
  firstMs: number,
  maxMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = firstMs; ; wait = Math.min(wait * 2, maxMs)) {
    const answer = look();
    if (answer !== undefined) return answer;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
  }
}

/**
 * Waits until `pid` has exited (or is a zombie), at most `timeoutMs`; true when it did. Looks soon, then less
 * often (5, 10, 20, 40, then every 50 ms): a signalled process is usually gone within a few ms.
 */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  return (await pollUntil(() => (aliveNow(pid) ? undefined : true), timeoutMs, 5, 50)) ?? false;
}

/**
 * Waits until process `pid` has a child, looking after 1, 2, 4, 8 ms and so on, at most `timeoutMs`: 'child'
 * once it has one, 'exited' when it ended first, 'waited' when neither happened in time.
 */
export async function waitForChild(pid: number, timeoutMs: number): Promise<'child' | 'exited' | 'waited'> {
  const look = (): 'child' | 'exited' | undefined => {
    if (childrenOf(pid).length > 0) return 'child';
    return aliveNow(pid) ? undefined : 'exited';
  };
  return (await pollUntil(look, timeoutMs, 1, 16)) ?? 'waited';
}

export interface NetnsId {
  readonly inode: number;
  readonly dev: number;
}

export function netnsOf(pid: number): Promise<NetnsId | undefined> {
  const info = statProc(`/proc/${pid}/ns/net`);
  return Promise.resolve(info && { inode: info.ino, dev: info.dev });
}

/**
 * A path through which the network namespace `id` can be entered (`nsenter --net=<path>`), found among named
 * namespaces (`/run/netns/*`) and then among the namespaces of running processes; undefined when the namespace
 * no longer exists.
 */
export async function findNetnsPath(id: NetnsId): Promise<string | undefined> {
  const matches = async (path: string): Promise<boolean> => {
    try {
      const info = await stat(path);
      return info.ino === id.inode && info.dev === id.dev;
    } catch {
      return false;
    }
  };
  for (const name of await readdir('/run/netns').catch(() => [] as string[])) {
    if (await matches(`/run/netns/${name}`)) return `/run/netns/${name}`;
  }
  for (const entry of await readdir('/proc')) {
    if (/^\d+$/.test(entry) && (await matches(`/proc/${entry}/ns/net`))) return `/proc/${entry}/ns/net`;
  }
  return undefined;
}

/** The pid and every descendant of it (from /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): Promise<number[]> {
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    result.push(current);
    for (const child of childrenOf(current)) {
      if (!result.includes(child) && !queue.includes(child)) queue.push(child);
    }
  }
  return Promise.resolve(result);
}

/** The children of `pid`, of all its threads; none when it is gone. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const tid of readProcDir(`/proc/${pid}/task`)) {
    for (const child of (readProcFile(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ')) {
      const n = Number(child);
      if (Number.isInteger(n) && n > 0) children.push(n);
    }
  }
  return children;
}
