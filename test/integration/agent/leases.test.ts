/**
 * The agent's leases (`agent/lease-book.ts`) on the real agent and real processes in network namespaces: a
 * partition applied with a fault key is kept while `chaosflow.agent.v1.Leases/RenewLeases` comes, is recovered
 * by the agent itself once renewals stop, and the recovery is reported by ListLeases and on the key's next call;
 * a lease that ran out while the agent was down is honoured when it starts again. Also measured: the renewal
 * round trip and the time from expiry to recovered (printed, not asserted).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { DaemonClient, FaultKey } from '../../../activities/daemon/daemon-client.js';
import { faultKeyValue } from '../../../activities/daemon/daemon-client.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { parseAgentConfig } from '../../../agent/config.js';
import { AgentConfigError } from '../../../agent/agent-error.js';
import type { JournalEntry } from '../../../agent/journal.js';
import { isAlive } from '../../../agent/process-info.js';
import { freePort } from '../../../embedded/free-port.js';
import { ManagedProcess } from '../../../embedded/managed-process.js';
import { createNetnsHost, type NetnsHost } from '../../../embedded/netns-host.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';
import { httpGet } from './http-probe.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function partition(
  client: DaemonClient,
  host: NetnsHost,
  faultKey: FaultKey | undefined,
  lease?: string,
): Promise<void> {
  const options = { ...(faultKey ? { faultKey } : {}), ...(lease ? { lease } : {}) };
  await client.call(
    'FlushIPSets',
    { container_id: host.containerId, ipsets: [{ name: 'cf_lease_peer', cidrs: [`${host.hostIp}/32`] }] },
    options,
  );
  await client.call(
    'SetIptablesChains',
    {
      container_id: host.containerId,
      chains: [{ name: 'INPUT/cf_lease', direction: 'INPUT', ipsets: ['cf_lease_peer'], target: 'DROP' }],
    },
    options,
  );
}

/** The recover the workflow sends: both lists empty; returns the warnings the agent sent back. */
async function unpartition(client: DaemonClient, host: NetnsHost, faultKey: FaultKey): Promise<string[]> {
  const a = await client.callWithWarnings(
    'SetIptablesChains',
    { container_id: host.containerId, chains: [] },
    { faultKey },
  );
  const b = await client.callWithWarnings(
    'FlushIPSets',
    { container_id: host.containerId, ipsets: [] },
    { faultKey },
  );
  return [...a.warnings, ...b.warnings];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describeWithNetns('chaosflow agent: leases on the faults it holds', () => {
  const fixtures: AgentFixture[] = [];
  const hosts: NetnsHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.destroy();
    for (const f of fixtures.splice(0)) await f.stop();
  });
  const start = async (lease?: string): Promise<AgentFixture> => {
    const fixture = await startAgentFixture(lease ? { lease } : {});
    fixtures.push(fixture);
    return fixture;
  };
  const netnsHost = async (): Promise<NetnsHost> => {
    const host = await createNetnsHost({ process: 'http' });
    hosts.push(host);
    return host;
  };

  it('keeps a partition while it is renewed, recovers it itself once renewals stop, and says so', async () => {
    const { client } = await start('2s');
    const host = await netnsHost();
    const before = await host.snapshot();
    const url = `http://${host.ip}:${host.port}/`;
    const faultKey = { run: 'run-renewed', node: 'partition', target: host.containerId };
    const key = faultKeyValue(faultKey);
    await partition(client, host, faultKey);

    // Renewed every 500 ms for twice the lease: still held.
    const roundTrips: number[] = [];
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      const t0 = performance.now();
      const [status] = await client.renewLeases([key]);
      roundTrips.push(performance.now() - t0);
      expect(status).toMatchObject({ key, state: 'HELD', lease_ms: 2_000 });
      await sleep(500);
    }
    expect(await httpGet(url, 1_000)).toBe('timeout');
    expect((await client.listLeases()).map((l) => [l.key, l.state])).toEqual([[key, 'HELD']]);

    // Renewals stop: within the lease (plus the revert) the namespace is as before, without any call.
    const [held] = await client.renewLeases([key]);
    const expiresAt = Date.parse(held!.expires_at);
    await waitFor(
      'the lease recovery',
      async () => JSON.stringify(await host.snapshot()) === JSON.stringify(before),
      6_000,
    );
    const recoveredSeenAt = Date.now();
    await waitFor(
      'the recovery record',
      async () => (await client.listLeases())[0]?.recovered_at !== '',
      2_000,
    );
    expect(await httpGet(url, 3_000)).toBe(200);
    const [listed] = await client.listLeases();
    expect(listed).toMatchObject({ key, state: 'RECOVERED', lease_ms: 2_000 });
    expect(listed!.message).toMatch(/recovered by the agent's lease at .*no renewal for 2s/);
    const recoveredAt = Date.parse(listed!.recovered_at);
    expect(recoveredAt).toBeGreaterThanOrEqual(expiresAt);
    expect((await client.renewLeases([key]))[0]).toMatchObject({ state: 'RECOVERED' });

    // The workflow's late recover succeeds and is told, once.
    const warnings = await unpartition(client, host, faultKey);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/recovered by the agent's lease/);
    expect(await unpartition(client, host, faultKey)).toEqual([]);
    expect(await client.listLeases()).toEqual([]);
    expect(await host.snapshot()).toEqual(before);

    const sorted = roundTrips.sort((a, b) => a - b);
    console.log(
      `lease figures: renewal round trip median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(2)} ms over ${sorted.length} renewals; expiry -> recovered ` +
        `${recoveredAt - expiresAt} ms (agent's record), expiry -> namespace clean seen ${recoveredSeenAt - expiresAt} ms`,
    );
  });

  it('takes a lease from the inject’s chaosflow-lease metadata over the agent default', async () => {
    const { client } = await start(); // default 60 s
    const host = await netnsHost();
    const before = await host.snapshot();
    const faultKey = { run: 'run-short', node: 'partition', target: host.containerId };
    await partition(client, host, faultKey, '1s');
    const [status] = await client.renewLeases([faultKeyValue(faultKey)]);
    expect(status).toMatchObject({ state: 'HELD', lease_ms: 1_000 });
    const ms = await waitFor(
      'the 1s lease to recover the partition',
      async () => JSON.stringify(await host.snapshot()) === JSON.stringify(before),
      5_000,
    );
    expect(ms).toBeLessThan(4_000);
    await waitFor(
      'the recovery record',
      async () => (await client.listLeases())[0]?.recovered_at !== '',
      2_000,
    );
    expect((await client.listLeases())[0]).toMatchObject({ state: 'RECOVERED', lease_ms: 1_000 });
  });

  it('gives a DNS fault (SetDNSChaos) the same lease: kept while renewed, recovered by the agent after, and told', async () => {
    const fixture = await start();
    const { client } = fixture;
    const host = await netnsHost();
    const before = await host.snapshot();
    const faultKey = { run: 'run-dns-lease', node: 'dns', target: host.containerId };
    const key = faultKeyValue(faultKey);
    const journalFiles = async (): Promise<string[]> =>
      (await readdir(join(fixture.stateDir, 'journal'))).filter((f) => f.endsWith('.json'));
    const injected = await client.callExtensionWithWarnings(
      'SetDNSChaos',
      { container_id: host.containerId, action: 'error', patterns: ['chaos-mesh.*'], upstream: host.hostIp },
      { faultKey, lease: '1s' },
    );
    expect(injected.warnings).toEqual([]);
    const responder = injected.response.instance;
    expect(await isAlive(responder)).toBe(true);
    expect((await host.snapshot()).iptables).toContain('CHAOSFLOW-DNS');
    const [file] = await journalFiles();
    const entry = JSON.parse(
      await readFile(join(fixture.stateDir, 'journal', file!), 'utf8'),
    ) as JournalEntry;
    expect(entry).toMatchObject({ key, lastRpc: 'SetDNSChaos', dns: { redirect: true } });

    // Renewed every 300 ms for twice its lease: still there.
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      expect((await client.renewLeases([key]))[0]).toMatchObject({ key, state: 'HELD', lease_ms: 1_000 });
      await sleep(300);
    }
    expect((await host.snapshot()).iptables).toContain('CHAOSFLOW-DNS');

    // Renewals stop: the agent reverts the redirect and stops the responder itself, and forgets the entry.
    await waitFor(
      'the lease to recover the DNS fault',
      async () => JSON.stringify(await host.snapshot()) === JSON.stringify(before),
      5_000,
    );
    await waitFor('the responder to stop', async () => !(await isAlive(responder)), 12_000);
    await waitFor(
      'the recovery record',
      async () => (await client.listLeases())[0]?.recovered_at !== '',
      2_000,
    );
    expect((await client.listLeases())[0]).toMatchObject({ key, state: 'RECOVERED', lease_ms: 1_000 });
    expect(await journalFiles()).toEqual([]);

    // The workflow's late recover succeeds and is told, once.
    const recover = (): Promise<readonly string[]> =>
      client
        .callExtensionWithWarnings(
          'SetDNSChaos',
          { container_id: host.containerId, action: '' },
          { faultKey },
        )
        .then((answer) => answer.warnings);
    expect(await recover()).toEqual([
      expect.stringMatching(/recovered by the agent's lease .*no renewal for 1s/),
    ]);
    expect(await recover()).toEqual([]);
    expect(await client.listLeases()).toEqual([]);
    expect(await host.snapshot()).toEqual(before);
  });

  it('gives no lease to calls without a chaosflow fault key (Chaos Mesh’s controller never renews)', async () => {
    const { client } = await start('1s');
    const host = await netnsHost();
    const before = await host.snapshot();
    await partition(client, host, undefined);
    await sleep(2_000);
    expect((await host.snapshot()).iptables).toContain('cf_lease');
    expect(await client.listLeases()).toEqual([]);
    await client.call('SetIptablesChains', { container_id: host.containerId, chains: [] });
    await client.call('FlushIPSets', { container_id: host.containerId, ipsets: [] });
    expect(await host.snapshot()).toEqual(before);
  });

  it('refuses bad lease values with a clear error', async () => {
    const { client } = await start();
    const host = await netnsHost();
    const faultKey = { run: 'run-bad', node: 'partition', target: host.containerId };
    const refusal = async (lease: string, key: FaultKey | undefined): Promise<DaemonError> => {
      const err = await partition(client, host, key, lease).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DaemonError);
      expect((err as DaemonError).context.status).toBe('INVALID_ARGUMENT');
      return err as DaemonError;
    };
    expect((await refusal('soon', faultKey)).message).toMatch(
      /metadata chaosflow-lease: "soon" is not a duration; write it like 60s/,
    );
    expect((await refusal('0s', faultKey)).message).toMatch(
      /"0s" is out of range: a lease lasts from 1s to 24h/,
    );
    expect((await refusal('25h', faultKey)).message).toMatch(/out of range/);
    expect((await refusal('30s', undefined)).message).toMatch(/needs the chaosflow-fault-key metadata/);
    // Nothing was applied by the refused calls.
    expect((await host.snapshot()).iptables).not.toContain('cf_lease');

    for (const bad of ['abc', '500ms', '48h', '-5s']) {
      expect(() => parseAgentConfig({ lease: bad, insecurePlaintextLoopback: true }, {})).toThrow(
        AgentConfigError,
      );
    }
    expect(() => parseAgentConfig({}, { CHAOSFLOW_AGENT_LEASE: 'x' })).toThrow(
      /--lease \(or CHAOSFLOW_AGENT_LEASE\): "x" is not a duration; write it like 60s, 5m or 1h30m; or 0 for no leases/,
    );
    expect(parseAgentConfig({ lease: '0' }, {}).leaseMs).toBe(0);
    expect(parseAgentConfig({}, {}).leaseMs).toBe(60_000);
  });
});

