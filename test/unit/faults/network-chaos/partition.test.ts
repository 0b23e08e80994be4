/**
 * NetworkChaos partition fragments: what the selected pods and the `target` peers contribute to their pods'
 * network state. Expectations follow Chaos Mesh's `partition.Impl.Apply` / `SetDrop` (which side gets which
 * chain), `ipset.BuildIPSets` + `BuildSetIPSet` (v2.8: a hash:net and a hash:net,port set, always both, in a
 * list:set) and `iptable.GenerateName`; the chain fields are what the PodNetworkChaos controller's
 * `SetIptables` sends (target DROP, device).
 */
import { describe, expect, it } from 'vitest';
import { networkFragmentFor } from '../../../../activities/faults/network-chaos/network-chaos.js';
import { networkContextRecord } from '../../../../activities/faults/network-chaos/context.js';
import { batch, example, manifest, target } from '../fault-fixtures.js';

const selected = target('web-0');
const peer = target('db-0', { key: 'default/db-0/main#target', selectorKey: '.Target' });

const partition = (extra: string) =>
  manifest(
    `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: partition-both, namespace: default }
spec:
  action: partition
  mode: all
  selector: { labelSelectors: { app: web } }
  target: { mode: all, selector: { labelSelectors: { app: db } } }
${extra}
  duration: 30s
`,
    'NetworkChaos',
  );

const context = networkContextRecord({
  sourceCidrs: ['10.1.0.5/32'],
  targetCidrs: ['10.1.0.9/32'],
  externalCidrs: [],
});

