/**
 * PodChaos `pod-kill`. With the Kubernetes API (a worker whose targets come from a cluster), as Chaos Mesh's
 * `podkill.Impl`: the pod is deleted with the spec's `gracePeriod` (seconds, default 0); a pod already gone
 * counts as killed. A host inventory "pod" is a group of processes with nothing to delete, so every container
 * (process) of it is killed with ContainerKill, each under its own fault key. One-shot: recover does nothing.
 */
import type { PodApi } from '../../kubernetes/pod-api.js';
import type { TargetSource } from '../../targets/target-source.js';
import type { DaemonConnector } from '../daemon-connector.js';
import type { FaultDriver } from '../fault-driver.js';
import { callOptions, eachTarget } from '../fault-outcome.js';
import { currentPod } from '../pod-containers.js';

export function createPodKillDriver(
  connector: DaemonConnector,
  source: Pick<TargetSource, 'listPods'>,
  pods: PodApi | undefined,
): FaultDriver<'PodChaos'> {
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const { target: t } = target;
        if (pods) {
          const outcome = await pods.delete(t.namespace, t.pod, batch.chaos.spec.gracePeriod ?? 0);
          return outcome === 'gone'
            ? { ok: true, message: `pod ${t.namespace}/${t.pod} was already gone` }
            : { ok: true };
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
