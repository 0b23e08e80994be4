/**
 * ContainerKill, ContainerGetPid, ExecStressors and CancelStressors through the agent against real processes.
 * CPU burned by stress-ng is read from the target's own cgroup (cpuacct), the only way it can be seen there.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { processStartTimeMs } from '../../../agent/process-info.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';
import { processRunning } from '../../harness/process-running.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}

describeWithNetns(
  'chaosflow agent: process faults',
  () => {
    let fixture: AgentFixture;
    const hosts: { host: NetnsHost; before: NetnsSnapshot }[] = [];
    const newHost = async (cgroup = false): Promise<NetnsHost> => {
      const host = await createNetnsHost({ process: 'sleep', cgroup });
      hosts.push({ host, before: await host.snapshot() });
      return host;
    };

    beforeAll(async () => {
      fixture = await startAgentFixture();
    });
    afterEach(async () => {
      for (const { host, before } of hosts.splice(0)) {
        // The namespace outlives a killed target, so its network state can be compared in every case.
        const after = await host.snapshot();
        await host.destroy();
        expect(after).toEqual(before);
      }
    });
    afterAll(async () => {
      await fixture?.stop();
    });

    it('kills the target with ContainerKill, and a repeated or late kill is harmless', async () => {
      const host = await newHost();
      const { client } = fixture;
      const container_id = host.containerId;
      const faultKey = { run: 'run-kill', node: 'container-kill', target: container_id };
      await expect(client.call('ContainerGetPid', { container_id })).resolves.toEqual({ pid: host.pid });
      await client.call('ContainerKill', { container_id, action: { action: 'KILL' } }, { faultKey });
      expect(await waitUntil(() => !host.alive(), 3_000)).toBe(true);
      await client.call('ContainerKill', { container_id, action: { action: 'KILL' } }, { faultKey });
      await client.call('ContainerKill', { container_id, action: { action: 'KILL' } });
      const error = await client.call('ContainerGetPid', { container_id }).catch((err: unknown) => err);
      expect(error).toMatchObject({ context: { status: 'NOT_FOUND' } });
    });

    it('refuses to kill pid 1 and a container id that is neither pid:// nor a runtime id of 64 hex', async () => {
      const { client } = fixture;
      await expect(client.call('ContainerKill', { container_id: 'pid://1' })).rejects.toMatchObject({
        context: { status: 'FAILED_PRECONDITION' },
      });
      await expect(client.call('ContainerKill', { container_id: 'containerd://abc' })).rejects.toMatchObject({
        context: { status: 'INVALID_ARGUMENT' },
      });
    });

    it("burns CPU in the target's cgroup with stress-ng and stops exactly that instance on cancel", async () => {
      const host = await newHost(true);
      const cgroup = host.cgroup;
      if (!cgroup) throw new Error('the test host has no cgroup');
      const { client } = fixture;
      const target = host.containerId;
      const faultKey = { run: 'run-stress', node: 'cpu', target };

      const idleStart = await cgroup.cpuUsageNs();
      await sleep(500);
      const idle = (await cgroup.cpuUsageNs()) - idleStart;

      const started = await client.call(
        'ExecStressors',
        {
          scope: 'CONTAINER',
          target,
          cpuStressors: ' --cpu-load-slice 10 --cpu-method sqrt --cpu 1',
          enterNS: true,
          oomScoreAdj: 500,
        },
        { faultKey },
      );
      const pid = Number(started.cpuInstance);
      expect(pid).toBeGreaterThan(1);
      expect(started.cpuStartTime).toBe(String(await processStartTimeMs(pid)));
      expect(started.cpuInstanceUid).toMatch(/^[0-9a-f-]{36}$/);
      expect(started.memoryInstance).toBe('');
      expect((await readFile(`/proc/${pid}/oom_score_adj`, 'utf8')).trim()).toBe('500');

      const burnStart = await cgroup.cpuUsageNs();
      await sleep(1_500);
      const burned = (await cgroup.cpuUsageNs()) - burnStart;
      const members = await cgroup.pids();
      expect(members).toContain(pid);
      expect(members.length).toBeGreaterThanOrEqual(3); // sleep, stress-ng, its worker

      // Idempotent: the same fault key returns the running instance instead of a second stress-ng.
      const again = await client.call('ExecStressors', { target, cpuStressors: '--cpu 1' }, { faultKey });
      expect(again.cpuInstance).toBe(started.cpuInstance);

      await client.call('CancelStressors', started, { faultKey });
      expect(await waitUntil(() => !processRunning(pid), 5_000)).toBe(true);
      expect(await waitUntil(async () => (await cgroup.pids()).length === 1, 5_000)).toBe(true);
      const afterStart = await cgroup.cpuUsageNs();
      await sleep(1_000);
      const after = (await cgroup.cpuUsageNs()) - afterStart;
      await client.call('CancelStressors', started, { faultKey });

      process.stderr.write(
        `[stress] cgroup CPU: idle ${(idle / 1e6).toFixed(0)} ms/0.5 s, stressed ${(burned / 1e6).toFixed(0)} ms/1.5 s, ` +
          `after cancel ${(after / 1e6).toFixed(0)} ms/1 s\n`,
      );
      // One stress-ng worker on a 2-core machine that other tests share: at least 20% of a core over 1.5 s,
      // against nothing while the target only sleeps.
      expect(idle).toBeLessThan(50_000_000);
      expect(burned).toBeGreaterThan(300_000_000);
      expect(after).toBeLessThan(50_000_000);
      expect(host.alive()).toBe(true);
    });

    it('stops the stressors of a fault key when the worker lost the instance ids (an inject cancelled by an abort)', async () => {
      const host = await newHost(true);
      const cgroup = host.cgroup;
      if (!cgroup) throw new Error('the test host has no cgroup');
      const { client } = fixture;
      const target = host.containerId;
      const faultKey = { run: 'run-lost-answer', node: 'cpu', target };
      const started = await client.call('ExecStressors', { target, cpuStressors: '--cpu 1' }, { faultKey });
      const pid = Number(started.cpuInstance);
      expect(processRunning(pid)).toBe(true);
      const empty = { cpuInstance: '', cpuStartTime: '0', memoryInstance: '', memoryStartTime: '0' };
      // Without the key there is nothing to go by.
      await expect(client.call('CancelStressors', empty)).rejects.toMatchObject({
        context: { status: 'INVALID_ARGUMENT' },
      });
      expect(processRunning(pid)).toBe(true);
      await client.call('CancelStressors', empty, { faultKey });
      expect(await waitUntil(() => !processRunning(pid), 5_000)).toBe(true);
      expect(await waitUntil(async () => (await cgroup.pids()).length === 1, 5_000)).toBe(true);
      // Again, and for a key that never started anything: harmless.
      await client.call('CancelStressors', empty, { faultKey });
      await client.call('CancelStressors', empty, { faultKey: { ...faultKey, node: 'never-injected' } });
    });

    it("holds memory in the target's memory cgroup with the translated memStress options", async () => {
      const host = await newHost(true);
      const memoryDir = host.cgroup?.dirs.find((d) => d.includes('/memory/'));
      if (!memoryDir) {
        process.stderr.write('[stress] no cgroup v1 memory controller here; checking only the instance\n');
      }
      const usage = async (): Promise<number> =>
        memoryDir ? Number((await readFile(join(memoryDir, 'memory.usage_in_bytes'), 'utf8')).trim()) : 0;
      const before = await usage();
      const started = await fixture.client.call('ExecStressors', {
        target: host.containerId,
        memoryStressors: '--workers 1 --size 64MB',
      });
      expect(started.memoryInstance).not.toBe('');
      expect(started.cpuInstance).toBe('');
      const grew = await waitUntil(
        async () => !memoryDir || (await usage()) - before > 48 * 1024 * 1024,
        15_000,
      );
      await fixture.client.call('CancelStressors', started);
      expect(grew).toBe(true);
      expect(await waitUntil(() => !processRunning(Number(started.memoryInstance)), 10_000)).toBe(true);
    });

    it('never signals a process whose start time does not match, nor a non-stress-ng process it did not start', async () => {
      const host = await newHost();
      const { client } = fixture;
      const startTime = String(await processStartTimeMs(host.pid));
      await client.call('CancelStressors', {
        cpuInstance: String(host.pid),
        cpuStartTime: String(Number(startTime) - 5_000),
      });
      expect(host.alive()).toBe(true);
      await expect(
        client.call('CancelStressors', { cpuInstance: String(host.pid), cpuStartTime: startTime }),
      ).rejects.toMatchObject({ context: { status: 'FAILED_PRECONDITION' } });
      expect(host.alive()).toBe(true);
    });

    it('rejects stressors stress-ng does not know with INVALID_ARGUMENT', async () => {
      const host = await newHost();
      await expect(
        fixture.client.call('ExecStressors', {
          target: host.containerId,
          cpuStressors: '--no-such-stressor 1',
        }),
      ).rejects.toMatchObject({ context: { status: 'INVALID_ARGUMENT' } });
    });

    it('counts a stress-ng that exits before starting a stressor as failed, and keeps nothing of it', async () => {
      // A FAKE stress-ng that accepts every option in its dry run and then exits at once without a worker.
      const dir = await mkdtemp(join(tmpdir(), 'chaosflow-fake-stress-ng-'));
      const fake = join(dir, 'stress-ng');
      await writeFile(fake, '#!/bin/sh\n[ "$1" = --dry-run ] && exit 0\nexit 1\n', { mode: 0o755 });
      const own = await startAgentFixture({ stressNg: fake });
      try {
        const host = await newHost();
        const faultKey = { run: 'run-exits-at-once', node: 'burn', target: host.containerId };
        const error = await own.client
          .call('ExecStressors', { target: host.containerId, cpuStressors: '--cpu 1' }, { faultKey })
          .catch((err: unknown) => err);
        expect(error).toMatchObject({ context: { status: 'INVALID_ARGUMENT' } });
        expect(String((error as Error).message)).toContain('exited at once');
        // Its scratch folder is gone and the journal holds no stressor for the key.
        expect(await readdir(join(own.stateDir, 'stress'))).toEqual([]);
        const journal = await readdir(join(own.stateDir, 'journal'));
        for (const file of journal.filter((f) => f.endsWith('.json'))) {
          const entry = JSON.parse(await readFile(join(own.stateDir, 'journal', file), 'utf8')) as {
            stressors?: unknown[];
          };
          expect(entry.stressors ?? []).toEqual([]);
        }
      } finally {
        await own.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
  ['stress-ng', 'nsenter'],
);
