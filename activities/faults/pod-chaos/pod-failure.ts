/**
 * PodChaos `pod-failure`: Chaos Mesh swaps every container image of the pod for a pause image through the
 * Kubernetes API and swaps them back on recover. A host process has no image, and the Kubernetes path is not
 * implemented yet, so the action is refused as UNSUPPORTED with what to use instead. Recover has nothing to
 * undo.
 */
import { ActivityError } from '../../errors.js';
import type { FaultDriver } from '../fault-driver.js';
import { eachTarget } from '../fault-outcome.js';

export function createPodFailureDriver(): FaultDriver<'PodChaos'> {
  return {
    inject: (batch) =>
      eachTarget(batch, ({ target }) => {
        const why = target.containerId.startsWith('pid://')
          ? `pod-failure needs Kubernetes: it replaces the container images of a pod with a pause image, and ${target.namespace}/${target.pod} is a host process with no image. Use container-kill, or StressChaos, for host processes`
          : `pod-failure of ${target.namespace}/${target.pod} patches the pod through the Kubernetes API, which chaosflow does not do yet`;
        return Promise.reject(new ActivityError('UNSUPPORTED', why));
      }),
    recover: (batch) => eachTarget(batch, () => Promise.resolve({ ok: true })),
  };
}
