/**
 * Recovery verified (`agent/network-baselines.ts`) on the real agent and a real network namespace: the agent
 * records the namespace's iptables, ipsets and qdiscs before its first inject and compares after the last
 * recover; likewise the processes in a stressed target's cgroups. A rule someone else added while the partition
 * was held, or a process put into the cgroups during the stress, is reported on that recover, naming it; a clean
 * recover reports nothing.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaultKey } from '../../../activities/daemon/daemon-client.js';
import { createNetnsHost, type NetnsHost } from '../../../embedded/netns-host.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

describeWithNetns('chaosflow agent: drift after the last recover', () => {
  let fixture: AgentFixture;
  let host: NetnsHost;

  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'http' });
  });
  afterAll(async () => {
    await host?.destroy();
    await fixture?.stop();
  });

  const inject = async (faultKey: FaultKey): Promise<void> => {
    const options = { faultKey };
    await fixture.client.call(
      'FlushIPSets',
      { container_id: host.containerId, ipsets: [{ name: 'cf_drift_peer', cidrs: [`${host.hostIp}/32`] }] },
      options,
    );
    await fixture.client.call(
      'SetIptablesChains',
      {
        container_id: host.containerId,
        chains: [{ name: 'OUTPUT/cf_drift', direction: 'OUTPUT', ipsets: ['cf_drift_peer'], target: 'DROP' }],
      },
      options,
    );
    await fixture.client.call(
      'SetTcs',
      {
        container_id: host.containerId,
        tcs: [{ type: 'BANDWIDTH', tbf: { rate: '1mbit', buffer: 10_000, limit: 20_000 } }],
      },
      options,
    );
  };
  /** The recover the entity workflow sends, in its order; returns every warning. */
  const recover = async (faultKey: FaultKey): Promise<string[]> => {
    const options = { faultKey };
    const container_id = host.containerId;
    const answers = [
      await fixture.client.callWithWarnings('FlushIPSets', { container_id, ipsets: [] }, options),
      await fixture.client.callWithWarnings('SetIptablesChains', { container_id, chains: [] }, options),
      await fixture.client.callWithWarnings('SetTcs', { container_id, tcs: [] }, options),
    ];
    const warnings = answers.flatMap((a) => a.warnings);
    return warnings;
  };

  it('reports nothing when the recover left the namespace as it found it', async () => {
    const before = await host.snapshot();
    const key = { run: 'run-clean', node: 'partition', target: host.containerId };
    await inject(key);
    expect((await host.snapshot()).iptables).toContain('cf_drift');
    expect(await recover(key)).toEqual([]);
    expect(await host.snapshot()).toEqual(before);
  });

  it('reports a rule added in the namespace while the fault was held, naming it', async () => {
    const key = { run: 'run-tampered', node: 'partition', target: host.containerId };
    await inject(key);
    await host.exec(['iptables', '-A', 'INPUT', '-s', '10.99.0.7/32', '-j', 'DROP']);
    const warnings = await recover(key);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^drift in the target's network namespace after the last recover/);
    expect(warnings[0]).toContain('iptables: +"-A INPUT -s 10.99.0.7/32 -j DROP"');
    expect(await fixture.log()).toMatch(/drift after the last recover/);
    // Reported once: the next recover has no baseline to compare with.
    expect(await recover(key)).toEqual([]);
    await host.exec(['iptables', '-D', 'INPUT', '-s', '10.99.0.7/32', '-j', 'DROP']);
  });

  it("reports a process left in the target's cgroups after the last stress recover, naming it", async () => {
    const stressed = await createNetnsHost({ process: 'sleep', cgroup: true });
    const intruder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const cgroup = stressed.cgroup;
      if (!cgroup) throw new Error('the test host has no cgroup');
      const target = stressed.containerId;
      const stress = async (run: string): Promise<string[]> => {
        const faultKey = { run, node: 'burn', target };
        const started = await fixture.client.call(
          'ExecStressors',
          { target, cpuStressors: '--cpu 1' },
          { faultKey },
        );
        if (run === 'run-intruded') {
          for (const dir of cgroup.dirs) await writeFile(join(dir, 'cgroup.procs'), String(intruder.pid));
        }
        const { warnings } = await fixture.client.callWithWarnings('CancelStressors', started, { faultKey });
        return [...warnings];
      };
      expect(await stress('run-clean-stress')).toEqual([]);
      const warnings = await stress('run-intruded');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^drift in the target's cgroups after the last recover/);
      expect(warnings[0]).toContain(`processes: +"pid ${intruder.pid} sleep"`);
    } finally {
      intruder.kill('SIGKILL');
      await stressed.destroy();
    }
  });
});
