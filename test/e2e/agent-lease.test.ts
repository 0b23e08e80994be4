/**
 * The agent's lease on real parts (docs/design.md §4, layer 5): a Temporal dev server that keeps its state on
 * disk, a worker and the chaosflow agent each as its own process, a service in a network namespace. A run holds
 * a partition under a 5 s lease; the worker is SIGKILLed and the dev server stopped, so nobody renews and nobody
 * could recover: the agent recovers the partition on its own and says so. With the server and a worker back, the
 * run recovers idempotently and its ledger says the lease had recovered it. Figures are printed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { faultKeyValue } from '../../activities/daemon/daemon-client.js';
import { targetStateFaultKey } from '../../activities/faults/per-target-state/applier-deps.js';
import { freePort } from '../../embedded/free-port.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../embedded/netns-host.js';
import { TemporalDevServer } from '../../embedded/temporal-dev-server.js';
import { faultsQuery } from '../../workflows/messages.js';
import { runCli, startCli, type CliProcess } from '../harness/cli.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { requireTool } from '../../embedded/installed-tools.js';

describeWithNetns('the agent recovers a held fault when nobody renews its lease', () => {
  let dir: string;
  let host: NetnsHost;
  let before: NetnsSnapshot;
  let temporalPort: number;
  let temporal: TemporalDevServer | undefined;
  let agent: CliProcess | undefined;
  let worker: CliProcess | undefined;
  const pool = new DaemonClientPool({ defaultDeadlineMs: 10_000 });
  let agentAddress: string;
  let inventoryFile: string;

  const startTemporal = async (): Promise<TemporalDevServer> =>
    TemporalDevServer.start({
      executable: requireTool('temporal'),
      dataDir: join(dir, 'temporal'),
      persist: true,
      port: temporalPort,
    });
  const startWorker = (): CliProcess =>
    startCli(
      [
        'worker',
        '--address',
        `127.0.0.1:${temporalPort}`,
        '--inventory',
        inventoryFile,
        '--log-level',
        'warn',
        '--janitor-interval',
        '0',
      ],
      { timeoutMs: 600_000 },
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-e2e-lease-'));
    host = await createNetnsHost({ process: 'http' });
    before = await host.snapshot();
    temporalPort = await freePort();
    agentAddress = `127.0.0.1:${await freePort()}`;
    agent = startCli(
      [
        'agent',
        '--listen',
        agentAddress,
        '--state-dir',
        join(dir, 'agent'),
        '--insecure-plaintext-loopback',
        '--lease',
        '5s',
        '--log-level',
        'info',
      ],
      { timeoutMs: 600_000 },
    );
    inventoryFile = join(dir, 'inventory.yaml');
    await writeFile(
      inventoryFile,
      [
        'nodes:',
        '  - name: local',
        `    daemon: { address: "${agentAddress}" }`,
        'pods:',
        '  - namespace: default',
        '    name: lease-0',
        '    labels: { app: lease }',
        '    node: local',
        `    ips: [${host.ip}]`,
        `    containers: [{ name: server, id: "${host.containerId}" }]`,
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'partition.yaml'),
      [
        'apiVersion: chaos-mesh.org/v1alpha1',
        'kind: NetworkChaos',
        'metadata: { name: lease-partition, namespace: default }',
        'spec:',
        '  action: partition',
        '  mode: all',
        '  direction: to',
        `  externalTargets: [${host.hostIp}]`,
        '  selector: { labelSelectors: { app: lease } }',
        '  duration: 45s',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'short-partition.yaml'),
      [
        'apiVersion: chaos-mesh.org/v1alpha1',
        'kind: NetworkChaos',
        'metadata: { name: drift-partition, namespace: default }',
        'spec:',
        '  action: partition',
        '  mode: all',
        '  direction: to',
        `  externalTargets: [${host.hostIp}]`,
        '  selector: { labelSelectors: { app: lease } }',
        '  duration: 8s',
        '',
      ].join('\n'),
    );
    temporal = await startTemporal();
    worker = startWorker();
  }, 120_000);

  it('reports drift in the ledger and the faults query when the namespace was changed during the fault', async () => {
    const started = await runCli([
      'run',
      join(dir, 'short-partition.yaml'),
      '--detach',
      '--address',
      `127.0.0.1:${temporalPort}`,
    ]);
    expect(started.code, started.stderr).toBe(0);
    await expect
      .poll(async () => (await host.snapshot()).iptables, { timeout: 60_000, interval: 200 })
      .toMatch(/CHAOS-OUTPUT/);
    await host.exec(['iptables', '-A', 'INPUT', '-s', '10.99.0.8/32', '-j', 'DROP']);
    const client = new Client({ connection: await Connection.connect({ address: temporal!.address }) });
    try {
      const handle = client.workflow.getHandle(started.stdout.trim());
      await handle.result();
      const faults = await handle.query(faultsQuery);
      expect(faults.map((f) => f.state)).toEqual(['Recovered']);
      expect(faults[0]!.lastError).toMatch(/drift in the target's network namespace after the last recover/);
      expect(faults[0]!.lastError).toContain('+"-A INPUT -s 10.99.0.8/32 -j DROP"');
      const shown = await runCli(['get', started.stdout.trim(), '--faults', '--address', temporal!.address]);
      expect(shown.stdout).toMatch(/Recovered .*drift in the target's network namespace.*10\.99\.0\.8\/32/);
    } finally {
      await client.connection.close();
      await host.exec(['iptables', '-D', 'INPUT', '-s', '10.99.0.8/32', '-j', 'DROP']);
    }
    expect(await host.snapshot()).toEqual(before);
  }, 120_000);

  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.done;
    await temporal?.stop();
    agent?.child.kill('SIGTERM');
    await agent?.done;
    pool.close();
    await host?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('recovers the partition itself while worker and server are down, and the run ends saying so', async () => {
    const started = await runCli([
      'run',
      join(dir, 'partition.yaml'),
      '--detach',
      '--address',
      `127.0.0.1:${temporalPort}`,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const workflowId = started.stdout.trim();
    await expect
      .poll(async () => (await host.snapshot()).iptables, { timeout: 60_000, interval: 200 })
      .toMatch(/CHAOS-OUTPUT/);
    const daemon = pool.get({ address: agentAddress, transport: { kind: 'plaintext' } });
    const key = faultKeyValue(targetStateFaultKey('network', { namespace: 'default', pod: 'lease-0' }));

    // Renewed by the run's worker: still held after twice the lease.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect((await host.snapshot()).iptables).toMatch(/CHAOS-OUTPUT/);
    const [held] = await daemon.listLeases();
    expect(held).toMatchObject({ key, state: 'HELD', lease_ms: 5_000 });
    const renewedAgo = Date.now() - Date.parse(held!.renewed_at);
    expect(renewedAgo).toBeLessThan(5_000);

    // Nobody left to renew or to recover.
    worker!.child.kill('SIGKILL');
    await worker!.done;
    const killedAt = Date.now();
    await temporal!.stop();
    temporal = undefined;

    await expect.poll(() => host.snapshot(), { timeout: 20_000, interval: 100 }).toEqual(before);
    const cleanAt = Date.now();
    await expect
      .poll(async () => (await daemon.listLeases())[0]?.recovered_at ?? '', { timeout: 5_000 })
      .not.toBe('');
    const [recovered] = await daemon.listLeases();
    expect(recovered).toMatchObject({ key, state: 'RECOVERED', lease_ms: 5_000 });
    expect(recovered!.message).toMatch(/recovered by the agent's lease at .*no renewal for 5s/);
    const expiryToRecovered = Date.parse(recovered!.recovered_at) - Date.parse(recovered!.expires_at);
    console.log(
      `lease e2e: worker killed -> namespace clean ${cleanAt - killedAt} ms (lease 5s), lease expiry -> ` +
        `recovered ${expiryToRecovered} ms, last renewal before the kill ${renewedAgo} ms before it was read`,
    );
    expect(agent!.stderr).toMatch(/lease expired; fault recovered by the agent/);

    // Everything back: the run recovers (idempotently) and its ledger says the lease did it.
    temporal = await startTemporal();
    worker = startWorker();
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    try {
      const handle = client.workflow.getHandle(workflowId);
      await handle.result();
      const faults = await handle.query(faultsQuery);
      expect(faults.map((f) => f.state)).toEqual(['Recovered']);
      expect(faults[0]!.lastError).toMatch(/recovered by the agent's lease at/);
      expect(await host.snapshot()).toEqual(before);
      // The recovery was reported to the run's recover; the agent keeps nothing more.
      expect(await daemon.listLeases()).toEqual([]);
      const shown = await runCli(['get', workflowId, '--faults', '--address', temporal.address]);
      expect(shown.stdout).toMatch(/Succeeded/);
      expect(shown.stdout).toMatch(/Recovered .*recovered by the agent's lease at/);
    } finally {
      await client.connection.close();
    }
  }, 240_000);
});
