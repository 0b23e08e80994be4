/**
 * DNSChaos through the agent (`chaosflow.ext.v1.AgentExtensions/SetDNSChaos`) against lookups made inside
 * the target's network namespace: the agent's responder answers SERVFAIL (action error) or random addresses
 * (action random) for names matching the patterns, and forwards every other name to the original resolver, a
 * tiny real DNS server this test runs (dns-packet) that answers 192.0.2.10 for every A query. After each test
 * the namespace is as before and the responder process is gone.
 */
import { createSocket, type Socket } from 'node:dgram';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { agentExtensionsProto } from '../../../proto/agent-extensions-proto.js';
import type { DNSChaosRequestInput } from '../../../proto/generated/chaosflow/ext/v1/DNSChaosRequest.js';
import type { DNSChaosResponse } from '../../../proto/generated/chaosflow/ext/v1/DNSChaosResponse.js';
import type { AgentExtensionsClient } from '../../../proto/generated/chaosflow/ext/v1/AgentExtensions.js';
import { isAlive } from '../../../agent/process-info.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

const UPSTREAM_ANSWER = '192.0.2.10';

/** Resolves each name (A) with the namespace's resolver at <server>:53 and prints { name: addresses | code }. */
const LOOKUP = `
const { Resolver } = require('node:dns').promises;
const resolver = new Resolver({ timeout: 2000, tries: 1 });
resolver.setServers([process.argv[1]]);
(async () => {
  const out = {};
  for (const name of process.argv.slice(2)) {
    try { out[name] = await resolver.resolve4(name); } catch (err) { out[name] = err.code; }
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

describeWithNetns('chaosflow agent: DNSChaos', () => {
  let fixture: AgentFixture;
  let host: NetnsHost;
  let upstream: Socket;
  let client: AgentExtensionsClient;
  let before: NetnsSnapshot;
  let responders: number[] = [];
  let forwarded = 0;

  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'sleep' });
    upstream = createSocket('udp4');
    upstream.on('message', (message, from) => {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      if (!question) return;
      forwarded++;
      const answer = dnsPacket.encode({
        type: 'response',
        id: query.id ?? 0,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: [question],
        answers:
          question.type === 'A'
            ? [{ type: 'A', name: question.name, ttl: 60, class: 'IN', data: UPSTREAM_ANSWER }]
            : [],
      });
      upstream.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => upstream.bind(53, host.hostIp, resolve));
    const { Client } = agentExtensionsProto();
    client = new Client(fixture.agent.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    upstream?.close();
    await host?.destroy();
    await fixture?.stop();
  });
  beforeEach(async () => {
    before = await host.snapshot();
    responders = [];
  });
  afterEach(async () => {
    expect(await host.snapshot()).toEqual(before);
    for (const pid of responders) expect(await isAlive(pid), `responder ${pid}`).toBe(false);
  });

  const setDns = (request: Omit<DNSChaosRequestInput, 'container_id'>): Promise<DNSChaosResponse> =>
    new Promise((resolve, reject) => {
      const metadata = new Metadata();
      metadata.set('chaosflow-fault-key', 'run-dns/dns/pid');
      client.SetDNSChaos({ container_id: host.containerId, ...request }, metadata, (err, response) => {
        if (err) reject(err);
        else {
          if (response?.instance) responders.push(response.instance);
          resolve(response as DNSChaosResponse);
        }
      });
    });
  const lookup = async (...names: string[]): Promise<Record<string, string[] | string>> =>
    JSON.parse(await host.exec([process.execPath, '-e', LOOKUP, host.hostIp, ...names])) as never;

  it('answers SERVFAIL for names matching the patterns and forwards the others to the original resolver', async () => {
    expect(await lookup('chaos-mesh.org', 'example.com')).toEqual({
      'chaos-mesh.org': [UPSTREAM_ANSWER],
      'example.com': [UPSTREAM_ANSWER],
    });
    await setDns({ action: 'error', patterns: ['chaos-mesh.*'], upstream: host.hostIp });
    expect((await host.snapshot()).iptables).toMatch(
      /-A CHAOSFLOW-DNS ! -d 127.0.0.0\/8 -p udp -m udp ! --sport (\d+) --dport 53 -j DNAT --to-destination [\d.]+:\1/,
    );
    const forwardedBefore = forwarded;
    const during = await lookup('chaos-mesh.org', 'www.chaos-mesh.org', 'example.com');
    const forwardedDuring = forwarded - forwardedBefore;
    await setDns({ action: '' });
    const after = await lookup('chaos-mesh.org');
    process.stderr.write(`[dns error] during: ${JSON.stringify(during)}; after: ${JSON.stringify(after)}\n`);
    expect(during).toEqual({
      'chaos-mesh.org': 'ESERVFAIL',
      'www.chaos-mesh.org': [UPSTREAM_ANSWER],
      'example.com': [UPSTREAM_ANSWER],
    });
    expect(forwardedDuring).toBe(2);
    expect(after).toEqual({ 'chaos-mesh.org': [UPSTREAM_ANSWER] });
  });

  it('answers random addresses for matching names (? for one character) and normally for the others', async () => {
    await setDns({ action: 'random', patterns: ['github.?om'], upstream: host.hostIp });
    const first = await lookup('github.com', 'gitlab.com');
    const second = await lookup('github.com');
    await setDns({ action: '' });
    process.stderr.write(`[dns random] ${JSON.stringify(first)} then ${JSON.stringify(second)}\n`);
    const a = first['github.com'] as string[];
    const b = second['github.com'] as string[];
    expect(a).toHaveLength(1);
    expect(a[0]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(a[0]).not.toBe(UPSTREAM_ANSWER);
    expect(b[0]).not.toBe(a[0]);
    expect(first['gitlab.com']).toEqual([UPSTREAM_ANSWER]);
  });

  it('replaces its responder when the rules change, and refuses a bad pattern naming it', async () => {
    await setDns({ action: 'error', patterns: [], upstream: host.hostIp });
    expect(await lookup('any.example')).toEqual({ 'any.example': 'ESERVFAIL' });
    await setDns({ action: 'random', patterns: ['other.*'], upstream: host.hostIp });
    expect(await lookup('any.example')).toEqual({ 'any.example': [UPSTREAM_ANSWER] });
    const firstAlive = await isAlive(responders[0] as number);
    await setDns({ action: '' });
    expect(firstAlive).toBe(false);
    const error = await setDns({ action: 'error', patterns: ['chaos-mes*.org'] }).catch(
      (err: ServiceError) => err,
    );
    expect((error as ServiceError).details).toContain('patterns[0]');
  });
});
