/**
 * Sending a pod's merged network state. Expectations follow Chaos Mesh's PodNetworkChaos controller
 * (`Reconcile`: SetIPSets, then SetIptables, then SetTcs) and its `ipset.FlushIPSets` / `iptable.
 * SetIptablesChains` / `tc.SetTcs` (each tries the pod's containers in turn, `enterNS: true`, `pod_uid`).
 * The daemon is a FAKE recorder; the pods come from a FAKE source.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyTargetStateInput } from '../../../../activities/contract.js';
import { DaemonError } from '../../../../activities/daemon/daemon-error.js';
import type { GrpcStatusName } from '../../../../proto/grpc-status.js';
import { ActivityError } from '../../../../activities/errors.js';
import { createTargetStateApplier } from '../../../../activities/faults/per-target-state/apply-target-state.js';
import { DaemonClientPool } from '../../../../activities/daemon/daemon-client-pool.js';
import type { PodInfo } from '../../../../common/selection/pod-info.js';
import { FakeDaemons, neverAborted, target } from '../fault-fixtures.js';

const pod: PodInfo = {
  namespace: 'default',
  name: 'web-0',
  uid: 'uid-web-0',
  labels: {},
  annotations: {},
  nodeName: 'node-1',
  phase: 'Running',
  containers: [
    { name: 'main', containerId: 'containerd://c1' },
    { name: 'sidecar', containerId: 'containerd://c2' },
  ],
};

function setup(pods: PodInfo[] = [pod]) {
  const daemons = new FakeDaemons();
  const apply = createTargetStateApplier({
    pool: new DaemonClientPool(),
    source: { listPods: () => Promise.resolve(pods), daemonFor: () => Promise.reject(new Error('unused')) },
    connector: daemons,
  });
  return { daemons, apply };
}

const input = (lists: Record<string, unknown[]>): ApplyTargetStateInput => ({
  family: 'network',
  endpoint: '10.0.0.1:31767',
  target: target('web-0'),
  lists,
});

const daemonError = (status: GrpcStatusName, rpc: 'FlushIPSets' | 'SetIptablesChains' = 'FlushIPSets') =>
  new DaemonError('DAEMON_CALL_FAILED', { endpoint: 'x', rpc, status, serverMessage: `fake ${status}` });

const ipset = { name: 's1', type: 'hash:net', cidrs: ['10.0.0.9/32'], cidr_and_ports: [], set_names: [] };
const chain = { name: 'OUTPUT/net_', direction: 'OUTPUT', ipsets: ['s1'], target: 'DROP', device: '' };
const tc = { type: 'BANDWIDTH', tbf: { rate: '1mbps', limit: 1, buffer: 1 }, ipset: '', device: '' };

describe('network state applier', () => {
  it('sends FlushIPSets, SetIptablesChains and SetTcs in order, entering the pod namespace with its uid', async () => {
    const { daemons, apply } = setup();
    const result = await apply(input({ ipsets: [ipset], chains: [chain], tcs: [tc] }), neverAborted);
    expect(result).toEqual({});
    expect(daemons.calls.map((c) => [c.node, c.rpc, c.request])).toEqual([
      [
        'node-1',
        'FlushIPSets',
        { enterNS: true, pod_uid: 'uid-web-0', container_id: 'containerd://c1', ipsets: [ipset] },
      ],
      [
        'node-1',
        'SetIptablesChains',
        { enterNS: true, pod_uid: 'uid-web-0', container_id: 'containerd://c1', chains: [chain] },
      ],
      [
        'node-1',
        'SetTcs',
        { enterNS: true, pod_uid: 'uid-web-0', container_id: 'containerd://c1', tcs: [tc] },
      ],
    ]);
    expect(daemons.calls[0]?.options).toMatchObject({
      faultKey: { run: 'chaosflow-target', node: 'network', target: 'default/web-0' },
      namespacedName: 'default/web-0',
    });
  });

  it('clears the pod with empty lists when nothing is held, the rules first (no rule then needs a set)', async () => {
    const { daemons, apply } = setup();
    await apply(input({}), neverAborted);
    expect(
      daemons.calls.map((c) => [c.rpc, c.request['ipsets'] ?? c.request['chains'] ?? c.request['tcs']]),
    ).toEqual([
      ['SetIptablesChains', []],
      ['FlushIPSets', []],
      ['SetTcs', []],
    ]);
  });

  it('leaves out a list that is empty now and was empty at the last apply, and sends every list when that is unknown', async () => {
    const sent = async (lists: Record<string, unknown[]>, appliedLists?: string[]) => {
      const { daemons, apply } = setup();
      await apply({ ...input(lists), ...(appliedLists ? { appliedLists } : {}) }, neverAborted);
      return daemons.calls.map((c) => c.rpc);
    };
    // A partition after a recover: its tcs were empty then and are now.
    expect(await sent({ ipsets: [ipset], chains: [chain] }, [])).toEqual([
      'FlushIPSets',
      'SetIptablesChains',
    ]);
    // Its recover: the ipsets and chains held then are cleared; the tcs, empty both times, are not sent.
    expect(await sent({}, ['ipsets', 'chains'])).toEqual(['SetIptablesChains', 'FlushIPSets']);
    // A bandwidth fault's inject and recover: only SetTcs.
    expect(await sent({ tcs: [tc] }, [])).toEqual(['SetTcs']);
    expect(await sent({}, ['tcs'])).toEqual(['SetTcs']);
    // Nothing held then or now: nothing to send.
    expect(await sent({}, [])).toEqual([]);
    // Unknown (the entity's first apply, or one after a failed apply): everything.
    expect(await sent({ tcs: [tc] })).toEqual(['SetIptablesChains', 'FlushIPSets', 'SetTcs']);
  });

  it('tries the next container when one is gone or failing, like Chaos Mesh', async () => {
    const { daemons, apply } = setup();
    daemons.answer = (call) => {
      if (call.request['container_id'] === 'containerd://c1') throw daemonError('NOT_FOUND');
      return {};
    };
    await apply(input({ chains: [chain] }), neverAborted);
    expect(daemons.calls.map((c) => `${c.rpc}:${String(c.request['container_id'])}`)).toEqual([
      'FlushIPSets:containerd://c1',
      'FlushIPSets:containerd://c2',
      'SetIptablesChains:containerd://c1',
      'SetIptablesChains:containerd://c2',
      'SetTcs:containerd://c1',
      'SetTcs:containerd://c2',
    ]);
  });

  it('counts the state as applied, with a warning, when the pod or all its containers are gone', async () => {
    const gone = setup([]);
    expect(await gone.apply(input({ chains: [chain] }), neverAborted)).toEqual({
      warning: 'pod default/web-0 is gone: nothing left to change',
    });
    expect(gone.daemons.calls).toEqual([]);
    const { daemons, apply } = setup();
    daemons.answer = () => {
      throw daemonError('NOT_FOUND');
    };
    expect((await apply(input({ chains: [chain] }), neverAborted)).warning).toMatch(
      /pod default\/web-0 is gone/,
    );
  });

  it('stops at an answer about the request itself: refused for good, other containers not tried', async () => {
    const { daemons, apply } = setup();
    daemons.answer = () => {
      throw daemonError('INVALID_ARGUMENT');
    };
    const err = await apply(input({ ipsets: [ipset] }), neverAborted).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityError);
    expect((err as ActivityError).code).toBe('INVALID_INPUT');
    expect(daemons.calls).toHaveLength(1);
    daemons.answer = () => {
      throw daemonError('FAILED_PRECONDITION');
    };
    expect(await apply(input({}), neverAborted).catch((e: unknown) => (e as ActivityError).code)).toBe(
      'UNSUPPORTED',
    );
  });

  it('fails as retryable when every container answers with a transient error', async () => {
    const { daemons, apply } = setup();
    daemons.answer = () => {
      throw daemonError('UNAVAILABLE');
    };
    const err = (await apply(input({}), neverAborted).catch((e: unknown) => e)) as ActivityError;
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(daemons.calls).toHaveLength(2);
  });

  it('merges items that name the same chain or ipset (two faults with the same names on one pod)', async () => {
    const { daemons, apply } = setup();
    const other = { ...ipset, cidrs: ['10.0.0.10/32'] };
    await apply(
      input({
        ipsets: [ipset, ipset, other, { ...ipset, name: 's2' }],
        chains: [
          chain,
          { ...chain, ipsets: ['s2'] },
          { ...chain, name: 'INPUT/x', direction: 'INPUT' },
          { ...chain, name: 'INPUT/x', direction: 'INPUT', ipsets: [] },
        ],
      }),
      neverAborted,
    );
    expect(daemons.calls[0]?.request['ipsets']).toEqual([
      { ...ipset, cidrs: ['10.0.0.9/32', '10.0.0.10/32'] },
      { ...ipset, name: 's2' },
    ]);
    expect(daemons.calls[1]?.request['chains']).toEqual([
      { ...chain, ipsets: ['s1', 's2'] },
      { ...chain, name: 'INPUT/x', direction: 'INPUT', ipsets: [] },
    ]);
  });
});
