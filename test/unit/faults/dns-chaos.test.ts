/**
 * DNSChaos. Expectations follow Chaos Mesh's `dnschaos.Impl`: the chaos-dns-server rules first (SetDNSChaos
 * with the action, patterns and the pod), then SetDNSServer {container_id, dns_server, enable: true, enterNS};
 * recover cancels the rules and sends SetDNSServer {enable: false}. The DNS server's rules API is a FAKE.
 */
import { describe, expect, it } from 'vitest';
import {
  createDNSChaosDriver,
  dnsRuleName,
  type DnsServerRules,
} from '../../../activities/faults/dns-chaos.js';
import { batch, example, FakeDaemons, neverAborted, target } from './fault-fixtures.js';

const web = target('web-0');

describe('DNSChaos', () => {
  it('asks the chaosflow agent to answer DNS itself for a host process (pid://), no chaos-dns-server needed', async () => {
    const compiled = await example('dns-error.yaml', 'DNSChaos');
    const daemons = new FakeDaemons();
    const host = target('web-0', { containerId: 'pid://4242' });
    const driver = createDNSChaosDriver(daemons, undefined);
    const injected = await driver.inject(batch(compiled, [host]), neverAborted);
    const recovered = await driver.recover(batch(compiled, [host]), neverAborted);
    expect(injected.results[0]).toMatchObject({ ok: true });
    expect(recovered.results[0]).toMatchObject({ ok: true });
    expect(daemons.calls.map((c) => [c.rpc, c.request])).toEqual([
      [
        'SetDNSChaos',
        {
          container_id: 'pid://4242',
          action: 'error',
          patterns: ['example.com', 'chaos-mesh.*'],
        },
      ],
      ['SetDNSChaos', { container_id: 'pid://4242', action: '' }],
    ]);
  });

  it('is refused, saying what to configure, when no chaos-dns-server is configured', async () => {
    const compiled = await example('dns-error.yaml', 'DNSChaos');
    const daemons = new FakeDaemons();
    const { results } = await createDNSChaosDriver(daemons, undefined).inject(
      batch(compiled, [web]),
      neverAborted,
    );
    expect(results[0]).toMatchObject({ ok: false, retryable: false });
    expect(results[0]?.message).toMatch(/chaos-dns-server: configure/);
    const withoutRules = await createDNSChaosDriver(daemons, { address: '10.96.0.53' }).inject(
      batch(compiled, [web]),
      neverAborted,
    );
    expect(withoutRules.results[0]?.message).toMatch(/client for its rules API/);
    expect(daemons.calls).toEqual([]);
  });

  it('sets the rules, then points resolv.conf at the server; recover undoes both', async () => {
    const compiled = await example('dns-error.yaml', 'DNSChaos');
    const daemons = new FakeDaemons();
    const log: unknown[] = [];
    const rules: DnsServerRules = {
      set: (rule) => {
        log.push(['set', rule]);
        return Promise.resolve();
      },
      cancel: (name) => {
        log.push(['cancel', name]);
        return Promise.resolve();
      },
    };
    const driver = createDNSChaosDriver(daemons, { address: '10.96.0.53', rules });
    const b = batch(compiled, [web]);
    expect((await driver.inject(b, neverAborted)).results[0]?.ok).toBe(true);
    expect(log).toEqual([
      [
        'set',
        {
          name: dnsRuleName(b),
          action: 'error',
          patterns: ['example.com', 'chaos-mesh.*'],
          pods: [{ namespace: 'default', name: 'web-0' }],
        },
      ],
    ]);
    expect(daemons.calls[0]).toMatchObject({
      rpc: 'SetDNSServer',
      request: {
        container_id: 'containerd://web-0-main',
        dns_server: '10.96.0.53',
        enable: true,
        enterNS: true,
      },
    });
    expect((await driver.recover(b, neverAborted)).results[0]?.ok).toBe(true);
    expect(log.at(-1)).toEqual(['cancel', dnsRuleName(b)]);
    expect(daemons.calls[1]?.request).toEqual({
      container_id: 'containerd://web-0-main',
      enable: false,
      enterNS: true,
    });
  });
});
