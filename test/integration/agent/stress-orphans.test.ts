/**
 * A stress-ng that an agent started but never journaled (the agent was SIGKILLed between the two; the campaign
 * found two such left in target cgroups) has no owner: the next agent on that state dir stops it at start-up,
 * and leaves alone a journaled instance and any stress-ng it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { startAgentFixture } from './agent-fixture.js';
import { processRunning } from '../../harness/process-running.js';

const spawned: ChildProcess[] = [];

function stressNg(tempPath: string): ChildProcess {
  const child = spawn(
    'stress-ng',
    ['--cpu', '1', '--cpu-load', '1', '--timeout', '120s', '--temp-path', tempPath],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  spawned.push(child);
  return child;
}

// Root and stress-ng: the same needs as the agent's other stress tests.
describeWithNetns(
  'stress-ng orphans of a killed agent',
  () => {
    afterAll(() => {
      for (const child of spawned)
        if (child.pid && processRunning(child.pid)) process.kill(-child.pid, 'SIGKILL');
    });

    it('stops at start-up the stress-ng its state dir started and no journal entry holds', async () => {
      const stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-agent-orphans-'));
      const orphanDir = join(stateDir, 'stress', randomUUID());
      await mkdir(orphanDir, { recursive: true });
      const orphan = stressNg(orphanDir);
      const stranger = stressNg(await mkdtemp(join(tmpdir(), 'not-the-agent-')));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(processRunning(orphan.pid as number)).toBe(true);

      const fixture = await startAgentFixture({}, stateDir);
      try {
        await expect.poll(() => processRunning(orphan.pid as number), { timeout: 5_000 }).toBe(false);
        expect(processRunning(stranger.pid as number)).toBe(true);
        expect(await readFile(join(stateDir, 'agent.log'), 'utf8')).toContain(`"pids":[${orphan.pid}]`);
      } finally {
        await fixture.stop();
        await rm(stateDir, { recursive: true, force: true });
      }
    });
  },
  ['stress-ng'],
);
