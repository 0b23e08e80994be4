/**
 * Replacing a small file so that a crash leaves the old content or the new, never half of either: the text is
 * written to a temporary file beside it and renamed over it. Every write has a temporary name of its own
 * (`<file>.<pid>.<n>.tmp`), so two writes of one file in flight (or of two processes on one state dir) never
 * share a temp file: with one shared name the second `open` truncated the first one's file under it, and the
 * second `rename` found nothing (ENOENT). Which write lands last is the caller's business (the journal and the
 * record folders order the writes of one key with a `KeyedLock`).
 */
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP = /\.(\d+)\.\d+\.tmp$/u;

let written = 0;

/** Writes `text` to `file` through a temp file of this write's own; `durable` fsyncs it before the rename. */
export async function writeFileAtomically(
  file: string,
  text: string,
  options: { readonly durable: boolean; readonly mode?: number },
): Promise<void> {
  written += 1;
  const temp = `${file}.${process.pid}.${written}.tmp`;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(text);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Removes the temp files in `dir` that no write will rename any more: those of a process that is gone (a
 * crash between write and rename) and those of the older single name (`<file>.tmp`). A temp file of a live
 * process is left alone: it may be a write in flight.
 */
export async function removeStrayTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const pid = Number(TEMP.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
