/**
 * Who holds a TCP port, for start-up errors that name the culprit: `chaosflow dev` once found its port taken by
 * a Temporal dev server orphaned by an earlier `chaosflow dev` and ran on it without noticing. Before the
 * embedded stack starts a part on a fixed port it checks the port is free, and when it is not, says which
 * process (pid and command line) listens there, found through `/proc/net/tcp{,6}` and the processes' socket
 * descriptors (Linux; elsewhere the message just says the port is taken).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { ChaosflowError } from '../common/errors/chaosflow-error.js';

export interface PortHolder {
  readonly pid: number;
  /** The holder's command line, shortened. */
  readonly command: string;
}

export class PortTakenError extends ChaosflowError<
  'PORT_TAKEN',
  { readonly port: number; readonly what: string; readonly holder: PortHolder | undefined }
> {
  static override readonly codes: readonly string[] = ['PORT_TAKEN'];
  override readonly name = 'PortTakenError';
  constructor(port: number, what: string, holder: PortHolder | undefined, fix: string) {
    super(
      'PORT_TAKEN',
      `port ${port} (${what}) is already in use` +
        (holder ? ` by process ${holder.pid} (${holder.command})` : '') +
        `: ${fix}`,
      { port, what, holder },
    );
  }
}

/** Inodes of the sockets listening on `port` (state 0A), from the kernel's socket tables. */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local?.endsWith(`:${hex}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The process listening on `port`, if this machine lets us find it. */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        const command = cmdline.split('\0').filter(Boolean).join(' ');
        return { pid: Number(pid), command: command.length > 160 ? `${command.slice(0, 157)}...` : command };
      }
    }
  }
  return undefined;
}

/** Resolves when `host:port` can be bound; otherwise a {@link PortTakenError} naming the holder. */
export async function assertPortFree(host: string, port: number, what: string, fix: string): Promise<void> {
  const taken = await new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(true) : reject(err),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
  if (taken) throw new PortTakenError(port, what, await portHolder(port), fix);
}
