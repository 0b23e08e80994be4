/**
 * The fault drivers end to end: manifests run by the real interpreter on a Temporal dev server, targets
 * resolved from a host inventory, faults sent by the real drivers (network ones through the per-target entity
 * workflow and the network state applier) to a real chaosflow agent, acting on real processes in network
 * namespaces. Effects are checked from outside; after each test the namespaces' iptables, ipsets and qdiscs
 * are exactly as before.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import type { RunHandle } from '../../../client/start-run.js';
import type { RunStatus } from '../../../common/run-status.js';
import { statusQuery } from '../../../workflows/messages.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../../embedded/netns-host.js';
import { downloadRate, httpGet } from '../agent/http-probe.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { createMountNsTarget, ioChaosUnavailableReason } from '../agent/mount-ns-target.js';
import { httpFrom, linkHosts } from './host-link.js';

describeWithNetns(
  'fault drivers through the interpreter, the entity workflow and the agent',
  () => {
    let env: FaultEnv;
    const hosts: NetnsHost[] = [];
    const runs: RunHandle[] = [];
    const before = new Map<NetnsHost, NetnsSnapshot>();
    let counter = 0;
    /** Pod names differ between tests: each pod has its own entity workflow, which outlives a test. */
    const podName = (base: string) => `${base}-${++counter}`;

    beforeAll(async () => {
      env = await startFaultEnv();
    });
    afterAll(async () => {
      await env?.stop();
    });
    afterEach(async () => {
      try {
        // A run that a failed assertion left behind still recovers; wait for it before comparing.
        for (const handle of runs.splice(0)) await handle.result().catch(() => undefined);
        for (const [host, snapshot] of before) expect(await host.snapshot()).toEqual(snapshot);
      } finally {
        before.clear();
        for (const host of hosts.splice(0)) await host.destroy();
      }
    });

    async function host(options: Parameters<typeof createNetnsHost>[0] = {}): Promise<NetnsHost> {
      const created = await createNetnsHost(options);
      hosts.push(created);
      return created;
    }

    /** What the hosts' namespaces must be again after the test. */
    async function baseline(...of: NetnsHost[]): Promise<void> {
      for (const h of of) before.set(h, await h.snapshot());
    }

    /** The run's status once it has ended (a failed run's result is an error; its status query still answers). */
    async function finalStatus(handle: RunHandle): Promise<RunStatus> {
      await handle.result().catch(() => undefined);
      return handle.query(statusQuery);
    }

    async function run(yaml: string): Promise<RunHandle> {
      const handle = await env.run(yaml);
      runs.push(handle);
      return handle;
    }

    it('partitions two hosts from each other, on both sides, and recovery restores the traffic', async () => {
      const web = await host({ process: 'http' });
      const db = await host({ process: 'http' });
      const link = await linkHosts(web, db);
      await baseline(web, db);
      const [webPod, dbPod] = [podName('web'), podName('db')];
      await env.writeInventory([
        {
          name: webPod,
          labels: { app: 'web' },
          ips: [link.aIp],
          containers: [{ name: 'main', pid: web.pid }],
        },
        { name: dbPod, labels: { app: 'db' }, ips: [link.bIp], containers: [{ name: 'main', pid: db.pid }] },
      ]);
      expect(await httpFrom(web, `http://${link.bIp}:8080/`, 3)).toBe('200');
      expect(await httpFrom(db, `http://${link.aIp}:8080/`, 3)).toBe('200');

      const handle = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: network-partition, namespace: default }
spec:
  action: partition
  mode: all
  direction: to
  selector: { labelSelectors: { app: web } }
  target: { mode: all, selector: { labelSelectors: { app: db } } }
  duration: 8s
`);
      const faults = await env.waitForFaults(
        handle,
        (f) => f.length === 2 && f.every((e) => e.state === 'Injected'),
      );
      expect(faults.map((f) => f.target).sort()).toEqual([
        `default/${dbPod}/main#target`,
        `default/${webPod}/main`,
      ]);
      // Chaos Mesh's names: web drops what it sends to db, db what it receives from web.
      expect((await web.snapshot()).iptables).toContain(
        '-A OUTPUT/netwo_d40842f1b40af_ -m set --match-set netwo_d40842f1b40af_set_tgt dst -j DROP',
      );
      expect((await db.snapshot()).iptables).toContain(
        '-A INPUT/netwo_d40842f1b40af7_ -m set --match-set netwo_d40842f1b40af_set_src src -j DROP',
      );
      expect(await httpFrom(web, `http://${link.bIp}:8080/`, 2)).toBe('timeout');
      expect(await httpFrom(db, `http://${link.aIp}:8080/`, 2)).toBe('timeout');
      // Other peers are not partitioned.
      expect(await httpGet(`http://${web.ip}:8080/`, 3_000)).toBe(200);

      const status = await handle.result();
      expect(status.phase).toBe('Succeeded');
      expect(await httpFrom(web, `http://${link.bIp}:8080/`, 3)).toBe('200');
      expect(await httpFrom(db, `http://${link.aIp}:8080/`, 3)).toBe('200');
    });

    for (const [first, second] of [
      ['partition', 'bandwidth'],
      ['bandwidth', 'partition'],
    ] as const) {
      it(`merges a partition and a bandwidth limit on one pod and unwinds them, ${first} first`, async () => {
        const web = await host({ process: 'http' });
        await env.writeInventory([
          {
            name: 'web-0',
            labels: { app: 'web' },
            ips: [web.ip],
            containers: [{ name: 'main', pid: web.pid }],
          },
        ]);
        const deadline = { [first]: '6s', [second]: '12s' } as Record<'partition' | 'bandwidth', string>;
        const handle = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: merge, namespace: default }
spec:
  entry: both
  templates:
    - name: both
      templateType: Parallel
      children: [partition, bandwidth]
    - name: partition
      templateType: NetworkChaos
      deadline: ${deadline.partition}
      networkChaos:
        action: partition
        mode: all
        selector: { labelSelectors: { app: web } }
        externalTargets: [10.203.0.1]
    - name: bandwidth
      templateType: NetworkChaos
      deadline: ${deadline.bandwidth}
      networkChaos:
        action: bandwidth
        mode: all
        selector: { labelSelectors: { app: web } }
        bandwidth: { rate: 100kbps, limit: 20971520, buffer: 10000 }
`);
        await env.waitForFaults(handle, (f) => f.length === 2 && f.every((e) => e.state === 'Injected'));
        const both = await web.snapshot();
        expect(both.iptables).toContain('-A OUTPUT/parti_');
        expect(both.ipsets).toContain('parti_');
        expect(both.qdiscs).toContain('tbf');
        // The download from the root namespace is not partitioned, but limited to about 100 kB/s.
        expect(await downloadRate(`http://${web.ip}:8080`, 2_000_000, 2_000)).toBeLessThan(400_000);

        await env.waitForFaults(handle, (f) =>
          f.some((e) => e.nodeId.endsWith(`/${first}`) && e.state === 'Recovered'),
        );
        const remaining = await web.snapshot();
        if (first === 'partition') {
          expect(remaining.iptables).not.toContain('parti_');
          expect(remaining.ipsets).not.toContain('parti_');
          expect(remaining.qdiscs).toContain('tbf');
        } else {
          expect(remaining.qdiscs).not.toContain('tbf');
          expect(remaining.iptables).toContain('-A OUTPUT/parti_');
        }
        expect((await handle.result()).phase).toBe('Succeeded');
        expect(await downloadRate(`http://${web.ip}:8080`, 2_000_000, 2_000)).toBeGreaterThan(1_000_000);
      });
    }

    it('burns CPU in the target cgroup with stress-ng and stops it on recovery', async () => {
      const target = await host({ process: 'sleep', cgroup: true });
      const cgroup = target.cgroup!;
      await env.writeInventory([
        { name: 'busy-0', labels: { app: 'busy' }, containers: [{ name: 'main', pid: target.pid }] },
      ]);
      const handle = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: stress-cpu, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: busy } }
  stressors: { cpu: { workers: 1, load: 100 } }
  duration: 6s
