/**
 * For tests that run the agent as its own process (restart, crash mid-inject, IOChaos): starting it as the CLI
 * does, waiting until it answers, and reading its journal entries from disk as a restarted agent would.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonClient } from '../../../activities/daemon/daemon-client.js';
import type { JournalEntry } from '../../../agent/journal.js';
import { ManagedProcess } from '../../../embedded/managed-process.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `chaosflow agent --state-dir STATE_DIR ARGS...` from source, logging to `STATE_DIR/agent-process.log`. */
export function startAgentProcess(stateDir: string, args: readonly string[]): ManagedProcess {
  return ManagedProcess.start({
    name: 'agent',
    command: process.execPath,
    args: ['--import', 'tsx', 'cli/main.ts', 'agent', '--state-dir', stateDir, ...args],
    logFile: join(stateDir, 'agent-process.log'),
    cwd: repoRoot,
  });
}

/** Waits until `agent` answers on `client` (up to 60 s); throws with its log's tail when it died or never did. */
export async function waitUntilServing(agent: ManagedProcess, client: DaemonClient): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await client
      .call('ContainerGetPid', { container_id: `pid://${process.pid}` }, { deadlineMs: 1_000 })
      .then(
        () => true,
        () => false,
      );
    if (ready) return;
    if (!agent.alive || Date.now() > deadline)
      throw new Error(`the agent did not start:\n${await agent.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The journal entry files under `stateDir` (the write-ahead log not replayed). */
export async function journalEntries(stateDir: string): Promise<JournalEntry[]> {
  const dir = join(stateDir, 'journal');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as JournalEntry),
  );
}
