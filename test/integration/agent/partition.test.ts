/**
 * Partition through the agent, the way Chaos Mesh's PodNetworkChaos controller calls a daemon: FlushIPSets with
 * the peer's address, then SetIptablesChains with a DROP chain matching that set; recovery sends both again
 * with empty lists. The effect is checked from outside (an HTTP request from the peer), and the namespace's
 * iptables, ipset and tc state must be exactly as before once recovered.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import type { JournalEntry } from '../../../agent/journal.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';
import { httpGet } from './http-probe.js';

describeWithNetns('chaosflow agent: partition', () => {
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

  const url = (): string => `http://${host.ip}:${host.port}/`;
  const journalFiles = async (): Promise<string[]> =>
    (await readdir(join(fixture.stateDir, 'journal'))).filter((f) => f.endsWith('.json'));

  it('makes requests from the peer time out while partitioned, and answers again after recovery', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-partition', node: 'partition', target: container_id };
    expect(await httpGet(url(), 3_000)).toBe(200);

    const inject = async (): Promise<void> => {
      await client.call(
        'FlushIPSets',
        {
          container_id,
          enterNS: true,
          ipsets: [{ name: 'cf_peer_tgt', type: 'hash:net', cidrs: [`${host.hostIp}/32`] }],
        },
        { faultKey },
      );
      await client.call(
        'SetIptablesChains',
        {
          container_id,
          enterNS: true,
          chains: [
            { name: 'INPUT/cf_partition', direction: 'INPUT', ipsets: ['cf_peer_tgt'], target: 'DROP' },
          ],
        },
        { faultKey },
      );
    };
    await inject();
    expect(await httpGet(url(), 1_500)).toBe('timeout');
    const injected = await host.snapshot();
    expect(injected.iptables).toContain('-A INPUT -j CHAOS-INPUT');
    expect(injected.iptables).toContain('-A INPUT/cf_partition -m set --match-set cf_peer_tgt src -j DROP');
    expect(await journalFiles()).toHaveLength(1);

    // Idempotent: the same calls again change nothing.
    await inject();
    expect(await host.snapshot()).toEqual(injected);
    expect(await httpGet(url(), 1_500)).toBe('timeout');

    await client.call('FlushIPSets', { container_id, enterNS: true, ipsets: [] }, { faultKey });
    await client.call('SetIptablesChains', { container_id, enterNS: true, chains: [] }, { faultKey });
    expect(await httpGet(url(), 3_000)).toBe(200);
    expect(await journalFiles()).toHaveLength(0);
  });

  it("partitions both directions with Chaos Mesh's list:set of per-target sets, ports and protocol", async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-2', node: 'partition-both', target: container_id };
    await client.call(
      'FlushIPSets',
      {
        container_id,
        enterNS: true,
        ipsets: [
          { name: 'cf_peer_a', type: 'hash:net', cidrs: [`${host.hostIp}/32`] },
          {
            name: 'cf_peer_b',
            type: 'hash:net,port',
            cidr_and_ports: [{ cidr: `${host.hostIp}/32`, port: 9 }],
          },
          { name: 'cf_peers', type: 'list:set', set_names: ['cf_peer_a', 'cf_peer_b'] },
        ],
      },
      { faultKey },
    );
    await client.call(
      'SetIptablesChains',
      {
        container_id,
        enterNS: true,
        chains: [
          {
            name: 'INPUT/cf_both',
            direction: 'INPUT',
            ipsets: ['cf_peers'],
            target: 'DROP',
            protocol: 'tcp',
            destination_ports: '8080',
          },
          {
            name: 'OUTPUT/cf_both',
            direction: 'OUTPUT',
            ipsets: ['cf_peers'],
            target: 'DROP',
            device: 'eth0',
          },
        ],
      },
      { faultKey },
    );
    expect(await httpGet(url(), 1_500)).toBe('timeout');
    const rules = (await host.snapshot()).iptables;
    expect(rules).toContain(
      '-A INPUT/cf_both -p tcp -m set --match-set cf_peers src -m tcp --dport 8080 -j DROP',
    );
    expect(rules).toContain('-A OUTPUT/cf_both -o eth0 -m set --match-set cf_peers dst -j DROP');

    // Declarative: a second call with only the OUTPUT chain removes the INPUT one.
    await client.call(
      'SetIptablesChains',
      {
        container_id,
        chains: [{ name: 'OUTPUT/cf_both', direction: 'OUTPUT', ipsets: ['cf_peers'], target: 'DROP' }],
      },
      { faultKey },
    );
    expect((await host.snapshot()).iptables).not.toContain('INPUT/cf_both');

    await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
    await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
    expect(await httpGet(url(), 3_000)).toBe(200);
  });

  it('refuses a chain that matches on an ipset the namespace does not have, before journaling anything', async () => {
    const error = await fixture.client
      .call('SetIptablesChains', {
        container_id: host.containerId,
        chains: [
          { name: 'INPUT/cf_missing', direction: 'INPUT', ipsets: ['cf_nonexistent'], target: 'DROP' },
        ],
      })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ context: { status: 'FAILED_PRECONDITION' } });
    expect(String((error as Error).message)).toContain('cf_nonexistent');
    // Refused before anything was journaled or changed.
    expect(await journalFiles()).toHaveLength(0);
    // The failed call leaves nothing behind; clearing is still harmless.
    await fixture.client.call('SetIptablesChains', { container_id: host.containerId, chains: [] });
  });
  it('refuses to swap an ipset of that name that it did not create, and leaves it exactly as it was', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-foreign-set', node: 'partition', target: container_id };
    // Someone else's set in the namespace, with a member, that happens to carry a name a chaos could ask for.
    await host.exec(['ipset', 'create', 'cf_foreign', 'hash:net']);
    await host.exec(['ipset', 'add', 'cf_foreign', '192.0.2.7/32']);
    const saved = (): Promise<string> => host.exec(['ipset', 'save']);
    const foreign = await saved();
    try {
      const error = await client
        .call(
          'FlushIPSets',
          {
            container_id,
            ipsets: [
              { name: 'cf_mine', type: 'hash:net', cidrs: ['10.9.3.0/24'] },
              { name: 'cf_foreign', type: 'hash:net', cidrs: ['10.9.4.0/24'] },
            ],
          },
          { faultKey },
        )
        .catch((err: unknown) => err);
      expect(error).toMatchObject({ context: { status: 'FAILED_PRECONDITION' } });
      expect(String((error as Error).message)).toContain(
        'ipsets named cf_foreign that chaosflow did not create; the agent does not swap sets that are not its own',
      );
      // Untouched: the same sets with the same members, nothing of the refused call (not even cf_mine), no entry.
      expect(await saved()).toBe(foreign);
      expect(await journalFiles()).toHaveLength(0);

      // Its own sets it flushes again and again (swapping them is fine: they are its own), then removes.
      const mine = { container_id, ipsets: [{ name: 'cf_mine', type: 'hash:net', cidrs: ['10.9.3.0/24'] }] };
      await client.call('FlushIPSets', mine, { faultKey });
      await client.call('FlushIPSets', mine, { faultKey });
      await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
      expect(await saved()).toBe(foreign);
      expect(await journalFiles()).toHaveLength(0);
    } finally {
      await host.exec(['ipset', 'destroy', 'cf_foreign']);
    }
  });

  it('leaves the namespace as its journal says when an ipset restore fails halfway, and recover cleans it', async () => {
    const { client } = fixture;
    const container_id = host.containerId;
    const faultKey = { run: 'run-halfway', node: 'partition', target: container_id };
    const sets = async (): Promise<string[]> => (await host.snapshot()).ipsets.split('\n').filter(Boolean);
    await client.call(
      'FlushIPSets',
      {
        container_id,
        ipsets: [
          { name: 'cf_hw_a', type: 'hash:net', cidrs: ['10.9.0.0/24'] },
          { name: 'cf_hw_list', type: 'list:set', set_names: ['cf_hw_a'] },
        ],
      },
      { faultKey },
    );
    // One restore for the whole request: the hash sets are filled and swapped in (cf_hw_new is created), then
    // the kernel refuses the list set that names a list set, which the agent's checks let through.
    const error = await client
      .call(
        'FlushIPSets',
        {
          container_id,
          ipsets: [
            { name: 'cf_hw_new', type: 'hash:net', cidrs: ['10.9.1.0/24'] },
            { name: 'cf_hw_a', type: 'hash:net', cidrs: ['10.9.2.0/24'] },
            { name: 'cf_hw_nested', type: 'list:set', set_names: ['cf_hw_list'] },
          ],
        },
        { faultKey },
      )
      .catch((err: unknown) => err);
    expect(String((error as Error).message)).toContain('ipset restore');
    const left = await sets();
    expect(left).toEqual(expect.arrayContaining(['cf_hw_a', 'cf_hw_list', 'cf_hw_new']));
    expect(left.filter((s) => s.startsWith('cft-'))).toEqual([]);
    // Whatever the failed call left is in its journal entry, so an agent that died here would revert it too.
    const files = await journalFiles();
    expect(files).toHaveLength(1);
    const entry = JSON.parse(
      await readFile(join(fixture.stateDir, 'journal', files[0] as string), 'utf8'),
    ) as JournalEntry;
    const baseline = before.ipsets.split('\n').filter(Boolean);
    for (const set of left.filter((s) => !baseline.includes(s))) expect(entry.network?.ipsets).toContain(set);
    expect(entry.lastError).toContain('ipset restore');

    await client.call('FlushIPSets', { container_id, ipsets: [] }, { faultKey });
    await client.call('SetIptablesChains', { container_id, chains: [] }, { faultKey });
    expect(await journalFiles()).toHaveLength(0);
  });
});
