/**
 * PodChaos `container-kill`, as Chaos Mesh's `containerkill.Impl`: ContainerKill with action KILL for each
 * selected container. One-shot: there is nothing to undo, so recover does nothing.
 */
import type { DaemonConnector } from '../daemon-connector.js';
import type { FaultDriver } from '../fault-driver.js';
import { callOptions, eachTarget } from '../fault-outcome.js';

export function createContainerKillDriver(connector: DaemonConnector): FaultDriver<'PodChaos'> {
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const daemon = await connector.forNode(target.target.node);
        await daemon.call(
          'ContainerKill',
          { action: { action: 'KILL' }, container_id: target.target.containerId },
          callOptions(batch, target, signal),
        );
        return { ok: true };
      }),
    recover: (batch) => eachTarget(batch, () => Promise.resolve({ ok: true })),
  };
}
