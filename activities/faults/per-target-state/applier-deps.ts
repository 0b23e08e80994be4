/**
 * What the per-family state appliers share: their dependencies and the metadata of
 * their daemon calls. The pod is the unit of state (Chaos Mesh names its PodNetworkChaos, PodHttpChaos after
 * it), so the chaosflow agent journals the calls under `chaosflow-target/<family>/<ns>/<pod>`.
 */
import type { Target } from '../../../common/target.js';
import type { DaemonCallOptions, FaultKey } from '../../daemon/daemon-client.js';
import type { TargetSource } from '../../targets/target-source.js';
import type { DaemonConnector } from '../daemon-connector.js';

export interface StateApplierDeps {
  connector: DaemonConnector;
  source: Pick<TargetSource, 'listPods'>;
}

/** The key a pod's merged state of `family` is journaled (and leased) under by the chaosflow agent. */
export function targetStateFaultKey(family: string, target: Pick<Target, 'namespace' | 'pod'>): FaultKey {
  return { run: 'chaosflow-target', node: family, target: `${target.namespace}/${target.pod}` };
}

export function targetStateCallOptions(
  family: string,
  target: Target,
  signal: AbortSignal,
): DaemonCallOptions {
  return {
    faultKey: targetStateFaultKey(family, target),
    namespacedName: `${target.namespace}/${target.pod}`,
    signal,
  };
}
