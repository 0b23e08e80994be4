/**
 * Hostile strings in every free-text field of every RPC the agent implements must be refused with
 * INVALID_ARGUMENT, or pass inert (fields that never reach a command line, and the metadata that only names
 * journal files). Proof that nothing reached a shell: marker files named in the payloads are never created, a
 * canary folder that the `rm -rf` payloads name is still there (the payloads aim `rm -rf` at that canary, not
 * at `/`, so that a regression could not wipe the machine), and the target's namespace is unchanged.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';
import type { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

interface Case {
  readonly rpc: ChaosDaemonRpc;
  readonly field: string;
  readonly build: (value: string) => Record<string, unknown>;
  /** A harmless value the field accepts: proves a refusal is about the hostile value, not the rest. */
  readonly benign?: string;
}

describeWithNetns(
  'chaosflow agent: hostile input',
  () => {
    let fixture: AgentFixture;
    let host: NetnsHost;
    let scratch: string;
    let canary: string;
    let before: NetnsSnapshot;
    let payloads: string[];
    let markers: string[];

    beforeAll(async () => {
      fixture = await startAgentFixture();
      host = await createNetnsHost({ process: 'sleep' });
      scratch = await mkdtemp(join(tmpdir(), 'chaosflow-hostile-'));
      canary = join(scratch, 'canary');
      await mkdir(canary);
      markers = ['semicolon', 'subshell', 'backtick', 'newline', 'pipe', 'ampersand'].map((m) =>
        join(scratch, `pwned-${m}`),
      );
      const [semicolon, subshell, backtick, newline, pipe, ampersand] = markers as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      payloads = [
        `; rm -rf ${canary}`,
        `x; touch ${semicolon}`,
        `$(touch ${subshell})`,
        `\`touch ${backtick}\``,
        `x\ntouch ${newline}`,
        `x | touch ${pipe}`,
        `x && touch ${ampersand}`,
        '--help',
        '-j ACCEPT',
        "' OR 1=1 --",
        '../../etc/passwd',
      ];
      before = await host.snapshot();
    });
    afterAll(async () => {
      await host?.destroy();
      await fixture?.stop();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    const id = (): string => host.containerId;
    const chain = (patch: Record<string, unknown>): Record<string, unknown> => ({
      container_id: id(),
      chains: [{ name: 'INPUT/cf_h', direction: 'INPUT', ipsets: [], target: 'DROP', ...patch }],
    });
    const tc = (patch: Record<string, unknown>): Record<string, unknown> => ({
      container_id: id(),
      tcs: [
        {
          type: 'BANDWIDTH',
          tbf: { rate: '1mbit', buffer: 10_000, limit: 20_000 },
          device: 'eth0',
          ...patch,
        },
      ],
    });
    const cases: Case[] = [
      {
        rpc: 'FlushIPSets',
        field: 'container_id',
        build: (h) => ({ container_id: h, ipsets: [] }),
        benign: 'SELF',
      },
      {
        rpc: 'FlushIPSets',
        field: 'ipsets[].name',
        build: (h) => ({ container_id: id(), ipsets: [{ name: h, cidrs: ['10.0.0.1/32'] }] }),
        benign: 'cf_ok',
      },
      {
        rpc: 'FlushIPSets',
        field: 'ipsets[].type',
        build: (h) => ({ container_id: id(), ipsets: [{ name: 'cf_h', type: h }] }),
        benign: 'hash:net',
      },
      {
        rpc: 'FlushIPSets',
        field: 'ipsets[].cidrs[]',
        build: (h) => ({ container_id: id(), ipsets: [{ name: 'cf_h', cidrs: [h] }] }),
        benign: '10.0.0.0/24',
      },
      {
        rpc: 'FlushIPSets',
        field: 'ipsets[].cidr_and_ports[].cidr',
        build: (h) => ({
          container_id: id(),
          ipsets: [{ name: 'cf_h', type: 'hash:net,port', cidr_and_ports: [{ cidr: h, port: 80 }] }],
        }),
        benign: '10.0.0.0/24',
      },
      {
        rpc: 'FlushIPSets',
        field: 'ipsets[].set_names[]',
        build: (h) => ({ container_id: id(), ipsets: [{ name: 'cf_h', type: 'list:set', set_names: [h] }] }),
      },
      {
        rpc: 'SetIptablesChains',
        field: 'container_id',
        build: (h) => ({ container_id: h, chains: [] }),
        benign: 'SELF',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].name',
        build: (h) => chain({ name: h }),
        benign: 'INPUT/cf_ok',
      },
      { rpc: 'SetIptablesChains', field: 'chains[].ipsets[]', build: (h) => chain({ ipsets: [h] }) },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].target',
        build: (h) => chain({ target: h }),
        benign: 'ACCEPT',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].protocol',
        build: (h) => chain({ protocol: h }),
        benign: 'udp',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].source_ports',
        build: (h) => chain({ protocol: 'tcp', source_ports: h }),
        benign: '53',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].destination_ports',
        build: (h) => chain({ protocol: 'tcp', destination_ports: h }),
        benign: '80,443',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].tcp_flags',
        build: (h) => chain({ protocol: 'tcp', tcp_flags: h }),
        benign: 'SYN,ACK SYN',
      },
      {
        rpc: 'SetIptablesChains',
        field: 'chains[].device',
        build: (h) => chain({ device: h }),
        benign: 'eth0',
      },
      { rpc: 'SetTcs', field: 'container_id', build: (h) => ({ container_id: h, tcs: [] }), benign: 'SELF' },
      { rpc: 'SetTcs', field: 'tcs[].device', build: (h) => tc({ device: h }), benign: 'eth0' },
      { rpc: 'SetTcs', field: 'tcs[].ipset', build: (h) => tc({ ipset: h }) },
      { rpc: 'SetTcs', field: 'tcs[].protocol', build: (h) => tc({ protocol: h }), benign: 'tcp' },
      {
        rpc: 'SetTcs',
        field: 'tcs[].tbf.rate',
        build: (h) => tc({ tbf: { rate: h, buffer: 10_000, limit: 20_000 } }),
        benign: '2mbit',
      },
      {
        rpc: 'SetTcs',
        field: 'tcs[].netem.time',
        build: (h) => tc({ type: 'NETEM', tbf: null, netem: { time: h } }),
        benign: '10ms',
      },
      {
        rpc: 'SetTcs',
        field: 'tcs[].netem.jitter',
        build: (h) => tc({ type: 'NETEM', tbf: null, netem: { time: '10ms', jitter: h } }),
        benign: '1ms',
      },
      {
        rpc: 'SetTcs',
        field: 'tcs[].netem.rate',
        build: (h) => tc({ type: 'NETEM', tbf: null, netem: { time: '10ms', rate: h } }),
        benign: '1mbit',
      },
      {
        rpc: 'ExecStressors',
        field: 'target',
        build: (h) => ({ target: h, cpuStressors: '--cpu 1' }),
        benign: 'SELF',
      },
      {
        rpc: 'ExecStressors',
        field: 'cpuStressors',
        build: (h) => ({ target: id(), cpuStressors: `--cpu 1 ${h}` }),
        benign: '--cpu-method sqrt',
      },
      {
        rpc: 'ExecStressors',
        field: 'memoryStressors',
        build: (h) => ({ target: id(), memoryStressors: `--workers 1 ${h}` }),
        benign: '--size 8MB',
      },
      {
        rpc: 'CancelStressors',
        field: 'cpuInstance',
        build: (h) => ({ cpuInstance: h, cpuStartTime: '1' }),
        benign: '999999',
      },
      {
        rpc: 'CancelStressors',
        field: 'memoryInstance',
        build: (h) => ({ memoryInstance: h, memoryStartTime: '1' }),
        benign: '999999',
      },
      { rpc: 'ContainerKill', field: 'container_id', build: (h) => ({ container_id: h }) },
      { rpc: 'ContainerGetPid', field: 'container_id', build: (h) => ({ container_id: h }), benign: 'SELF' },
    ];

    it('accepts a harmless value in each of those fields (control)', async () => {
      const refused: string[] = [];
      for (const testCase of cases) {
        if (testCase.benign === undefined) continue;
        const value = testCase.benign === 'SELF' ? id() : testCase.benign;
        const outcome = await fixture.client.call(testCase.rpc, testCase.build(value) as never).then(
          async (response) => {
            if (testCase.rpc === 'ExecStressors') await fixture.client.call('CancelStressors', response);
            return 'OK';
          },
          (err: DaemonError) => err.context.status,
        );
        if (outcome === 'INVALID_ARGUMENT')
          refused.push(`${testCase.rpc} ${testCase.field} ${JSON.stringify(value)}`);
      }
      await fixture.client.call('SetTcs', { container_id: id(), tcs: [] });
      await fixture.client.call('SetIptablesChains', { container_id: id(), chains: [] });
      await fixture.client.call('FlushIPSets', { container_id: id(), ipsets: [] });
      expect(refused).toEqual([]);
      expect(await host.snapshot()).toEqual(before);
    });

    it('refuses hostile strings in every free-text request field with INVALID_ARGUMENT', async () => {
      const unexpected: string[] = [];
      for (const testCase of cases) {
        for (const payload of payloads) {
          const outcome = await fixture.client.call(testCase.rpc, testCase.build(payload) as never).then(
            () => 'OK',
            (err: DaemonError) => err.context.status,
          );
          if (outcome !== 'INVALID_ARGUMENT') {
            unexpected.push(`${testCase.rpc} ${testCase.field} ${JSON.stringify(payload)} -> ${outcome}`);
          }
        }
      }
      expect(unexpected).toEqual([]);
      for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
      expect(existsSync(canary)).toBe(true);
      expect(await host.snapshot()).toEqual(before);
      expect(host.alive()).toBe(true);
    });

    it('passes hostile strings inert where they never reach a command: pod_uid, uids and the metadata keys', async () => {
      for (const payload of payloads.filter((p) => !p.includes('\n'))) {
        await fixture.client.call(
          'SetIptablesChains',
          { container_id: id(), chains: [], pod_uid: payload },
          { faultKey: { run: payload, node: payload, target: id() }, namespacedName: payload },
        );
        await fixture.client.call('CancelStressors', { cpuInstanceUid: payload });
      }
      for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
      expect(existsSync(canary)).toBe(true);
      expect(await host.snapshot()).toEqual(before);
    });
  },
  ['iptables', 'ipset', 'tc', 'nsenter', 'stress-ng'],
);
