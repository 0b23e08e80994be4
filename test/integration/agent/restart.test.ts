/**
 * The agent's journal across crashes: the agent runs as a child process (`chaosflow agent` from source through
 * tsx), is killed with SIGKILL in the middle of a fault, and `chaosflow agent --recover-all` or the start-up
 * reconcile of a new agent on the same state dir undoes what it injected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { DaemonClient } from '../../../activities/daemon/daemon-client.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import type { JournalEntry } from '../../../agent/journal.js';
import { isAlive } from '../../../agent/process-info.js';
import { freePort } from '../../../embedded/free-port.js';
import type { ManagedProcess } from '../../../embedded/managed-process.js';
import { journalEntries, startAgentProcess, waitUntilServing } from './agent-process.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsHost } from '../../../embedded/netns-host.js';
import { httpGet } from './http-probe.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithNetns(
  'chaosflow agent: restart and recovery from the journal',
  () => {
    let stateDir: string;
    const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
    const processes: ManagedProcess[] = [];
    const hosts: NetnsHost[] = [];

    beforeAll(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-agent-restart-'));
    });
    afterEach(async () => {
      for (const p of processes.splice(0)) await p.stop(2_000);
      for (const h of hosts.splice(0)) await h.destroy();
    });
    afterAll(async () => {
      pool.close();
      await rm(stateDir, { recursive: true, force: true });
    });

    const agentProcess = (args: readonly string[]): ManagedProcess => {
      const p = startAgentProcess(stateDir, ['--log-level', 'debug', ...args]);
      processes.push(p);
      return p;
    };

    /** Starts a serving agent and waits until it answers. */
    const startAgent = async (
      extra: readonly string[] = [],
    ): Promise<{ process: ManagedProcess; client: DaemonClient }> => {
      const port = await freePort();
      const agent = agentProcess([
        '--listen',
        `127.0.0.1:${port}`,
        '--insecure-plaintext-loopback',
        ...extra,
      ]);
      const client = pool.get({ address: `127.0.0.1:${port}`, transport: { kind: 'plaintext' } });
      await waitUntilServing(agent, client);
      return { process: agent, client };
    };

    const journal = (): Promise<JournalEntry[]> => journalEntries(stateDir);

    const partition = async (client: DaemonClient, host: NetnsHost, run: string): Promise<void> => {
      const faultKey = { run, node: 'partition', target: host.containerId };
      await client.call(
        'FlushIPSets',
        {
          container_id: host.containerId,
          ipsets: [{ name: 'cf_restart_peer', cidrs: [`${host.hostIp}/32`] }],
        },
        { faultKey },
      );
      await client.call(
        'SetIptablesChains',
        {
          container_id: host.containerId,
          chains: [
            { name: 'INPUT/cf_restart', direction: 'INPUT', ipsets: ['cf_restart_peer'], target: 'DROP' },
          ],
        },
        { faultKey },
      );
      await client.call(
        'SetTcs',
        {
          container_id: host.containerId,
          tcs: [{ type: 'BANDWIDTH', tbf: { rate: '1mbit', buffer: 10_000, limit: 20_000 } }],
        },
        { faultKey },
      );
    };

    it('keeps faults in place when the agent is SIGKILLed, and `agent --recover-all` removes them', async () => {
      const host = await createNetnsHost({ process: 'http' });
      hosts.push(host);
      const before = await host.snapshot();
      const url = `http://${host.ip}:${host.port}/`;
      const { process: agent, client } = await startAgent();
      await partition(client, host, 'run-crash');
      const stress = await client.call(
        'ExecStressors',
        { target: host.containerId, cpuStressors: '--cpu 1 --cpu-load 20' },
        { faultKey: { run: 'run-crash', node: 'stress', target: host.containerId } },
      );
      expect(await httpGet(url, 1_500)).toBe('timeout');

      agent.kill('SIGKILL');
      await agent.exited;
      expect(await httpGet(url, 1_500)).toBe('timeout');
      expect(await isAlive(Number(stress.cpuInstance))).toBe(true);
      const entries = await journal();
      expect(entries.map((e) => e.state).sort()).toEqual(['applied', 'applied']);
      expect(entries.find((e) => e.network)?.network).toMatchObject({
        chains: ['INPUT/cf_restart'],
        tcDevices: ['eth0'],
        ipsets: ['cf_restart_peer'],
      });

      const recover = agentProcess(['--recover-all']);
      expect(await recover.exited).toBe(0);
      expect(await httpGet(url, 3_000)).toBe(200);
      expect(await host.snapshot()).toEqual(before);
      // Orphaned by the SIGKILL, stress-ng is reaped by init: a zombie for a moment counts as gone.
      expect(await isAlive(Number(stress.cpuInstance))).toBe(false);
      expect(await journal()).toEqual([]);
    });

    it('reverts on start-up what belonged to a target that is gone, and exits 0 on SIGTERM', async () => {
      const host = await createNetnsHost({ process: 'sleep' });
      hosts.push(host);
      const before = await host.snapshot();
      const first = await startAgent();
      await partition(first.client, host, 'run-orphan');
      first.process.kill('SIGKILL');
      await first.process.exited;
      process.kill(host.pid, 'SIGKILL');
      await sleep(200);
      // The named namespace outlives its process, and so do the rules in it.
      expect((await host.snapshot()).iptables).toContain('CHAOS-INPUT');

      const second = await startAgent();
      expect(await host.snapshot()).toEqual(before);
      expect(await journal()).toEqual([]);
      second.process.kill('SIGTERM');
      expect(await second.process.exited).toBe(0);
    });

    it('keeps the faults of a live target on restart, and removes them on SIGTERM with --recover-on-exit', async () => {
      const host = await createNetnsHost({ process: 'http' });
      hosts.push(host);
      const before = await host.snapshot();
      const url = `http://${host.ip}:${host.port}/`;
      const first = await startAgent();
      await partition(first.client, host, 'run-live');
      first.process.kill('SIGKILL');
      await first.process.exited;

      const second = await startAgent(['--recover-on-exit']);
      expect(await httpGet(url, 1_500)).toBe('timeout');
      expect(await journal()).toHaveLength(1);
      second.process.kill('SIGTERM');
      expect(await second.process.exited).toBe(0);
      expect(await httpGet(url, 3_000)).toBe(200);
      expect(await host.snapshot()).toEqual(before);
    });
  },
  ['iptables', 'ipset', 'tc', 'nsenter', 'stress-ng'],
);
