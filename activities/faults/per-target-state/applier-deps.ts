/**
 * What the per-family state appliers share: their dependencies and the metadata of
 * their daemon calls. The pod is the unit of state (Chaos Mesh names its PodNetworkChaos, PodHttpChaos after
 * it), so the chaosflow agent journals the calls under `chaosflow-target/<family>/<ns>/<pod>`.
 */
import type { Target } from '../../../common/target.js';
import type { DaemonCallOptions } from '../../daemon/daemon-client.js';
import type { TargetSource } from '../../targets/target-source.js';
import type { DaemonConnector } from '../daemon-connector.js';

export interface StateApplierDeps {
  connector: DaemonConnector;
  source: Pick<TargetSource, 'listPods'>;
}

export function targetStateCallOptions(
  family: string,
  target: Target,
  signal: AbortSignal,
): DaemonCallOptions {
  return {
    faultKey: { run: 'chaosflow-target', node: family, target: `${target.namespace}/${target.pod}` },
    namespacedName: `${target.namespace}/${target.pod}`,
    signal,
  };
}
