/**
 * Micro-benchmark of the agent's leases (real agent in this process, plaintext on loopback, a target in a
 * network namespace): the RenewLeases round trip of one held partition, and the time from a lease's expiry to
 * the fault recovered by the agent (its recovery record: recovered_at - expires_at), over several expiries of a
 * 1 s lease. Needs root and `ip netns`. Prints median, p95 and max as JSON on stdout.
 *
 *   npx tsx scripts/bench/lease-renewal.ts [renewals=200] [expiries=10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { faultKeyValue, type DaemonClient, type FaultKey } from '../../activities/daemon/daemon-client.js';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { Agent } from '../../agent/agent.js';
import { parseAgentConfig } from '../../agent/config.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../embedded/netns-host.js';

const renewals = Math.max(20, Number(process.argv[2] ?? 200));
const expiries = Math.max(3, Number(process.argv[3] ?? 10));

function summary(samples: readonly number[]): { median: number; p95: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1) ?? NaN), n: sorted.length };
}

async function partition(
  client: DaemonClient,
  host: NetnsHost,
  faultKey: FaultKey,
  lease?: string,
): Promise<void> {
  const options = { faultKey, ...(lease ? { lease } : {}) };
  const container_id = host.containerId;
  await client.call(
    'FlushIPSets',
    { container_id, ipsets: [{ name: 'cf_lb_peer', cidrs: [`${host.hostIp}/32`] }] },
    options,
  );
  await client.call(
    'SetIptablesChains',
    {
      container_id,
      chains: [{ name: 'INPUT/cf_lb', direction: 'INPUT', ipsets: ['cf_lb_peer'], target: 'DROP' }],
    },
    options,
  );
}

async function main(): Promise<void> {
  const reason = netnsUnavailableReason();
  if (reason) {
    process.stderr.write(`lease-renewal: cannot run here: ${reason}\n`);
    process.exitCode = 2;
    return;
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-lease-'));
  const config = parseAgentConfig(
    { listen: '127.0.0.1:0', stateDir, logLevel: 'warn', insecurePlaintextLoopback: true, lease: '60s' },
    {},
  );
  const agent = await Agent.start(config, pino({ level: 'warn' }, pino.destination(2)));
  const pool = new DaemonClientPool();
  const host = await createNetnsHost({ process: 'sleep' });
  try {
    const client = pool.get({ address: agent.address, transport: { kind: 'plaintext' } });
    const held = { run: 'bench-held', node: 'partition', target: host.containerId };
    await partition(client, host, held);
    const key = faultKeyValue(held);
    const roundTrips: number[] = [];
    for (let i = 0; i < renewals + 5; i++) {
      const t0 = performance.now();
      const [status] = await client.renewLeases([key]);
      if (status?.state !== 'HELD') throw new Error(`the lease is ${status?.state}, not HELD`);
      if (i >= 5) roundTrips.push(performance.now() - t0);
    }
    await client.call(
      'SetIptablesChains',
      { container_id: host.containerId, chains: [] },
      { faultKey: held },
    );
    await client.call('FlushIPSets', { container_id: host.containerId, ipsets: [] }, { faultKey: held });

    const late: number[] = [];
    for (let i = 0; i < expiries; i++) {
      const faultKey = { run: `bench-expiry-${i}`, node: 'partition', target: host.containerId };
      await partition(client, host, faultKey, '1s');
      for (;;) {
        const [status] = await client.renewLeases([]).then(() => client.listLeases());
        if (status?.state === 'RECOVERED' && status.recovered_at !== '') {
          late.push(Date.parse(status.recovered_at) - Date.parse(status.expires_at));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The late recover consumes the record.
      await client.call('SetIptablesChains', { container_id: host.containerId, chains: [] }, { faultKey });
    }
    const result = { renewalRoundTripMs: summary(roundTrips), expiryToRecoveredMs: summary(late) };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    pool.close();
    await host.destroy();
    await agent.stop({ graceMs: 1_000 });
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
