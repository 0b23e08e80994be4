/**
 * Which agent journal keys a run's ledger records stand for, grouped by the node whose daemon holds them: a fault
 * sent through a pod's entity workflow (network, IO, HTTP: the pod's merged state) is journaled under the pod's
 * key (`chaosflow-target/<family>/<ns>/<pod>`, shared by every run with a fault on that pod, so it is renewed
 * while any of them holds it); every other fault under its own `<run>/<node>/<target>`.
 */
import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { FaultFamily } from '../../common/target-state.js';
import type { LedgerRecord } from '../contract.js';
import { faultKeyValue } from '../daemon/daemon-client.js';
import { targetStateFaultKey } from '../faults/per-target-state/applier-deps.js';

const ENTITY_FAMILY: Partial<Record<ChaosKind, FaultFamily>> = {
  NetworkChaos: 'network',
  IOChaos: 'io',
  HTTPChaos: 'http',
};

/** Node name -> the agent keys held there, for records not recovered yet. */
export function agentLeaseKeys(workflowId: string, records: readonly LedgerRecord[]): Map<string, string[]> {
  const byNode = new Map<string, Set<string>>();
  for (const { entry, target } of records) {
    if (entry.state === 'Recovered') continue;
    const family = ENTITY_FAMILY[entry.kind];
    const key = faultKeyValue(
      family
        ? targetStateFaultKey(family, target)
        : { run: workflowId, node: entry.nodeId, target: target.key },
    );
    const keys = byNode.get(target.node) ?? new Set<string>();
    keys.add(key);
    byNode.set(target.node, keys);
  }
  return new Map([...byNode].map(([node, keys]) => [node, [...keys]]));
}