describeWithNetns('chaosflow agent: a lease that ran out while the agent was down', () => {
  let stateDir: string;
  const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
  const processes: ManagedProcess[] = [];
  let host: NetnsHost | undefined;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-agent-lease-'));
  });
  afterAll(async () => {
    for (const p of processes.splice(0)) await p.stop(2_000);
    await host?.destroy();
    pool.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const startAgent = async (): Promise<{
    process: ManagedProcess;
    client: DaemonClient;
    readyMs: number;
  }> => {
    const started = Date.now();
    const port = await freePort();
    const agent = ManagedProcess.start({
      name: 'agent',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        'cli/main.ts',
        'agent',
        '--state-dir',
        stateDir,
        '--listen',
        `127.0.0.1:${port}`,
        '--insecure-plaintext-loopback',
        '--lease',
        '2s',
      ],
      logFile: join(stateDir, 'agent-process.log'),
      cwd: repoRoot,
    });
    processes.push(agent);
    const client = pool.get({ address: `127.0.0.1:${port}`, transport: { kind: 'plaintext' } });
    await waitFor(
      'the agent to answer',
      async () => {
        if (!agent.alive) throw new Error(`the agent exited:\n${await agent.tail()}`);
        return client.listLeases({ deadlineMs: 1_000 }).then(
          () => true,
          () => false,
        );
      },
      60_000,
    );
    return { process: agent, client, readyMs: Date.now() - started };
  };

  it('recovers it on start, before serving, and reports it', async () => {
    host = await createNetnsHost({ process: 'http' });
    const before = await host.snapshot();
    const first = await startAgent();
    const faultKey = { run: 'run-down', node: 'partition', target: host.containerId };
    await partition(first.client, host, faultKey);
    first.process.kill('SIGKILL');
    await first.process.exited;
    await sleep(3_000);
    // Nobody was there to recover it.
    expect((await host.snapshot()).iptables).toContain('cf_lease');

    const second = await startAgent();
    expect(await host.snapshot()).toEqual(before);
    const [listed] = await second.client.listLeases();
    expect(listed).toMatchObject({ key: faultKeyValue(faultKey), state: 'RECOVERED', lease_ms: 2_000 });
    expect(await unpartition(second.client, host, faultKey)).toEqual([
      expect.stringMatching(/recovered by the agent's lease/),
    ]);
    expect(await second.process.tail()).toMatch(/leases that ran out while the agent was down/);
  });
});
