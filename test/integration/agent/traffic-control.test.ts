/**
 * SetTcs through the agent against a real target: a tbf bandwidth limit measurably slows a download from the
 * target and recovery restores the rate (unfiltered, and filtered by an ipset as Chaos Mesh does for
 * NetworkChaos with a `target`); netem answers FAILED_PRECONDITION naming sch_netem on kernels without it
 * (this dev/CI kernel), or adds the delay where the qdisc exists.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { probeNetem } from '../../../agent/netem-probe.js';
import { createCommandRunner } from '../../../agent/command-runner.js';
import { pino } from 'pino';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';
import { downloadRate, httpGet } from './http-probe.js';

const LIMIT = { rate: '800kbit', buffer: 16_000, limit: 32_000 } as const; // 100 kB/s

describeWithNetns('chaosflow agent: traffic control', () => {
  let fixture: AgentFixture;
  let host: NetnsHost;
  let before: NetnsSnapshot;

  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'http' });
  });
  afterAll(async () => {
    await host?.destroy();
    await fixture?.stop();
  });
  beforeEach(async () => {
    before = await host.snapshot();
  });
  afterEach(async () => {
    expect(await host.snapshot()).toEqual(before);
  });

  const base = (): string => `http://${host.ip}:${host.port}`;
  const rate = (): Promise<number> => downloadRate(base(), 8 * 1024 * 1024, 2_000);

  it('slows a download from the target under a tbf bandwidth limit and restores the rate on recovery', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-bw', node: 'bandwidth', target: container_id };
    const normal = await rate();

    await client.call(
      'SetTcs',
      { container_id, enterNS: true, tcs: [{ type: 'BANDWIDTH', tbf: LIMIT, device: 'eth0' }] },
      { faultKey },
    );
    expect((await host.snapshot()).qdiscs).toMatch(/qdisc tbf cf00: dev eth0 root/);
    const limited = await rate();

    await client.call('SetTcs', { container_id, enterNS: true, tcs: [] }, { faultKey });
    const restored = await rate();

    process.stderr.write(
      `[bandwidth] normal ${(normal / 1e6).toFixed(1)} MB/s, limited ${(limited / 1e3).toFixed(0)} kB/s, ` +
        `restored ${(restored / 1e6).toFixed(1)} MB/s\n`,
    );
    expect(limited).toBeLessThan(200_000);
    expect(normal / limited).toBeGreaterThan(20);
    expect(restored / limited).toBeGreaterThan(20);
  });

  it('limits only traffic to the ipset of a filtered rule, classifying it with CLASSIFY into an htb class', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-bw', node: 'bandwidth-to-peer', target: container_id };
    const normal = await rate();
    const limitTo = async (cidr: string): Promise<void> => {
      await client.call(
        'FlushIPSets',
        { container_id, ipsets: [{ name: 'cf_bw_peer', type: 'hash:net', cidrs: [cidr] }] },
        { faultKey },
      );
      await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
      await client.call(
        'SetTcs',
        { container_id, tcs: [{ type: 'BANDWIDTH', tbf: LIMIT, ipset: 'cf_bw_peer' }] },
        { faultKey },
      );
    };
    // A set that does not hold the peer: its traffic is not shaped.
    await limitTo('192.0.2.0/24');
    const elsewhere = await rate();
    // The same rule once the set holds the peer (the set is swapped in place, the qdiscs are rebuilt).
    await limitTo(`${host.hostIp}/32`);
    const state = await host.snapshot();
    expect(state.qdiscs).toMatch(/qdisc htb cf00: dev eth0 root/);
    expect(state.iptables).toContain(
      '-A CHAOSFLOW-TC -o eth0 -m set --match-set cf_bw_peer dst -j CLASSIFY --set-class cf00:0002',
    );
    const limited = await rate();
    const classes = await host.exec(['tc', '-s', 'class', 'show', 'dev', 'eth0']);
    const filteredBytes = Number(/class htb cf00:2 [^\n]*\n\s*Sent (\d+) bytes/.exec(classes)?.[1] ?? 0);

    // Recovery as Chaos Mesh sends it: ipsets, chains, tcs.
    await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
    await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
    await client.call('SetTcs', { container_id, tcs: [] }, { faultKey });
    process.stderr.write(
      `[bandwidth to ipset] normal ${(normal / 1e6).toFixed(1)} MB/s, other set ${(elsewhere / 1e6).toFixed(1)} MB/s, ` +
        `peer in set ${(limited / 1e3).toFixed(0)} kB/s\n`,
    );
    expect(elsewhere / limited).toBeGreaterThan(20);
    expect(normal / limited).toBeGreaterThan(20);
    expect(filteredBytes).toBeGreaterThan(50_000);
  });

  it('answers FAILED_PRECONDITION naming sch_netem for netem on a kernel without it, or delays where it exists', async () => {
    const support = await probeNetem(
      createCommandRunner(pino({ level: 'silent' }), 10_000),
      pino({ level: 'silent' }),
    );
    const container_id = host.containerId;
    const request = {
      container_id,
      tcs: [{ type: 'NETEM' as const, netem: { time: '300ms', jitter: '0ms' }, device: 'eth0' }],
    };
    if (!support.available) {
      process.stderr.write(
        `[netem] this kernel has no netem qdisc (${support.reason}); checking the refusal\n`,
      );
      const error = await fixture.client.call('SetTcs', request).catch((err: unknown) => err);
      expect(error).toMatchObject({ context: { status: 'FAILED_PRECONDITION' }, retryable: false });
      expect((error as Error).message).toContain('sch_netem');
      return;
    }
    process.stderr.write('[netem] the kernel has netem; checking that a 300ms delay shows\n');
    const started = performance.now();
    expect(await httpGet(`${base()}/`, 5_000)).toBe(200);
    const normalMs = performance.now() - started;
    await fixture.client.call('SetTcs', request);
    const delayedStart = performance.now();
    expect(await httpGet(`${base()}/`, 5_000)).toBe(200);
    const delayedMs = performance.now() - delayedStart;
    await fixture.client.call('SetTcs', { container_id, tcs: [] });
    expect(delayedMs - normalMs).toBeGreaterThan(250);
  });
});
