/**
 * Runs external commands for the agent: always an argv array through `execFile` (no shell), with a timeout and
 * the output captured. A non-zero exit becomes `CommandFailedError` unless the caller accepts failure (to read
 * "already exists" / "does not exist" answers). Every run is logged at debug level with its argv (not its
 * input, which may be long: `ipset restore` gets every member of a request at once).
 */
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { CommandFailedError } from './agent-error.js';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Null when the command was killed (timeout). */
  readonly exitCode: number | null;
}

export interface RunOptions {
  /** Resolve with the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
  /** Written to the command's stdin (which is otherwise empty). */
  readonly input?: string;
}

export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export function createCommandRunner(logger: Logger, defaultTimeoutMs: number): CommandRunner {
  return {
    run(argv, options = {}) {
      const [file, ...args] = argv;
      if (!file) return Promise.reject(new Error('empty argv'));
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const child = execFile(
          file,
          args,
          { timeout: options.timeoutMs ?? defaultTimeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
          (error, stdout, stderr) => {
            const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            logger.debug({ argv, exitCode, ms: Math.round(performance.now() - started) }, 'command');
            const result = { stdout, stderr, exitCode };
            if (!error || options.allowFailure) {
              if (error && typeof error.code === 'string') {
                // ENOENT and friends: the executable itself is missing, which no caller should swallow.
                reject(new CommandFailedError(argv, null, `${file}: ${error.message}`, { cause: error }));
                return;
              }
              resolve(result);
              return;
            }
            reject(new CommandFailedError(argv, exitCode, stderr || error.message, { cause: error }));
          },
        );
        // A command that exits without reading all of its input must not fail the call with EPIPE.
        child.stdin?.on('error', () => undefined);
        child.stdin?.end(options.input ?? '');
      });
    },
  };
}
