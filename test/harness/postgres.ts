/**
 * A PostgreSQL server of its own for one test file: Debian's binaries from the tools folder (`initdb`,
 * `postgres`, installed by `scripts/tools/install.sh temporal-server`), a data folder under the given folder,
 * TCP on 127.0.0.1 only (no Unix socket, no system service), password authentication for one superuser.
 *
 * PostgreSQL refuses to run as root: when this process is root, the server runs as the `postgres` user Debian's
 * package creates (else `nobody`), and only its data folder is handed to that user. Durability settings are off
 * (`fsync`, `synchronous_commit`, `full_page_writes`): a crash of the machine is not what these tests are about,
 * and a stopped or killed server still loses nothing (the data is in the page cache).
 *
 *   const pg = await startTestPostgres({ dir });
 *   await pg.restart();   // fast shutdown, start again on the same data and port
 *   await pg.stop();      // the data folder stays: `dir` belongs to the caller
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveRunAs, type RunAsUser } from '../../activities/tasks/run-as.js';
import { freePort } from '../../embedded/free-port.js';
import { ManagedProcess } from '../../embedded/managed-process.js';
import { requireTool } from '../../embedded/installed-tools.js';

const run = promisify(execFile);

export interface TestPostgresOptions {
  /** Parent folder: the data folder is `<dir>/pgdata`, the log `<dir>/postgres.log`. */
  dir: string;
  /** Superuser name; default `temporal`. */
  user?: string;
  /** Default 30 s. */
  startTimeoutMs?: number;
}

export interface TestPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  /** The OS user the server runs as. */
  readonly osUser: string;
  /** Time spent in `initdb`, ms. */
  readonly initdbMs: number;
  /** The server process (replaced by `restart`). */
  readonly process: ManagedProcess;
  /** Fast shutdown (SIGINT: open sessions are rolled back), then the same server on the same data and port. */
  restart(): Promise<void>;
  /** Fast shutdown; the data folder stays. */
  stop(): Promise<void>;
}

/** The user PostgreSQL runs as: ourselves unless root, else `postgres` (Debian's), else `nobody`. */
function serverUser(): RunAsUser | undefined {
  const me = userInfo();
  if (me.uid !== 0) return undefined;
  const current = { uid: me.uid, gid: me.gid, home: me.homedir };
  try {
    return resolveRunAs('postgres', current);
  } catch {
    return resolveRunAs(undefined, current);
  }
}

export async function startTestPostgres(options: TestPostgresOptions): Promise<TestPostgres> {
  // The binaries themselves, not the links in the tools folder: the server user cannot enter root's home.
  const initdb = await realpath(requireTool('initdb'));
  const postgres = await realpath(requireTool('postgres'));
  const user = options.user ?? 'temporal';
  const password = randomBytes(12).toString('hex');
  const dataDir = join(options.dir, 'pgdata');
  const logFile = join(options.dir, 'postgres.log');
  const osUser = serverUser();
  const identity = osUser ? { uid: osUser.uid, gid: osUser.gid } : {};

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(options.dir, 'pgpass');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (osUser) {
    await chown(dataDir, osUser.uid, osUser.gid);
    await chown(passwordFile, osUser.uid, osUser.gid);
    // The server user must reach its data folder through the parent; nothing else in it is readable to it.
    const parent = await stat(options.dir);
    if ((parent.mode & 0o001) === 0) await chmod(options.dir, (parent.mode & 0o777) | 0o011);
  }
  const initStarted = Date.now();
  try {
    await run(
      initdb,
      [
        '--pgdata',
        dataDir,
        '--username',
        user,
        '--pwfile',
        passwordFile,
        '--auth-host',
        'scram-sha-256',
        '--auth-local',
        'reject',
        '--encoding',
        'UTF8',
        '--locale',
        'C',
        '--no-sync',
      ],
      { ...identity, cwd: options.dir },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`initdb ${dataDir} failed: ${e.stderr || e.message}`);
  }
  const initdbMs = Date.now() - initStarted;
  const port = await freePort();
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ];
  const startServer = async (): Promise<ManagedProcess> => {
    const proc = ManagedProcess.start({
      name: 'postgres',
      command: postgres,
      args,
      logFile,
      cwd: options.dir,
      ...identity,
    });
    try {
      await waitReady(proc, dataDir, options.startTimeoutMs ?? 30_000);
    } catch (err) {
      await proc.stop(2_000);
      throw err;
    }
    return proc;
  };
  let proc = await startServer();
  const shutdown = async (): Promise<void> => {
    if (proc.alive) {
      proc.kill('SIGINT');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await proc.exited;
      clearTimeout(timer);
    }
    await proc.stop(0);
  };
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    osUser: osUser?.name ?? me(),
    initdbMs,
    get process() {
      return proc;
    },
    async restart() {
      await shutdown();
      proc = await startServer();
    },
    stop: shutdown,
  };
}

function me(): string {
  return userInfo().username;
}

/** Ready when `postmaster.pid` says so (its 8th line), as `pg_ctl -w` decides. */
async function waitReady(proc: ManagedProcess, dataDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) throw new Error(`postgres exited during start-up:\n${await proc.tail()}`);
    const pid = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    if (pid.split('\n')[7]?.trim() === 'ready') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`postgres did not get ready within ${timeoutMs} ms:\n${await proc.tail()}`);
}
