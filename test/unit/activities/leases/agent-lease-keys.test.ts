import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../../activities/contract.js';
import { agentLeaseKeys } from '../../../../activities/leases/agent-lease-keys.js';
import type { FaultEntry } from '../../../../common/run-status.js';

function record(
  kind: FaultEntry['kind'],
  node: string,
  pod: string,
  state: FaultEntry['state'],
): LedgerRecord {
  const target = {
    key: `default/${pod}/server`,
    namespace: 'default',
    pod,
    container: 'server',
    containerId: 'pid://42',
    node,
  };
  return {
    entry: {
      key: `run-1/${kind}/${target.key}`,
      nodeId: kind === 'NetworkChaos' ? 'partition' : 'burn',
      kind,
      target: target.key,
      endpoint: node,
      state,
      recoverAttempts: 0,
    },
    chaos: { kind } as LedgerRecord['chaos'],
    target,
    context: undefined,
  };
}

describe('agentLeaseKeys (what a run renews, per node)', () => {
  it("renews a network fault under its pod's entity key, and a stress fault under its own", () => {
    const keys = agentLeaseKeys('run-1', [
      record('NetworkChaos', 'node-a', 'web-0', 'Injected'),
      record('StressChaos', 'node-a', 'web-0', 'Injected'),
      record('NetworkChaos', 'node-b', 'db-0', 'RecoveryFailed'),
    ]);
    expect(Object.fromEntries(keys)).toEqual({
      'node-a': ['chaosflow-target/network/default/web-0', 'run-1/burn/default/web-0/server'],
      'node-b': ['chaosflow-target/network/default/db-0'],
    });
  });

  it('leaves out what is recovered, and names a pod key once for several faults on it', () => {
    const keys = agentLeaseKeys('run-1', [
      record('NetworkChaos', 'node-a', 'web-0', 'Injected'),
      record('NetworkChaos', 'node-a', 'web-0', 'Injecting'),
      record('StressChaos', 'node-a', 'web-1', 'Recovered'),
    ]);
    expect(Object.fromEntries(keys)).toEqual({ 'node-a': ['chaosflow-target/network/default/web-0'] });
  });
});
