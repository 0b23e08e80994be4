/**
 * Micro-benchmark: the inject + recover round trip of a partition on one target, through the daemon client
 * and a real chaosflow agent (in this process, plaintext on loopback), as a chaos node would do it:
 * inject = FlushIPSets + SetIptablesChains, recover = FlushIPSets([]) + SetIptablesChains([]).
 * Needs root and `ip netns`. Prints median and p95 per phase as a table and as JSON on stdout.
 *
 *   npx tsx scripts/bench/agent-round-trip.ts [iterations=100]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import { Agent } from '../../agent/agent.js';
import { parseAgentConfig } from '../../agent/config.js';
import { createNetnsHost, netnsUnavailableReason } from '../../embedded/netns-host.js';

const iterations = Math.max(50, Number(process.argv[2] ?? 100));

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function summary(samples: readonly number[]): { median: number; p95: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    median: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function main(): Promise<void> {
  const reason = netnsUnavailableReason();
  if (reason) {
    process.stderr.write(`agent-round-trip: cannot run here: ${reason}\n`);
    process.exitCode = 2;
    return;
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-'));
  const config = parseAgentConfig(
    { listen: '127.0.0.1:0', stateDir, logLevel: 'warn', insecurePlaintextLoopback: true },
    {},
  );
  const agent = await Agent.start(config, pino({ level: 'warn' }, pino.destination(2)));
  const pool = new DaemonClientPool();
  const host = await createNetnsHost({ process: 'sleep' });
  try {
    const client = pool.get({ address: agent.address, transport: { kind: 'plaintext' } });
    const container_id = host.containerId;
    const inject: number[] = [];
    const recover: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < iterations + 3; i++) {
      const faultKey = { run: `bench-${i}`, node: 'partition', target: container_id };
      const t0 = performance.now();
      await client.call(
        'FlushIPSets',
        { container_id, ipsets: [{ name: 'cf_bench_peer', cidrs: [`${host.hostIp}/32`] }] },
        { faultKey },
      );
      await client.call(
        'SetIptablesChains',
        {
          container_id,
          chains: [{ name: 'INPUT/cf_bench', direction: 'INPUT', ipsets: ['cf_bench_peer'], target: 'DROP' }],
        },
        { faultKey },
      );
      const t1 = performance.now();
      await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
      await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
      const t2 = performance.now();
      if (i < 3) continue; // warm-up: channel, tsx compilation, first iptables table setup
      inject.push(t1 - t0);
      recover.push(t2 - t1);
      total.push(t2 - t0);
    }
    const result = {
      iterations,
      target: 'partition on one target (FlushIPSets + SetIptablesChains, then both with empty lists)',
      injectMs: summary(inject),
      recoverMs: summary(recover),
      roundTripMs: summary(total),
    };
    process.stdout.write(
      [
        `agent round trip, ${iterations} iterations, partition on one target`,
        `  phase       median     p95     min     max  (ms)`,
        ...(['injectMs', 'recoverMs', 'roundTripMs'] as const).map((k) => {
          const s = result[k];
          return `  ${k.padEnd(10)} ${[s.median, s.p95, s.min, s.max].map((n) => n.toFixed(1).padStart(7)).join(' ')}`;
        }),
        JSON.stringify(result),
        '',
      ].join('\n'),
    );
  } finally {
    pool.close();
    await host.destroy();
    await agent.stop({ graceMs: 2_000 });
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
