/**
 * The real `chaosflow` command in a child process, run from source through tsx (no build needed): for tests of
 * exit codes, streams and signals. `{ built: true }` runs the command users run instead, `bin/chaosflow.js` as
 * `npm run build` made it (the client commands from its bundle; `npm test` builds before the tests).
 */
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything written so far. */
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliResult>;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run the built `bin/chaosflow.js` instead of the sources. */
  built?: boolean;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (options.built && !existsSync(`${root}dist/cli-bundle/main.js`)) {
    throw new Error('the built chaosflow command is missing: run `npm run build` first (npm test does)');
  }
  const entry = options.built ? ['bin/chaosflow.js'] : ['--import', 'tsx', 'cli/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