describe('NetworkChaos partition', () => {
  it('drops what the selected pods send to the external targets (examples/network-partition.yaml)', async () => {
    const compiled = await example('network-partition.yaml', 'NetworkChaos');
    const context = networkContextRecord({
      sourceCidrs: [],
      targetCidrs: [],
      externalCidrs: [{ cidr: '10.200.0.1/32', port: 0 }],
    });
    expect(
      networkFragmentFor(batch(compiled, [selected], { context }), batch(compiled, [selected]).targets[0]!),
    ).toEqual({
      ipsets: [
        {
          name: 'netwo_d40842f1b40af_net_tgt',
          type: 'hash:net',
          cidrs: ['10.200.0.1/32'],
          cidr_and_ports: [],
          set_names: [],
        },
        {
          name: 'netwo_d40842f1b_netport_tgt',
          type: 'hash:net,port',
          cidrs: [],
          cidr_and_ports: [],
          set_names: [],
        },
        {
          name: 'netwo_d40842f1b40af_set_tgt',
          type: 'list:set',
          cidrs: [],
          cidr_and_ports: [],
          set_names: ['netwo_d40842f1b40af_net_tgt', 'netwo_d40842f1b_netport_tgt'],
        },
      ],
      chains: [
        {
          name: 'OUTPUT/netwo_d40842f1b40af_',
          direction: 'OUTPUT',
          ipsets: ['netwo_d40842f1b40af_set_tgt'],
          target: 'DROP',
          device: '',
        },
      ],
    });
  });

  it('puts external targets with a port in the hash:net,port set, and peers and bare CIDRs in hash:net', () => {
    const compiled = partition(`  direction: to
  externalTargets: ['10.9.0.0/16', '10.8.0.1:5432']
  device: eth1`);
    const context = networkContextRecord({
      sourceCidrs: ['10.1.0.5/32'],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [
        { cidr: '10.9.0.0/16', port: 0 },
        { cidr: '10.8.0.1/32', port: 5432 },
      ],
    });
    const b = batch(compiled, [selected, peer], { context });
    const ofSelected = networkFragmentFor(b, b.targets[0]!);
    expect(ofSelected.ipsets?.map((s) => [s.name, s.type, s.cidrs, s.cidr_and_ports])).toEqual([
      ['parti_19b86e5317ba4_net_tgt', 'hash:net', ['10.9.0.0/16', '10.1.0.9/32'], []],
      ['parti_19b86e531_netport_tgt', 'hash:net,port', [], [{ cidr: '10.8.0.1/32', port: 5432 }]],
      ['parti_19b86e5317ba4_set_tgt', 'list:set', [], []],
    ]);
    expect(ofSelected.chains).toEqual([
      {
        name: 'OUTPUT/parti_19b86e5317ba4_',
        direction: 'OUTPUT',
        ipsets: ['parti_19b86e5317ba4_set_tgt'],
        target: 'DROP',
        device: 'eth1',
      },
    ]);
    // The peer mirrors it: it drops what it receives from the selected pods (INPUT, src sets, targetDevice).
    const ofPeer = networkFragmentFor(b, b.targets[1]!);
    expect(ofPeer.ipsets?.map((s) => [s.name, s.cidrs])).toEqual([
      ['parti_19b86e5317ba4_net_src', ['10.1.0.5/32']],
      ['parti_19b86e531_netport_src', []],
      ['parti_19b86e5317ba4_set_src', []],
    ]);
    expect(ofPeer.chains).toEqual([
      {
        name: 'INPUT/parti_19b86e5317ba41_',
        direction: 'INPUT',
        ipsets: ['parti_19b86e5317ba4_set_src'],
        target: 'DROP',
        device: '',
      },
    ]);
  });

  it('gives both sides an OUTPUT and an INPUT chain for direction both, each set listed once', () => {
    const compiled = partition(`  direction: both
  targetDevice: eth2`);
    const b = batch(compiled, [selected, peer], { context });
    const ofSelected = networkFragmentFor(b, b.targets[0]!);
    expect(ofSelected.chains?.map((c) => [c.name, c.direction, c.ipsets])).toEqual([
      ['OUTPUT/parti_19b86e5317ba4_', 'OUTPUT', ['parti_19b86e5317ba4_set_tgt']],
      ['INPUT/parti_19b86e5317ba41_', 'INPUT', ['parti_19b86e5317ba4_set_tgt']],
    ]);
    expect(ofSelected.ipsets).toHaveLength(3);
    const ofPeer = networkFragmentFor(b, b.targets[1]!);
    expect(ofPeer.chains?.map((c) => [c.name, c.direction, c.ipsets, c.device])).toEqual([
      ['OUTPUT/parti_19b86e5317ba4_', 'OUTPUT', ['parti_19b86e5317ba4_set_src'], 'eth2'],
      ['INPUT/parti_19b86e5317ba41_', 'INPUT', ['parti_19b86e5317ba4_set_src'], 'eth2'],
    ]);
  });

  it('makes the selected pods drop what they receive for direction from, and the peers what they send', () => {
    const compiled = partition('  direction: from');
    const b = batch(compiled, [selected, peer], { context });
    expect(networkFragmentFor(b, b.targets[0]!).chains?.map((c) => c.direction)).toEqual(['INPUT']);
    expect(networkFragmentFor(b, b.targets[1]!).chains?.map((c) => c.direction)).toEqual(['OUTPUT']);
  });

  it('drops everything on the chain when there is neither a peer nor an external target', () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: net, namespace: default }
spec: { action: partition, mode: all, selector: { labelSelectors: { app: web } }, duration: 10s }
`,
      'NetworkChaos',
    );
    const b = batch(compiled, [selected], {
      context: networkContextRecord({ sourceCidrs: [], targetCidrs: [], externalCidrs: [] }),
    });
    expect(networkFragmentFor(b, b.targets[0]!)).toEqual({
      chains: [{ name: 'OUTPUT/net_', direction: 'OUTPUT', ipsets: [], target: 'DROP', device: '' }],
    });
  });

  it('refuses an interface name that is not a plain token', () => {
    const compiled = partition(`  direction: to
  device: 'eth0; rm -rf /'`);
    const b = batch(compiled, [selected], { context });
    expect(() => networkFragmentFor(b, b.targets[0]!)).toThrow(
      /device "eth0; rm -rf \/" is not an interface name/,
    );
  });

  it('refuses a context whose addresses are not IPv4 CIDRs', () => {
    const compiled = partition('  direction: to');
    const b = batch(compiled, [selected], { context: { targetCidrs: ['10.0.0.1/32 -j ACCEPT'] } });
    expect(() => networkFragmentFor(b, b.targets[0]!)).toThrow(/targetCidrs must be a list of IPv4 CIDRs/);
  });
});
