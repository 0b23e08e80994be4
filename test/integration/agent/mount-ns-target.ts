/**
 * A target for IOChaos tests: a sleeping process in a mount namespace of its own (`unshare -m --propagation
 * private`), with a volume folder of test files, and a probe that runs file operations as a separate process
 * inside that namespace (`nsenter --mount`) and reports what it saw: the effect seen from outside the agent.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateTool } from '../../../embedded/installed-tools.js';

/** Why IOChaos cannot be tested here, or undefined. */
export function ioChaosUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'FUSE mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a FUSE file system in a mount namespace needs root';
  if (!existsSync('/dev/fuse')) return 'this host has no /dev/fuse (modprobe fuse)';
  for (const tool of ['unshare', 'nsenter']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (util-linux)`;
    }
  }
  const iofs = locateTool('chaosflow-iofs');
  return iofs.found ? undefined : iofs.reason;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly code?: string;
  readonly ms: number;
  readonly data?: string;
  readonly mode?: number;
  readonly size?: number;
  readonly failures?: number;
}

/** What the probe does, inside the target's namespace. */
export type ProbeOp = 'read' | 'open' | 'stat' | 'write' | 'openMany';

const PROBE = `
const fs = require('node:fs');
const [op, path, extra] = process.argv.slice(1);
const started = performance.now();
const done = (fields) => process.stdout.write(JSON.stringify({ ms: performance.now() - started, ...fields }));
try {
  if (op === 'read') {
    // By descriptor: readFileSync aborts the process when close fails (as it does on an aborted FUSE mount).
    const fd = fs.openSync(path, 'r');
    const chunks = [];
    try {
      for (;;) {
        const buffer = Buffer.alloc(65536);
        const n = fs.readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        chunks.push(buffer.subarray(0, n));
      }
    } finally {
      try { fs.closeSync(fd); } catch {}
    }
    done({ ok: true, data: Buffer.concat(chunks).toString('utf8') });
  }
  else if (op === 'open') { fs.closeSync(fs.openSync(path, 'r')); done({ ok: true }); }
  else if (op === 'stat') { const s = fs.statSync(path); done({ ok: true, mode: s.mode, size: s.size }); }
  else if (op === 'write') { fs.writeFileSync(path, extra); done({ ok: true }); }
  else if (op === 'openMany') {
    let failures = 0;
    for (let i = 0; i < Number(extra); i++) {
      try { fs.closeSync(fs.openSync(path, 'r')); } catch { failures++; }
    }
    done({ ok: true, failures });
  }
} catch (err) { done({ ok: false, code: err.code }); }
`;

export interface MountNsTarget {
  readonly pid: number;
  readonly containerId: string;
  /** The volume folder (the same path inside and outside the namespace). */
  readonly volume: string;
  probe(op: ProbeOp, path: string, extra?: string): Promise<ProbeResult>;
  /** The namespace's mounts (`/proc/<pid>/mountinfo`). */
  mountinfo(): Promise<string>;
  /** Kills the process (the volume folder stays: removing it would detach mounts on it in every namespace). */
  kill(): void;
  destroy(): Promise<void>;
}

export async function createMountNsTarget(files: Record<string, string>): Promise<MountNsTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-io-'));
  const volume = join(dir, 'vol');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(volume, name, '..'), { recursive: true });
    await writeFile(join(volume, name), content);
  }
  await mkdir(volume, { recursive: true });
  const child: ChildProcess = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sleep', '3600'],
    {
      stdio: 'ignore',
    },
  );
  const pid = child.pid as number;
  // unshare execs sleep once its namespace is made.
  const ours = await readlink('/proc/self/ns/mnt');
  for (let i = 0; i < 250; i++) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    const theirs = await readlink(`/proc/${pid}/ns/mnt`).catch(() => ours);
    if (comm.trim() === 'sleep' && theirs !== ours) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    pid,
    containerId: `pid://${pid}`,
    volume,
    probe: (op, path, extra) =>
      new Promise((resolve, reject) => {
        execFile(
          'nsenter',
          [
            `--mount=/proc/${pid}/ns/mnt`,
            '--',
            process.execPath,
            '-e',
            PROBE,
            op,
            path,
            ...(extra ? [extra] : []),
          ],
          { timeout: 30_000 },
          (err, stdout) => {
            if (err && !stdout) reject(new Error(`probe ${op} failed: ${err.message}`));
            else resolve(JSON.parse(stdout) as ProbeResult);
          },
        );
      }),
    mountinfo: () => readFile(`/proc/${pid}/mountinfo`, 'utf8'),
    kill() {
      child.kill('SIGKILL');
    },
    async destroy() {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
