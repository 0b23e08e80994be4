/**
 * PodChaos `pod-kill`. In Kubernetes Chaos Mesh deletes the pod through the API (`gracePeriod`), which is not
 * implemented here yet: such targets are refused as UNSUPPORTED. A host inventory "pod" is a group of
 * processes with nothing to delete, so every container (process) of it is killed with ContainerKill, each
 * under its own fault key. One-shot: recover does nothing.
 */
import { ActivityError } from '../../errors.js';
import type { TargetSource } from '../../targets/target-source.js';
import type { DaemonConnector } from '../daemon-connector.js';
import type { FaultDriver } from '../fault-driver.js';
import { callOptions, eachTarget } from '../fault-outcome.js';
import { currentPod } from '../pod-containers.js';

export function createPodKillDriver(
  connector: DaemonConnector,
  source: Pick<TargetSource, 'listPods'>,
): FaultDriver<'PodChaos'> {
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const { target: t } = target;
        if (!t.containerId.startsWith('pid://')) {
          throw new ActivityError(
            'UNSUPPORTED',
            `pod-kill of ${t.namespace}/${t.pod} deletes the pod through the Kubernetes API, which chaosflow does not do yet; use container-kill to kill its containers`,
          );
        }
        const pod = await currentPod(source, t);
        const containers = pod?.containers.filter((c) => c.containerId) ?? [
          { name: t.container, containerId: t.containerId },
        ];
        const daemon = await connector.forNode(t.node);
        const base = callOptions(batch, target, signal);
        for (const container of containers) {
          await daemon.call(
            'ContainerKill',
            { action: { action: 'KILL' }, container_id: container.containerId },
            {
              ...base,
              faultKey: {
                run: batch.run.workflowId,
                node: batch.nodeId,
                target: `${t.namespace}/${t.pod}/${container.name}`,
              },
            },
          );
        }
        return { ok: true };
      }),
    recover: (batch) => eachTarget(batch, () => Promise.resolve({ ok: true })),
  };
}