`);
      const [fault] = await env.waitForFaults(handle, (f) => f.length === 1 && f[0]!.state === 'Injected');
      expect(fault?.recoveryData?.['cpuInstance']).toMatch(/^\d+$/);
      const start = await cgroup.cpuUsageNs();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const burned = (await cgroup.cpuUsageNs()) - start;
      expect(burned).toBeGreaterThan(500_000_000);

      expect((await handle.result()).phase).toBe('Succeeded');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await cgroup.pids()).toEqual([target.pid]);
      const idleStart = await cgroup.cpuUsageNs();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await cgroup.cpuUsageNs()) - idleStart).toBeLessThan(100_000_000);
    });

    it('fails TimeChaos on a host process with the reason, and still ends fully recovered', async () => {
      const target = await host({ process: 'sleep' });
      await env.writeInventory([
        { name: podName('clock'), labels: { app: 'clock' }, containers: [{ name: 'main', pid: target.pid }] },
      ]);
      const time = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: TimeChaos
metadata: { name: time-offset, namespace: default }
spec: { mode: all, selector: { labelSelectors: { app: clock } }, timeOffset: -10m, duration: 5s }
`);
      const timeStatus = await finalStatus(time);
      expect(timeStatus.phase).toBe('Failed');
      expect(timeStatus.nodes['time-offset']?.errors.join(' ')).toMatch(/watchmaker/);
      const faults = await env.waitForFaults(time, (f) => f.length === 1);
      expect(faults[0]?.state).toBe('Recovered');
      expect(target.alive()).toBe(true);
    });

    const ioReason = ioChaosUnavailableReason();
    if (ioReason) process.stderr.write(`cannot run the IOChaos end-to-end test here: ${ioReason}\n`);
    (ioReason ? it.skip : it)(
      `injects IOChaos latency through the entity workflow into a process in its own mount namespace, and recovery unmounts${ioReason ? ` [cannot run here: ${ioReason}]` : ''}`,
      async () => {
        const target = await createMountNsTarget({ 'data/a.txt': 'payload', 'other/b.txt': 'other' });
        try {
          const before = await target.mountinfo();
          await env.writeInventory([
            {
              name: podName('disk'),
              labels: { app: 'disk' },
              containers: [{ name: 'main', pid: target.pid }],
            },
          ]);
          const handle = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: io-latency, namespace: default }
spec:
  action: latency
  mode: all
  selector: { labelSelectors: { app: disk } }
  volumePath: ${target.volume}
  path: '${target.volume}/data/**'
  methods: [read]
  delay: 400ms
  percent: 100
  duration: 6s
`);
          await env.waitForFaults(handle, (f) => f.some((e) => e.state === 'Injected'));
          const slow = await target.probe('read', `${target.volume}/data/a.txt`);
          const fast = await target.probe('read', `${target.volume}/other/b.txt`);
          process.stderr.write(
            `[io e2e latency 400ms] matching ${slow.ms.toFixed(0)} ms, other ${fast.ms.toFixed(0)} ms\n`,
          );
          expect(slow).toMatchObject({ ok: true, data: 'payload' });
          expect(slow.ms).toBeGreaterThanOrEqual(400);
          expect(fast.ms).toBeLessThan(300);
          expect((await handle.result()).phase).toBe('Succeeded');
          const faults = await env.waitForFaults(handle, (f) => f.every((e) => e.state === 'Recovered'));
          expect(faults).toHaveLength(1);
          expect(await target.mountinfo()).toBe(before);
        } finally {
          await target.destroy();
        }
      },
    );

    it('kills the selected process with container-kill', async () => {
      const target = await host({ process: 'sleep' });
      await env.writeInventory([
        { name: 'victim-0', labels: { app: 'victim' }, containers: [{ name: 'main', pid: target.pid }] },
      ]);
      expect(target.alive()).toBe(true);
      const handle = await run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: container-kill, namespace: default }
spec:
  action: container-kill
  mode: one
  selector: { labelSelectors: { app: victim } }
`);
      expect((await handle.result()).phase).toBe('Succeeded');
      const deadline = Date.now() + 5_000;
      while (target.alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(target.alive()).toBe(false);
    });
  },
  ['iptables', 'ipset', 'tc', 'nsenter', 'curl', 'stress-ng'],
);
