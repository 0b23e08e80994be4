/**
 * A long-running child process we own: started with an argv array (never a shell), its output kept in a log
 * file, stopped with SIGTERM and, after a grace period, SIGKILL. Processes still running when this Node
 * process exits are killed so that tests and `chaosflow dev` leave nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ManagedProcessOptions {
  /** Short name for messages (`temporal`, `etcd`, ...). */
  name: string;
  command: string;
  args: readonly string[];
  /** File that receives stdout and stderr. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (the caller must be root), e.g. a server that refuses to run as root. */
  uid?: number;
  gid?: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export class ManagedProcess {
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(
    readonly options: ManagedProcessOptions,
    child: ChildProcess,
    log: WriteStream,
  ) {
    this.#child = child;
    this.#log = log;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.#exitCode = code ?? (signal ? null : code);
        resolve(code);
      });
    });
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    installExitHook();
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    running.add(child);
    const managed = new ManagedProcess(options, child, log);
    child.once('error', (err) =>
      log.write(`\n[chaosflow] could not start ${options.command}: ${err.message}\n`),
    );
    return managed;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True while the process has not exited. */
  get alive(): boolean {
    return this.#exitCode === undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  /** The last `lines` lines of the log file, for error messages. */
  async tail(lines = 20): Promise<string> {
    const text = await readFile(this.options.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Sends `signal` without waiting. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.#child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone and its log is flushed. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.alive) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
