/**
 * stress-ng through the real agent: options outside the allowlist (the ones that wrote files into the agent's
 * folder, changed scheduling or pinned CPUs) start nothing and write nothing; an allowed stressor runs in a
 * scratch folder of its own that the agent owns and removes on cancel; scratch folders the journal no longer
 * holds are removed when the agent starts.
 */
import { mkdir, mkdtemp, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { createNetnsHost, type NetnsHost } from '../../../embedded/netns-host.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describeWithNetns(
  'chaosflow agent: the stress-ng allowlist and its scratch folders',
  () => {
    let stateDir: string;
    let fixture: AgentFixture;
    let host: NetnsHost;

    beforeAll(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-stress-'));
      fixture = await startAgentFixture({}, stateDir);
      host = await createNetnsHost({ process: 'sleep', cgroup: true });
    });
    afterAll(async () => {
      await fixture?.stop();
      await host?.destroy();
      await rm(stateDir, { recursive: true, force: true });
    });

    it('starts nothing and writes nothing for options outside the allowlist', async () => {
      const cwdBefore = (await readdir(process.cwd())).sort();
      const pidsBefore = await host.cgroup!.pids();
      for (const cpuStressors of [
        '--hdd 1',
        '--cpu 1 --hdd 1 --hdd-bytes 1m',
        '--iomix 1',
        '--fallocate 1',
        '--seq 0',
        '--all 1',
        '--cpu 1 --sched fifo --sched-prio 99',
        '--cpu 1 --taskset 0',
        '--cpu 1 --ignite-cpu',
      ]) {
        const error = (await fixture.client
          .call('ExecStressors', { target: host.containerId, cpuStressors })
          .catch((err: unknown) => err)) as DaemonError;
        expect(error.context?.status, cpuStressors).toBe('INVALID_ARGUMENT');
        expect(error.context.serverMessage, cpuStressors).toMatch(/is not an allowed option/);
      }
      const bounded = (await fixture.client
        .call('ExecStressors', { target: host.containerId, cpuStressors: '--cpu 500' })
        .catch((err: unknown) => err)) as DaemonError;
      expect(bounded.context.serverMessage).toContain('--cpu "500" must be a whole number from 0 to 128');
      expect(await host.cgroup!.pids()).toEqual(pidsBefore);
      expect((await readdir(process.cwd())).sort()).toEqual(cwdBefore);
      expect(await readdir(join(stateDir, 'stress')).catch(() => [])).toEqual([]);
    });

    it('runs an allowed stressor in a scratch folder of its own and removes the folder on cancel', async () => {
      const started = await fixture.client.call('ExecStressors', {
        target: host.containerId,
        cpuStressors: '--cpu 1 --cpu-load 10 --timeout 60s',
      });
      const pid = Number(started.cpuInstance);
      const scratch = join(stateDir, 'stress', started.cpuInstanceUid);
      expect(await readlink(`/proc/${pid}/cwd`)).toBe(scratch);
      const mode = (await stat(scratch)).mode & 0o777;
      expect(mode).toBe(0o700);
      expect(await host.cgroup!.pids()).toContain(pid);

      await fixture.client.call('CancelStressors', started);
      for (let i = 0; i < 100 && (await exists(`/proc/${pid}`)); i++) await sleep(50);
      expect(await exists(`/proc/${pid}`)).toBe(false);
      expect(await exists(scratch)).toBe(false);
    });

    it('removes scratch folders the journal does not hold when it starts', async () => {
      const stale = join(stateDir, 'stress', '00000000-0000-4000-8000-000000000000');
      await mkdir(join(stale, 'tmp-stress-ng-1'), { recursive: true });
      await fixture.stop();
      fixture = await startAgentFixture({}, stateDir);
      expect(await exists(stale)).toBe(false);
      expect(await fixture.log()).toMatch(/"scratchRemoved":1/);
    });
  },
  ['stress-ng', 'iptables', 'ipset', 'tc', 'nsenter'],
);
