/**
 * NetworkChaos loss through the agent, as Chaos Mesh's controller sends it (a SetTcs NETEM rule with only
 * `loss`): on a kernel without sch_netem (this dev/CI kernel) the agent carries it out with the iptables
 * `statistic` match, on one with netem through the qdisc; either way about the given share of the packets the
 * target sends is lost. Counted from outside: a sender in the target's namespace sends 2,000 UDP datagrams to
 * a socket of this process, which counts what arrives. A rule filtered by an ipset drops only what goes to the
 * set's members. After each test the namespace is as before.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../../embedded/netns-host.js';
import { createCommandRunner } from '../../../agent/command-runner.js';
import { probeNetem } from '../../../agent/netem-probe.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

const PROBES = 2_000;

/** Sends `count` datagrams to host:port (alternating over the ports), paced; dropped sends (EPERM) are counted. */
const SENDER = `
const dgram = require('node:dgram');
const [host, ports, count] = [process.argv[1], process.argv[2].split(',').map(Number), Number(process.argv[3])];
const socket = dgram.createSocket('udp4');
let i = 0, refused = 0;
const next = () => {
  if (i >= count) { socket.close(); process.stdout.write(String(refused)); return; }
  const port = ports[i % ports.length];
  socket.send(Buffer.from(String(i)), port, host, (err) => {
    if (err) refused++;
    i++;
    if (i % 50 === 0) setTimeout(next, 2); else next();
  });
};
next();
`;

interface Counter {
  readonly port: number;
  received(): number;
  close(): void;
}

async function counter(address: string): Promise<Counter> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return { port: socket.address().port, received: () => received, close: () => socket.close() };
}

describeWithNetns('chaosflow agent: loss', () => {
  let fixture: AgentFixture;
  let host: NetnsHost;
  let before: NetnsSnapshot;

  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'sleep' });
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

  /** Sends PROBES datagrams spread over the counters and returns what each received. */
  const probe = async (counters: readonly Counter[]): Promise<number[]> => {
    const start = counters.map((c) => c.received());
    await host.exec([
      process.execPath,
      '-e',
      SENDER,
      host.hostIp,
      counters.map((c) => String(c.port)).join(','),
      String(PROBES),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return counters.map((c, i) => c.received() - (start[i] as number));
  };
  const journal = async (): Promise<Record<string, unknown>[]> => {
    const dir = join(fixture.stateDir, 'journal');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    return Promise.all(
      files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Record<string, unknown>),
    );
  };
  const netemLoss = (loss: number, corr = 0) => ({ time: '', jitter: '', loss, loss_corr: corr });

  it('loses about the given share of what the target sends (30% of 2,000 datagrams), and none once recovered', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-loss', node: 'loss', target: container_id };
    const sink = await counter(host.hostIp);
    try {
      const [normal] = await probe([sink]);
      await client.call(
        'SetTcs',
        { container_id, enterNS: true, tcs: [{ type: 'NETEM', netem: netemLoss(30, 25), device: 'eth0' }] },
        { faultKey },
      );
      const entries = await journal();
      const method = (entries[0]?.network as { lossMethod?: string } | undefined)?.lossMethod;
      const state = await host.snapshot();
      if (method === 'iptables-statistic') {
        expect(state.iptables).toContain(
          '-A CHAOSFLOW-LOSS -o eth0 -m statistic --mode random --probability 0.29999999981 -j DROP',
        );
      } else {
        expect(method).toBe('netem');
        expect(state.qdiscs).toMatch(/qdisc netem cf00: dev eth0 root/);
      }
      const [lossy] = await probe([sink]);
      await client.call('SetTcs', { container_id, enterNS: true, tcs: [] }, { faultKey });
      const [restored] = await probe([sink]);
      expect(await journal()).toEqual([]);

      process.stderr.write(
        `[loss] ${method}: ${PROBES} datagrams each; normal ${normal}, at 30% loss ${lossy}, restored ${restored}\n`,
      );
      expect(normal).toBe(PROBES);
      expect(restored).toBe(PROBES);
      // 30% of 2,000: 1,400 expected, standard deviation about 20; allow five of them.
      expect(lossy).toBeGreaterThan(1_300);
      expect(lossy).toBeLessThan(1_500);
    } finally {
      sink.close();
    }
  });

  it('drops only what goes to the members of the rule ipset (the peers and external targets), as netem with a filter would', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-loss', node: 'loss-to-peer', target: container_id };
    const sink = await counter(host.hostIp);
    const lossTo = async (cidr: string): Promise<number> => {
      await client.call(
        'FlushIPSets',
        {
          container_id,
          ipsets: [
            { name: 'cf_lo_net', type: 'hash:net', cidrs: [cidr] },
            { name: 'cf_lo_tgt', type: 'list:set', set_names: ['cf_lo_net'] },
          ],
        },
        { faultKey },
      );
      await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
      await client.call(
        'SetTcs',
        {
          container_id,
          tcs: [{ type: 'NETEM', netem: netemLoss(50), ipset: 'cf_lo_tgt', protocol: 'udp', device: 'eth0' }],
        },
        { faultKey },
      );
      const [received] = await probe([sink]);
      return received as number;
    };
    try {
      const elsewhere = await lossTo('192.0.2.0/24');
      const toPeer = await lossTo(`${host.hostIp}/32`);
      const method = ((await journal())[0]?.network as { lossMethod?: string } | undefined)?.lossMethod;
      if (method === 'iptables-statistic') {
        expect((await host.snapshot()).iptables).toContain(
          '-A CHAOSFLOW-LOSS -o eth0 -p udp -m set --match-set cf_lo_tgt dst -m statistic --mode random --probability 0.50000000000 -j DROP',
        );
      }
      await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
      await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
      await client.call('SetTcs', { container_id, tcs: [] }, { faultKey });
      process.stderr.write(
        `[loss to ipset] ${method}: 50% to a set without the peer: ${elsewhere} of ${PROBES} arrived; with the peer: ${toPeer}\n`,
      );
      expect(elsewhere).toBe(PROBES);
      // 1,000 expected of 2,000, standard deviation about 22.
      expect(toPeer).toBeGreaterThan(890);
      expect(toPeer).toBeLessThan(1_110);
    } finally {
      sink.close();
    }
  });

  it('still refuses a netem rule that needs the qdisc (delay) on a kernel without it, naming sch_netem', async () => {
    const support = await probeNetem(
      createCommandRunner(pino({ level: 'silent' }), 10_000),
      pino({ level: 'silent' }),
    );
    const request = {
      container_id: host.containerId,
      tcs: [{ type: 'NETEM' as const, netem: { ...netemLoss(10), time: '100ms' }, device: 'eth0' }],
    };
    if (support.available) {
      process.stderr.write('[loss] this kernel has netem; the delay rule is accepted, nothing to refuse\n');
      await fixture.client.call('SetTcs', request);
      expect((await host.snapshot()).qdiscs).toMatch(/netem/);
      await fixture.client.call('SetTcs', { container_id: host.containerId, tcs: [] });
      return;
    }
    const error = await fixture.client.call('SetTcs', request).catch((err: unknown) => err);
    expect(error).toMatchObject({ context: { status: 'FAILED_PRECONDITION' } });
    expect((error as Error).message).toContain('sch_netem');
  });
});
