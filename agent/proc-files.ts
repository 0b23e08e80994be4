/**
 * Reads of small /proc files, synchronous on purpose: procfs answers from kernel memory and never waits on a
 * disk, while a promise-based read (open, fstat, read and close, four trips through libuv's thread pool) of a
 * few hundred bytes cost the agent far more than the read itself: with 100 targets stressed at once, those
 * trips were ~40% of an agent's CPU. Scans of all of /proc stay asynchronous (they would hold the event loop).
 */
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';

/** The file's text, or undefined when it cannot be read (the process is gone). */
export function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The entries of a /proc folder, or none when it cannot be read. */
export function readProcDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** `stat` of a /proc path, or undefined when it is gone. */
export function statProc(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
