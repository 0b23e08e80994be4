/**
 * Every request the drivers and appliers build survives the real protobuf encoding of `proto/chaosdaemon.proto`
 * (v2.8): encoded with the service's serializer and decoded again, each field the driver set comes back with
 * its value (64-bit integers as decimal strings, enums by name, nested messages intact). A field name or type
 * that does not match the proto would be dropped or fail here.
 */
import { describe, expect, it } from 'vitest';
import { chaosDaemonProto } from '../../../proto/chaos-daemon-proto.js';
import type { ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';
import { createFaultDrivers } from '../../../activities/faults/drivers.js';
import { networkFragmentFor } from '../../../activities/faults/network-chaos/network-chaos.js';
import { networkContextRecord } from '../../../activities/faults/network-chaos/context.js';
import { setTimeOffsetRequest } from '../../../activities/faults/time-chaos.js';
import { stressRequest } from '../../../activities/faults/stress-chaos.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { SUPPORTED_CHAOS_KINDS } from '../../../common/chaos-kinds.js';
import { batch, example, manifest, target } from './fault-fixtures.js';

function roundTrip(rpc: ChaosDaemonRpc, request: object): Record<string, unknown> {
  const method = chaosDaemonProto().service[rpc];
  return method.requestDeserialize(method.requestSerialize(request)) as unknown as Record<string, unknown>;
}

const web = target('web-0');

describe('requests on the wire', () => {
  it('encodes partition and tc fragments as IPSetsRequest, IptablesChainsRequest and TcsRequest', async () => {
    const partition = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: net, namespace: default }
spec:
  action: partition
  mode: all
  selector: { labelSelectors: { app: web } }
  externalTargets: ['10.8.0.1:5432', '10.9.0.0/16']
  duration: 30s
`,
      'NetworkChaos',
    );
    const context = networkContextRecord({
      sourceCidrs: [],
      targetCidrs: ['10.1.0.9/32'],
      externalCidrs: [
        { cidr: '10.8.0.1/32', port: 5432 },
        { cidr: '10.9.0.0/16', port: 0 },
      ],
    });
    const b = batch(partition, [web], { context });
    const fragment = networkFragmentFor(b, b.targets[0]!);
    const common = { container_id: 'containerd://x', enterNS: true, pod_uid: 'uid' };
    expect(roundTrip('FlushIPSets', { ...common, ipsets: fragment.ipsets })).toMatchObject({
      ...common,
      ipsets: fragment.ipsets,
    });
    expect(roundTrip('SetIptablesChains', { ...common, chains: fragment.chains })).toMatchObject({
      ...common,
      chains: fragment.chains,
    });

    for (const file of ['network-delay.yaml', 'network-bandwidth.yaml']) {
      const tc = batch(await example(file, 'NetworkChaos'), [web], {
        context: networkContextRecord({ sourceCidrs: [], targetCidrs: [], externalCidrs: [] }),
      });
      const tcs = networkFragmentFor(tc, tc.targets[0]!).tcs;
      expect(roundTrip('SetTcs', { ...common, tcs })).toMatchObject({ ...common, tcs });
    }
  });

  it('encodes stress, time, kill, IO, HTTP and DNS requests', async () => {
    const stress = await example('stress-cpu.yaml', 'StressChaos');
    const exec = stressRequest(stress.chaos.spec, batch(stress, [web]).targets[0]!);
    expect(roundTrip('ExecStressors', exec)).toMatchObject(exec);
    const time = batch(await example('time-offset.yaml', 'TimeChaos'), [web]);
    const setTime = setTimeOffsetRequest(time, time.targets[0]!);
    expect(roundTrip('SetTimeOffset', setTime)).toMatchObject(setTime);
    const kill = { action: { action: 'KILL' }, container_id: 'pid://1' };
    expect(roundTrip('ContainerKill', kill)).toMatchObject(kill);
    const cancel = {
      cpuInstance: '4242',
      cpuStartTime: '1795300113000',
      memoryInstance: '',
      memoryStartTime: '0',
    };
    expect(roundTrip('CancelStressors', cancel)).toMatchObject(cancel);
    const io = {
      actions: '[]',
      volume: '/data',
      container_id: 'c',
      instance: '12',
      startTime: '34',
      enterNS: true,
      instance_uid: 'u',
    };
    expect(roundTrip('ApplyIOChaos', io)).toMatchObject(io);
    const http = {
      rules: '[]',
      proxy_ports: [80, 8080],
      container_id: 'c',
      instance: '1',
      startTime: '2',
      enterNS: true,
      instance_uid: 'u',
      tls: '',
    };
    expect(roundTrip('ApplyHttpChaos', http)).toMatchObject(http);
    const dns = { container_id: 'c', dns_server: '10.96.0.53', enable: true, enterNS: true };
    expect(roundTrip('SetDNSServer', dns)).toMatchObject(dns);
  });

  it('has a driver for every chaos kind', () => {
    const all = createFaultDrivers({
      pool: new DaemonClientPool(),
      source: { listPods: () => Promise.resolve([]), daemonFor: () => Promise.reject(new Error('unused')) },
      targetState: {
        set: () => Promise.reject(new Error('unused')),
        remove: () => Promise.resolve(undefined),
      },
    });
    for (const kind of SUPPORTED_CHAOS_KINDS) {
      expect(typeof all[kind].inject, kind).toBe('function');
      expect(typeof all[kind].recover, kind).toBe('function');
    }
  });
});
