/**
 * What the agent refuses to touch and how much it takes, against the real agent, iptables and ipset in a
 * network namespace the test creates: pid 1 and the agent itself for every RPC that names a target (one
 * message), chains without Chaos Mesh's or chaosflow's prefix and chains of that name that are someone else's
 * (left exactly as they were), lists and strings over their limits and a message over 1 MiB; and a large
 * FlushIPSets applied with a single `ipset restore`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { createNetnsHost, type NetnsHost } from '../../../embedded/netns-host.js';
import type { ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

let fixture: AgentFixture;
let host: NetnsHost;

async function failure(rpc: ChaosDaemonRpc, request: Record<string, unknown>): Promise<DaemonError> {
  const result = await fixture.client.call(rpc, request).then(
    () => undefined,
    (err: unknown) => err as DaemonError,
  );
  if (!result) throw new Error(`${rpc} succeeded: ${JSON.stringify(request).slice(0, 200)}`);
  return result;
}

/** 10.<a>.<b>.<c>/32 for i = 0.. */
const cidrs = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);

describeWithNetns('chaosflow agent: protected targets, chain prefixes and request limits', () => {
  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'sleep' });
  });
  afterAll(async () => {
    await fixture?.stop();
    await host?.destroy();
  });

  it('refuses pid 1 and the agent itself with the same message for every RPC that names a target', async () => {
    const requests = (id: string, pid: string): [ChaosDaemonRpc, Record<string, unknown>][] => [
      ['ContainerKill', { container_id: id, action: { action: 'KILL' } }],
      ['ContainerGetPid', { container_id: id }],
      ['FlushIPSets', { container_id: id, ipsets: [{ name: 'cf_x', cidrs: ['10.0.0.1/32'] }] }],
      ['FlushIPSets', { container_id: id, ipsets: [] }],
      ['SetIptablesChains', { container_id: id, chains: [] }],
      ['SetTcs', { container_id: id, tcs: [] }],
      ['ExecStressors', { target: id, cpuStressors: '--cpu 1' }],
      ['CancelStressors', { cpuInstance: pid, cpuStartTime: '1' }],
    ];
    for (const [pid, what] of [
      [1, 'init (pid 1)'],
      [process.pid, 'the chaosflow agent itself'],
    ] as const) {
      for (const [rpc, request] of requests(`pid://${pid}`, String(pid))) {
        const error = await failure(rpc, request);
        expect(error.context.status, rpc).toBe('FAILED_PRECONDITION');
        expect(error.context.serverMessage, rpc).toMatch(
          new RegExp(
            `pid://${pid} is ${what.replace(/[()]/g, '\\$&')}: the agent never acts on init or on itself`,
          ),
        );
      }
    }
    expect(host.alive()).toBe(true);
  });

  it('touches only chains with the prefixes Chaos Mesh and chaosflow generate, and never chains it did not create', async () => {
    // A user's own chains, each with a rule: one without the prefixes, one that happens to carry one.
    for (const name of ['USERCHAIN', 'INPUT/user']) {
      await host.exec(['iptables', '-w', '5', '-N', name]);
      await host.exec(['iptables', '-w', '5', '-A', name, '-s', '192.0.2.1/32', '-j', 'DROP']);
    }
    const before = await host.snapshot();
    const chain = (name: string) => ({ name, direction: 'INPUT' as const, ipsets: [], target: 'DROP' });

    for (const name of ['USERCHAIN', 'INPUT', 'CHAOS-INPUT', 'FORWARD/x', 'INPUT/']) {
      const error = await failure('SetIptablesChains', {
        container_id: host.containerId,
        chains: [chain(name)],
      });
      expect(error.context.status, name).toBe('INVALID_ARGUMENT');
      expect(error.context.serverMessage, name).toContain(
        'only chains named INPUT/<name>, OUTPUT/<name>, CHAOSFLOW/<name>',
      );
    }
    const taken = await failure('SetIptablesChains', {
      container_id: host.containerId,
      chains: [chain('INPUT/user')],
    });
    expect(taken.context.status).toBe('FAILED_PRECONDITION');
    expect(taken.context.serverMessage).toContain('chains named INPUT/user that chaosflow did not create');
    expect((await host.snapshot()).iptables).toBe(before.iptables);

    // Its own chains it sets, sets again (flushing them is fine: they are its own) and removes.
    const mine = {
      container_id: host.containerId,
      chains: [chain('INPUT/cf_mine'), chain('CHAOSFLOW/cf_x')],
    };
    await fixture.client.call('SetIptablesChains', mine);
    await fixture.client.call('SetIptablesChains', mine);
    expect((await host.snapshot()).iptables).toContain('-A CHAOS-INPUT -j INPUT/cf_mine');
    await fixture.client.call('SetIptablesChains', { container_id: host.containerId, chains: [] });
    expect((await host.snapshot()).iptables).toBe(before.iptables);
    expect(before.iptables).toContain('-A INPUT/user -s 192.0.2.1/32 -j DROP');
    expect(before.iptables).toContain('-A USERCHAIN -s 192.0.2.1/32 -j DROP');
  });

  it('refuses lists and strings over their limits, naming the field, and a message over 1 MiB', async () => {
    const id = host.containerId;
    const cases: [ChaosDaemonRpc, Record<string, unknown>, RegExp][] = [
      [
        'FlushIPSets',
        { container_id: id, ipsets: [{ name: 'cf_big', cidrs: cidrs(16_385) }] },
        /ipsets\[0\]\.cidrs has 16385 entries; at most 16384/,
      ],
      [
        'FlushIPSets',
        {
          container_id: id,
          ipsets: Array.from({ length: 3 }, (_, i) => ({ name: `cf_s${i}`, cidrs: cidrs(12_000) })),
        },
        /ipsets has 36000 members in all; at most 32768/,
      ],
      [
        'FlushIPSets',
        { container_id: id, ipsets: Array.from({ length: 65 }, (_, i) => ({ name: `cf_${i}` })) },
        /^ipsets has 65 entries; at most 64/,
      ],
      [
        'SetIptablesChains',
        {
          container_id: id,
          chains: Array.from({ length: 65 }, (_, i) => ({ name: `INPUT/c${i}`, direction: 'INPUT' })),
        },
        /^chains has 65 entries; at most 64/,
      ],
      [
        'SetTcs',
        { container_id: id, tcs: Array.from({ length: 65 }, () => ({ type: 'BANDWIDTH' })) },
        /^tcs has 65 entries/,
      ],
      [
        'ExecStressors',
        { target: id, cpuStressors: `--cpu 1 ${'x'.repeat(2_000)}` },
        /^cpuStressors has 2008 characters; at most 1024/,
      ],
      [
        'ContainerGetPid',
        { container_id: `pid://${'1'.repeat(1_025)}` },
        /^container_id has 1031 characters/,
      ],
    ];
    for (const [rpc, request, message] of cases) {
      const error = await failure(rpc, request);
      expect(error.context.status, String(message)).toBe('INVALID_ARGUMENT');
      expect(error.context.serverMessage).toMatch(message);
    }
    const huge = await failure('FlushIPSets', {
      container_id: id,
      ipsets: [{ name: 'cf_huge', cidrs: cidrs(80_000) }],
    });
    expect(huge.context.status).toBe('RESOURCE_EXHAUSTED');
    expect((await host.snapshot()).ipsets.trim()).toBe('');
  });

  it('fills the sets of a FlushIPSets with one ipset restore, however many members', async () => {
    const before = await host.snapshot();
    const logBefore = (await fixture.log()).split('\n').length;
    const started = performance.now();
    await fixture.client.call('FlushIPSets', {
      container_id: host.containerId,
      ipsets: [
        { name: 'cf_many', cidrs: cidrs(16_384) },
        {
          name: 'cf_ports',
          type: 'hash:net,port',
          cidr_and_ports: cidrs(400).map((cidr) => ({ cidr, port: 80 })),
        },
        { name: 'cf_both', type: 'list:set', set_names: ['cf_many', 'cf_ports'] },
      ],
    });
    const ms = Math.round(performance.now() - started);
    process.stderr.write(`FlushIPSets of 16,384 + 400 members and a list set: ${ms} ms\n`);
    const members = (name: string) =>
      host.exec(['ipset', 'list', name]).then((t) => /Number of entries: (\d+)/.exec(t)?.[1]);
    expect(await members('cf_many')).toBe('16384');
    expect(await members('cf_ports')).toBe('400');
    expect(await members('cf_both')).toBe('2');

    const commands = (await fixture.log())
      .split('\n')
      .slice(logBefore - 1)
      .filter((line) => line.includes('"msg":"command"'))
      .map((line) => (JSON.parse(line) as { argv: string[] }).argv.slice(3).join(' '));
    // One restore for every set (the hash sets, then the list set that names them, each swapped in or
    // renamed); no process per member or per set.
    expect(commands.filter((c) => c.startsWith('ipset -exist restore'))).toHaveLength(1);
    expect(commands.filter((c) => c.startsWith('ipset add') || c.startsWith('ipset rename'))).toEqual([]);
    // The rest: the drift baseline's three reads (first inject into the namespace) and one `ipset list -t`.
    expect(commands.length).toBeLessThanOrEqual(5);

    await fixture.client.call('FlushIPSets', { container_id: host.containerId, ipsets: [] });
    expect((await host.snapshot()).ipsets).toBe(before.ipsets);
  });
});
