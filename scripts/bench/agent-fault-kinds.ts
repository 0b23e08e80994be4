/**
 * Micro-benchmark: the inject + recover round trip of each fault kind the chaosflow agent gained for hosts
 * without netem or Chaos Mesh's helpers, on one target in a network namespace, through the daemon client and a
 * real agent (in this process, plaintext on loopback):
 * - loss: SetTcs with a loss-only NETEM rule (iptables statistic on this kernel, netem where it exists), then
 *   SetTcs([]);
 * - http: ApplyHttpChaos with one delay rule (starts the fault proxy in the namespace, redirects the port),
 *   then ApplyHttpChaos with no rules (drains and stops it);
 * - dns: SetDNSChaos error (starts the responder, redirects DNS), then SetDNSChaos with an empty action;
 * - io: ApplyIOChaos with one latency action on a process in a mount namespace of its own (`unshare -m`): checks
 *   the actions, mounts chaosflow-iofs over the volume; then ApplyIOChaos with `[]` (the helper unmounts and
 *   exits). Left out, with the reason, where chaosflow-iofs or /dev/fuse is missing.
 * Needs root and `ip netns`. Prints median and p95 per kind and phase as a table and as JSON on stdout.
 *
 *   npx tsx scripts/bench/agent-fault-kinds.ts [iterations=20]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DaemonClientPool } from '../../activities/daemon/daemon-client-pool.js';
import type { DaemonClient } from '../../activities/daemon/daemon-client.js';
import { Agent } from '../../agent/agent.js';
import { parseAgentConfig } from '../../agent/config.js';
import { locateTool } from '../../embedded/installed-tools.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../embedded/netns-host.js';

const iterations = Math.max(10, Number(process.argv[2] ?? 20));

function summary(samples: readonly number[]): { median: number; p95: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    median: round(at(50)),
    p95: round(at(95)),
    min: round(sorted[0] ?? NaN),
    max: round(sorted.at(-1) ?? NaN),
  };
}

type Kind = 'loss' | 'http' | 'dns' | 'io';

/** The IOChaos target: a sleeping process in its own mount namespace and a volume folder. */
interface IoTarget {
  readonly containerId: string;
  readonly volume: string;
}

function steps(
  client: DaemonClient,
  host: NetnsHost,
  kind: Kind,
  i: number,
  io: IoTarget | undefined,
): [() => Promise<unknown>, () => Promise<unknown>] {
  const container_id = host.containerId;
  const options = { faultKey: { run: `bench-${i}`, node: kind, target: container_id } };
  switch (kind) {
    case 'loss':
      return [
        () =>
          client.call(
            'SetTcs',
            { container_id, tcs: [{ type: 'NETEM', netem: { loss: 30 }, device: 'eth0' }] },
            options,
          ),
        () => client.call('SetTcs', { container_id, tcs: [] }, options),
      ];
    case 'http': {
      const rules = JSON.stringify([
        { target: 'Request', selector: { port: 8080 }, actions: { delay: '100ms' } },
      ]);
      return [
        () => client.call('ApplyHttpChaos', { container_id, rules, proxy_ports: [8080] }, options),
        () => client.call('ApplyHttpChaos', { container_id, rules: '[]', proxy_ports: [] }, options),
      ];
    }
    case 'dns':
      return [
        () =>
          client.callExtension(
            'SetDNSChaos',
            { container_id, action: 'error', upstream: host.hostIp },
            options,
          ),
        () => client.callExtension('SetDNSChaos', { container_id, action: '' }, options),
      ];
    case 'io': {
      const target = io as IoTarget;
      const ioOptions = { faultKey: { run: `bench-${i}`, node: kind, target: target.containerId } };
      const actions = JSON.stringify([
        { type: 'latency', path: '**/*.txt', methods: ['read'], latency: '10ms' },
      ]);
      const call = (text: string) =>
        client.call(
          'ApplyIOChaos',
          { container_id: target.containerId, actions: text, volume: target.volume, enterNS: true },
          ioOptions,
        );
      return [() => call(actions), () => call('[]')];
    }
  }
}

/** `unshare` execs sleep once the namespace is made. */
async function waitForOwnMountNamespace(pid: number): Promise<void> {
  const ours = await readlink('/proc/self/ns/mnt');
  for (let i = 0; i < 250; i++) {
    const theirs = await readlink(`/proc/${pid}/ns/mnt`).catch(() => ours);
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (theirs !== ours && comm.trim() === 'sleep') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${pid} did not get a mount namespace of its own`);
}

async function main(): Promise<void> {
  const reason = netnsUnavailableReason();
  if (reason) {
    process.stderr.write(`agent-fault-kinds: cannot run here: ${reason}\n`);
    process.exitCode = 2;
    return;
  }
  const stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-'));
  const iofs = locateTool('chaosflow-iofs');
  const ioReason = !existsSync('/dev/fuse') ? 'no /dev/fuse' : iofs.found ? undefined : iofs.reason;
  if (ioReason) process.stderr.write(`agent-fault-kinds: io left out: ${ioReason}\n`);
  const config = parseAgentConfig(
    { listen: '127.0.0.1:0', stateDir, logLevel: 'warn', insecurePlaintextLoopback: true, iofs: iofs.path },
    {},
  );
  const agent = await Agent.start(config, pino({ level: 'warn' }, pino.destination(2)));
  const pool = new DaemonClientPool();
  const host = await createNetnsHost({ process: 'sleep' });
  const volume = join(stateDir, 'volume');
  await mkdir(volume);
  const sleeper = ioReason
    ? undefined
    : spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sleep', '3600'], { stdio: 'ignore' });
  const io: IoTarget | undefined = sleeper ? { containerId: `pid://${sleeper.pid}`, volume } : undefined;
  if (sleeper) await waitForOwnMountNamespace(sleeper.pid as number);
  try {
    const client = pool.get({ address: agent.address, transport: { kind: 'plaintext' } });
    const results: Record<string, unknown> = {};
    const lines: string[] = [
      `agent fault kinds, ${iterations} iterations each, one target`,
      '  kind  phase       median     p95     min     max  (ms)',
    ];
    for (const kind of ['loss', 'http', 'dns', ...(io ? (['io'] as const) : [])] as const) {
      const inject: number[] = [];
      const recover: number[] = [];
      for (let i = 0; i < iterations + 2; i++) {
        const [apply, clear] = steps(client, host, kind, i, io);
        const t0 = performance.now();
        await apply();
        const t1 = performance.now();
        await clear();
        const t2 = performance.now();
        if (i < 2) continue; // warm-up
        inject.push(t1 - t0);
        recover.push(t2 - t1);
      }
      const figures = { injectMs: summary(inject), recoverMs: summary(recover) };
      results[kind] = figures;
      for (const [phase, s] of Object.entries(figures)) {
        lines.push(
          `  ${kind.padEnd(5)} ${phase.padEnd(10)} ${[s.median, s.p95, s.min, s.max].map((n) => n.toFixed(1).padStart(7)).join(' ')}`,
        );
      }
    }
    process.stdout.write([...lines, JSON.stringify({ iterations, ...results }), ''].join('\n'));
  } finally {
    pool.close();
    sleeper?.kill('SIGKILL');
    await host.destroy();
    await agent.stop({ graceMs: 2_000 });
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
