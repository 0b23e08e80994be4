/**
 * NetworkChaos tc fragments. Expectations follow Chaos Mesh's `trafficcontrol.Impl.ApplyTc` (which side shapes
 * for which direction, the ipset filter `<tc type[0:2]><tgt|src>` over a list:set), `pkg/netem` `FromDelay` /
 * `FromLoss` / ... / `FromBandwidth` (v2.8: delay and jitter as duration strings, percentages as floats,
 * peakrate/minburst only together) and `MergeNetem` (the larger value of each field).
 */
import { describe, expect, it } from 'vitest';
import { networkFragmentFor } from '../../../../activities/faults/network-chaos/network-chaos.js';
import { networkContextRecord } from '../../../../activities/faults/network-chaos/context.js';
import { netemTime } from '../../../../activities/faults/network-chaos/netem.js';
import { batch, example, manifest, target } from '../fault-fixtures.js';

const selected = target('web-0');
const peer = target('db-0', { key: 'default/db-0/main#target', selectorKey: '.Target' });
const none = networkContextRecord({ sourceCidrs: [], targetCidrs: [], externalCidrs: [] });
const netemZero = {
  time: '',
  jitter: '',
  delay_corr: 0,
  limit: 0,
  loss: 0,
  loss_corr: 0,
  gap: 0,
  duplicate: 0,
  duplicate_corr: 0,
  reorder: 0,
  reorder_corr: 0,
  corrupt: 0,
  corrupt_corr: 0,
  rate: '',
};

describe('NetworkChaos traffic control', () => {
  it('sends the delay of examples/network-delay.yaml as a NETEM rule on every packet', async () => {
    const compiled = await example('network-delay.yaml', 'NetworkChaos');
    const b = batch(compiled, [selected], { context: none });
    expect(networkFragmentFor(b, b.targets[0]!)).toEqual({
      tcs: [
        {
          type: 'NETEM',
          netem: { ...netemZero, time: '100ms', jitter: '10ms', delay_corr: 25 },
          ipset: '',
          protocol: '',
          device: '',
        },
      ],
    });
  });

  it('sends the bandwidth of examples/network-bandwidth.yaml as a tbf', async () => {
    const compiled = await example('network-bandwidth.yaml', 'NetworkChaos');
    const b = batch(compiled, [selected], { context: none });
    expect(networkFragmentFor(b, b.targets[0]!).tcs).toEqual([
      {
        type: 'BANDWIDTH',
        tbf: { rate: '1mbps', limit: 20971520, buffer: 10000, peak_rate: '0', min_burst: 0 },
        ipset: '',
        protocol: '',
        device: '',
      },
    ]);
  });

  it('filters on the peers for direction both: the selected pods shape towards them, the peers back', () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: network-bandwidth, namespace: default }
spec:
  action: bandwidth
  mode: all
  direction: both
  selector: { labelSelectors: { app: web } }
  target: { mode: all, selector: { labelSelectors: { app: db } } }
  bandwidth: { rate: 8mbit, limit: 100, buffer: 2000, peakrate: 9000000, minburst: 1500 }
  targetDevice: eth1
  duration: 30s
`,
      'NetworkChaos',
    );
    const context = networkContextRecord({
      sourceCidrs: ['10.1.0.5/32'],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [],
    });
    const b = batch(compiled, [selected, peer], { context });
    const ofSelected = networkFragmentFor(b, b.targets[0]!);
    expect(ofSelected.ipsets?.map((s) => [s.name, s.type, s.cidrs, s.set_names])).toEqual([
      ['netwo_db2c1d5de63_net_batgt', 'hash:net', ['10.1.0.9/32'], []],
      ['netwo_db2c1d5_netport_batgt', 'hash:net,port', [], []],
      [
        'netwo_db2c1d5de63_set_batgt',
        'list:set',
        [],
        ['netwo_db2c1d5de63_net_batgt', 'netwo_db2c1d5_netport_batgt'],
      ],
    ]);
    expect(ofSelected.tcs).toEqual([
      {
        type: 'BANDWIDTH',
        tbf: { rate: '8mbit', limit: 100, buffer: 2000, peak_rate: '9000000', min_burst: 1500 },
        ipset: 'netwo_db2c1d5de63_set_batgt',
        protocol: '',
        device: '',
      },
    ]);
    const ofPeer = networkFragmentFor(b, b.targets[1]!);
    expect(ofPeer.tcs?.[0]).toMatchObject({ ipset: 'netwo_db2c1d5de63_set_basrc', device: 'eth1' });
    expect(ofPeer.ipsets?.[0]?.cidrs).toEqual(['10.1.0.5/32']);
  });

  it('leaves the peers alone for direction to and filters the selected pods on peers and external targets', () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: network-delay, namespace: default }
spec:
  action: loss
  mode: all
  selector: { labelSelectors: { app: web } }
  target: { mode: all, selector: { labelSelectors: { app: db } } }
  externalTargets: ['10.8.0.1:443']
  loss: { loss: '12.5', correlation: '50' }
  duration: 30s
`,
      'NetworkChaos',
    );
    const context = networkContextRecord({
      sourceCidrs: [],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [{ cidr: '10.8.0.1/32', port: 443 }],
    });
    const b = batch(compiled, [selected, peer], { context });
    expect(networkFragmentFor(b, b.targets[1]!)).toEqual({});
    const ofSelected = networkFragmentFor(b, b.targets[0]!);
    expect(ofSelected.tcs).toEqual([
      {
        type: 'NETEM',
        netem: { ...netemZero, loss: 12.5, loss_corr: 50 },
        ipset: 'netwo_0e9542959b8_set_netgt',
        protocol: '',
        device: '',
      },
    ]);
    expect(ofSelected.ipsets?.[1]?.cidr_and_ports).toEqual([{ cidr: '10.8.0.1/32', port: 443 }]);
  });

  it('merges every netem part of a netem action into one rule', () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: net, namespace: default }
spec:
  action: netem
  mode: all
  selector: { labelSelectors: { app: web } }
  delay: { latency: 90ms, reorder: { reorder: '10', gap: 5 } }
  loss: { loss: '25' }
  duplicate: { duplicate: '1.5', correlation: '3' }
  corrupt: { corrupt: '0.5' }
  duration: 30s
`,
      'NetworkChaos',
    );
    const b = batch(compiled, [selected], { context: none });
    expect(networkFragmentFor(b, b.targets[0]!).tcs?.[0]?.netem).toEqual({
      ...netemZero,
      time: '90ms',
      jitter: '0ms',
      reorder: 10,
      gap: 5,
      loss: 25,
      duplicate: 1.5,
      duplicate_corr: 3,
      corrupt: 0.5,
    });
  });

  it('re-expresses delays the daemon would compare wrongly with "0ms" or tc could not read', () => {
    expect(netemTime('latency', '90ms')).toBe('90ms');
    expect(netemTime('latency', '1.5s')).toBe('1.5s');
    expect(netemTime('latency', '0.5s')).toBe('500ms');
    expect(netemTime('latency', '0.5ms')).toBe('500us');
    expect(netemTime('latency', '.25s')).toBe('250ms');
    expect(netemTime('latency', '1m')).toBe('60s');
    expect(netemTime('latency', '2000ns')).toBe('2us');
    expect(netemTime('jitter', '0s')).toBe('0ms');
    expect(() => netemTime('latency', '1500ns')).toThrow(/finer than a microsecond/);
    expect(() => netemTime('latency', '10ms 1')).toThrow(/must be a number and a unit/);
  });
});
