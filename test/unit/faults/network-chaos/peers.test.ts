/**
 * Target resolution for NetworkChaos (`createTargetResolver` with the NetworkChaos peer expander): the `target` peers become targets of their own
 * (Chaos Mesh's `.Target` records) when they get rules, and the context carries every address the rules
 * match on. External targets resolve as Chaos Mesh's `netutils.ResolveCidrs` does (IP -> /32, CIDR -> its
 * network, domain -> its IPv4 addresses, `host:port` kept). Pods come from a FAKE target source; domains from
 * a FAKE lookup.
 */
import { describe, expect, it } from 'vitest';
import type { ResolveTargetsInput } from '../../../../activities/contract.js';
import { ActivityError } from '../../../../activities/errors.js';
import { resolveExternalTargets } from '../../../../activities/faults/network-chaos/external-targets.js';
import { createTargetExpanders } from '../../../../activities/faults/target-expanders.js';
import { createTargetResolver } from '../../../../activities/targets/resolve-targets.js';
import type { TargetSource } from '../../../../activities/targets/target-source.js';
import type { PodInfo } from '../../../../common/selection/pod-info.js';
import { manifest } from '../fault-fixtures.js';

const pod = (name: string, app: string, node: string, ips?: string[]): PodInfo => ({
  namespace: 'default',
  name,
  uid: `uid-${name}`,
  labels: { app },
  annotations: {},
  nodeName: node,
  phase: 'Running',
  ...(ips ? { podIPs: ips } : {}),
  containers: [{ name: 'main', containerId: `pid://${name.length}${node.length}` }],
});

function sourceFake(pods: PodInfo[]): TargetSource {
  return {
    listPods: (namespaces) =>
      Promise.resolve(pods.filter((p) => !namespaces || namespaces.includes(p.namespace))),
    nodeLabels: () => Promise.resolve({ n1: {}, n2: {} }),
    daemonFor: (node) => Promise.resolve({ address: node === 'n1' ? '127.0.0.1:31767' : '127.0.0.2:31767' }),
  };
}

const lookupFake = (host: string) =>
  host === 'db.example.test'
    ? Promise.resolve(['93.184.216.34', '2606:2800::1'])
    : Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }));

/** The worker's resolver: NetworkChaos peers expanded, a fixed random source, the FAKE lookup. */
const resolverFor = (source: TargetSource) =>
  createTargetResolver(
    source,
    () => 0,
    createTargetExpanders(source, () => 0, { lookupIPv4: lookupFake }),
  );

function input(spec: string): ResolveTargetsInput {
  const compiled = manifest(
    `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: net, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
${spec}
  duration: 30s
`,
    'NetworkChaos',
  );
  return {
    run: { workflowId: 'run-1', namespace: 'default', name: 'net' },
    nodeId: 'net',
    chaos: compiled.chaos,
  };
}

const pods = [pod('web-0', 'web', 'n1', ['10.1.0.5']), pod('db-0', 'db', 'n2', ['10.1.0.9', 'fd00::9'])];

describe('NetworkChaos target resolution', () => {
  it("makes the partition peers targets of their own daemon and records both sides' addresses", async () => {
    const resolver = resolverFor(sourceFake(pods));
    const result = await resolver.resolve(
      input(`  action: partition
  direction: both
  target: { mode: all, selector: { labelSelectors: { app: db } } }`),
    );
    expect(result.groups.map((g) => [g.endpoint, g.targets.map((t) => [t.key, t.selectorKey])])).toEqual([
      ['127.0.0.1:31767', [['default/web-0/main', undefined]]],
      ['127.0.0.2:31767', [['default/db-0/main#target', '.Target']]],
    ]);
    expect(result.context).toEqual({
      sourceCidrs: ['10.1.0.5/32'],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [],
    });
  });

  it('keeps the peers out of the targets for a tc action with direction to, and resolves external targets', async () => {
    const resolver = resolverFor(sourceFake(pods));
    const result = await resolver.resolve(
      input(`  action: bandwidth
  bandwidth: { rate: 1mbps, limit: 100, buffer: 100 }
  target: { mode: all, selector: { labelSelectors: { app: db } } }
  externalTargets: ['db.example.test:5432', '10.9.3.7/16']`),
    );
    expect(result.groups.flatMap((g) => g.targets.map((t) => t.key))).toEqual(['default/web-0/main']);
    expect(result.context).toEqual({
      sourceCidrs: [],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [
        { cidr: '93.184.216.34/32', port: 5432 },
        { cidr: '10.9.0.0/16', port: 0 },
      ],
    });
  });

  it('refuses a selected pod without an address when the peers must match it, naming the fix', async () => {
    const resolver = resolverFor(sourceFake([pod('web-0', 'web', 'n1'), pods[1]!]));
    const err = await resolver
      .resolve(
        input(`  action: partition\n  target: { mode: all, selector: { labelSelectors: { app: db } } }`),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityError);
    expect((err as ActivityError).code).toBe('INVALID_INPUT');
    expect((err as ActivityError).message).toMatch(
      /selected pod default\/web-0 has no IPv4 address.*ips: \[/,
    );
  });

  it('resolves external targets like Chaos Mesh and refuses what the daemons cannot match', async () => {
    expect(
      await resolveExternalTargets(['10.0.0.1', '10.0.0.5/24', '10.0.0.2:80', '[10.0.0.3]:81'], lookupFake),
    ).toEqual([
      { cidr: '10.0.0.1/32', port: 0 },
      { cidr: '10.0.0.0/24', port: 0 },
      { cidr: '10.0.0.2/32', port: 80 },
      { cidr: '10.0.0.3/32', port: 81 },
    ]);
    await expect(resolveExternalTargets(['fd00::1'], lookupFake)).rejects.toThrow(/IPv6 is not supported/);
    await expect(resolveExternalTargets(['10.0.0.1:99999'], lookupFake)).rejects.toThrow(/port "99999"/);
    await expect(resolveExternalTargets(['no.such.test'], lookupFake)).rejects.toThrow(
      /cannot resolve no.such.test/,
    );
    await expect(resolveExternalTargets(['$(reboot)'], lookupFake)).rejects.toThrow(
      /neither an IPv4 address/,
    );
  });
});
