/**
 * The NetworkChaos driver (every action). A pod's network state is declarative and shared by every fault on it,
 * so the driver never calls the daemon itself: it builds this fault's fragment for the target (Chaos Mesh's
 * entries of the pod's PodNetworkChaos) and hands it to the pod's entity workflow, which sends the merged state
 * (FlushIPSets -> SetIptablesChains -> SetTcs) and re-sends the rest when the fragment is removed on recover.
 */
import type { FaultBatchOf } from '../../contract.js';
import type { FaultDriver } from '../fault-driver.js';
import { chaosNameOf, type FaultTarget } from '../fault-outcome.js';
import { networkContextOf } from './context.js';
import type { NetworkFragment } from './ipsets.js';
import { partitionFragment } from './partition.js';
import { networkSpecOf } from './spec.js';
import { trafficControlFragment } from './traffic-control.js';
import type { TargetStateClient } from '../per-target-state/entity-client.js';
import { createFragmentDriver } from '../per-target-state/fragment-driver.js';

/** The fragment one target of the batch contributes (empty when its side has no rule for this direction). */
export function networkFragmentFor(
  batch: FaultBatchOf<'NetworkChaos'>,
  target: FaultTarget,
): NetworkFragment {
  const spec = networkSpecOf(batch.chaos.spec);
  const context = networkContextOf(batch.context);
  const role = target.target.selectorKey === '.Target' ? 'target' : 'source';
  const name = chaosNameOf(batch);
  return spec.action === 'partition'
    ? partitionFragment(name, spec, role, context)
    : trafficControlFragment(name, spec, role, context);
}

export function createNetworkChaosDriver(targetState: TargetStateClient): FaultDriver<'NetworkChaos'> {
  return createFragmentDriver('network', targetState, networkFragmentFor);
}
