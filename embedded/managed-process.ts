/**
 * A long-running child process we own: started with an argv array (never a shell), its output kept in a log
 * file, stopped with SIGTERM and, after a grace period, SIGKILL. The child writes to the log file itself (its
 * stdout and stderr are the file, not pipes to us), so it can still log, and finish, after we are gone. Processes still running when this Node
 * process exits are killed so that tests and `chaosflow dev` leave nothing behind, and on Linux the kernel
 * signals them when this process dies any other way, SIGKILL included (embedded/parent-death.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dieWithParent } from './parent-death.js';

export interface ManagedProcessOptions {
  /** Short name for messages (`temporal`, `etcd`, ...). */
  name: string;
  command: string;
  args: readonly string[];
  /** File that receives stdout and stderr. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signal the child gets when this process dies, however it dies; default SIGTERM. */
  parentDeathSignal?: NodeJS.Signals;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export class ManagedProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(
    readonly options: ManagedProcessOptions,
    child: ChildProcess,
  ) {
    this.#child = child;
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
    const log = openSync(options.logFile, 'a');
    const argv = dieWithParent(options.command, options.args, options.parentDeathSignal ?? 'SIGTERM');
    const child = spawn(argv.command, argv.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
    });
    closeSync(log); // the child has its own
    running.add(child);
    const managed = new ManagedProcess(options, child);
    child.once('error', (err) =>
      appendFileSync(options.logFile, `\n[chaosflow] could not start ${options.command}: ${err.message}\n`),
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

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.alive) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
