/**
 * Helper processes the agent runs inside a target's network namespace (the HTTPChaos fault proxy, the DNSChaos
 * responder): `nsenter --net=<path> -- node <main>` (argv only; tsx as the loader when the agent runs from its
 * sources), configuration as JSON on stdin, and one JSON line on stdout once it serves (`{"error": ...}` when
 * it cannot). The child runs detached, so it outlives an agent that dies (the journal holds its pid and start
 * time for recovery). Stopping sends SIGTERM (the child finishes what is in flight) and SIGKILL after a grace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AgentError } from './agent-error.js';
import { isAlive, isSameProcess, processStartTimeMs, waitForExit } from './process-info.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const START_TIMEOUT_MS = 15_000;

export interface NetnsChild {
  readonly pid: number;
  readonly startTimeMs: number;
}

/** Starts `agent/<main>.js` (or `.ts`) in the namespace and returns it with its first stdout line, parsed. */
export async function startNetnsChild<A extends object>(
  netnsPath: string,
  main: 'http-fault-proxy-main' | 'dns-responder-main',
  config: object,
): Promise<{ child: NetnsChild; answer: A }> {
  const script = join(HERE, `${main}.${FROM_SOURCES ? 'ts' : 'js'}`);
  const child = spawn(
    'nsenter',
    [`--net=${netnsPath}`, '--', process.execPath, ...(FROM_SOURCES ? ['--import', 'tsx'] : []), script],
    { cwd: join(HERE, '..'), detached: true, stdio: ['pipe', 'pipe', 'ignore'] },
  );
  child.stdin.end(JSON.stringify(config));
  const line = await firstLine(child, main, START_TIMEOUT_MS);
  const answer = JSON.parse(line) as A & { error?: string };
  if (answer.error !== undefined) throw new AgentError('INTERNAL', `${main} failed: ${answer.error}`);
  const pid = child.pid as number;
  const startTimeMs = await processStartTimeMs(pid);
  if (startTimeMs === undefined) throw new AgentError('INTERNAL', `${main} exited at once`);
  return { child: { pid, startTimeMs }, answer };
}

/**
 * The first line a starting helper writes to stdout; the helper is killed when it writes none in `timeoutMs`.
 * Afterwards the child is left to run on its own (its stdout closed, not waited for).
 */
export async function firstLine(child: ChildProcess, name: string, timeoutMs: number): Promise<string> {
  const stdout = child.stdout as Readable;
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AgentError('INTERNAL', `${name} did not start in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, end));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new AgentError('INTERNAL', `could not start ${name}: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // What it wrote before exiting may say why (`{"error": ...}`).
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
      else reject(new AgentError('INTERNAL', `${name} exited (code ${String(code)}) before serving`));
    });
  });
  child.removeAllListeners('exit');
  stdout.destroy();
  child.unref();
  return line;
}

/** SIGTERM to a child that is still the one recorded, then waits for it (SIGKILL after `graceMs`). */
export async function stopNetnsChild(child: NetnsChild, graceMs: number): Promise<'stopped' | 'gone'> {
  if (!(await isSameProcess(child.pid, child.startTimeMs)) || !(await isAlive(child.pid))) return 'gone';
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(child.pid, name);
    } catch {
      // gone meanwhile
    }
  };
  signal('SIGTERM');
  await waitForExit(child.pid, graceMs);
  if (await isSameProcess(child.pid, child.startTimeMs)) signal('SIGKILL');
  return 'stopped';
}
