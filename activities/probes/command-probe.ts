/**
 * A Command probe: an argv (never a shell string) run on the worker's host as the worker's `runAs` user
 * (`activities/tasks/run-as.ts`), with only the probe's own environment beside PATH; success when it exits with the expected code and its output (trimmed, at most
 * 64 KiB read) satisfies `stdout`. A probe that outlives its timeout is killed and fails.
 */
import { spawn } from 'node:child_process';
import type { PlanCommandProbe } from '../../common/plan.js';
import type { ProbeRecord } from '../../common/run-status.js';
import { spawnFailure, spawnIdentity, type RunAsUser } from '../tasks/run-as.js';
import { checkValue } from './value-criteria.js';
import { startProbeRecord } from './probe-record.js';

const STDOUT_LIMIT = 64 * 1024;

export function commandProbe(
  command: PlanCommandProbe,
  timeoutSeconds: number,
  signal?: AbortSignal,
  runAs?: RunAsUser,
): Promise<ProbeRecord> {
  const record = startProbeRecord();
  const [file, ...args] = command.argv as [string, ...string[]];
  return new Promise((resolve) => {
    const done = (ok: boolean, detail: string, value?: string): void => resolve(record(ok, detail, value));
    const child = spawn(file, args, {
      ...(command.workingDir ? { cwd: command.workingDir } : {}),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...command.env },
      ...spawnIdentity(runAs),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: timeoutSeconds * 1000,
      killSignal: 'SIGKILL',
      ...(signal ? { signal } : {}),
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk.slice(0, STDOUT_LIMIT - stdout.length);
    });
    child.once('error', (err) => done(false, spawnFailure('the Command probe', file, runAs, err).message));
    child.once('close', (code, killedBy) => {
      if (code === null) {
        done(false, killedBy === 'SIGKILL' ? `timed out after ${timeoutSeconds}s` : `killed by ${killedBy}`);
        return;
      }
      const out = stdout.trim();
      if (code !== command.exitCode) {
        done(false, `exit ${code} (expected ${command.exitCode})`, out);
        return;
      }
      const verdict = checkValue(out, command.stdout);
      done(verdict.ok, verdict.ok ? `exit ${code}` : `exit ${code}: ${verdict.why}`, out);
    });
  });
}
