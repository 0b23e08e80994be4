/** The PodChaos driver: one driver per action (`pod-kill`, `pod-failure`, `container-kill`). */
import type { PodChaosSpec } from '../../../common/generated/manifest-types.js';
import { ActivityError } from '../../errors.js';
import type { FaultDriver } from '../fault-driver.js';
import { eachTarget } from '../fault-outcome.js';

export type PodChaosAction = PodChaosSpec['action'];

type PodChaosDriver = FaultDriver<'PodChaos'>;

export function createPodChaosDriver(
  actions: Readonly<Record<PodChaosAction, PodChaosDriver>>,
): PodChaosDriver {
  const pick = (action: string | undefined): PodChaosDriver | undefined =>
    action !== undefined && Object.hasOwn(actions, action) ? actions[action as PodChaosAction] : undefined;
  const unknown =
    (action: string | undefined): PodChaosDriver['inject'] =>
    (batch) =>
      eachTarget(batch, () =>
        Promise.reject(
          new ActivityError(
            'INVALID_INPUT',
            `PodChaos action ${JSON.stringify(action)} is not one of ${Object.keys(actions).join(', ')}`,
          ),
        ),
      );
  return {
    inject: (batch, signal) =>
      (pick(batch.chaos.action) ?? { inject: unknown(batch.chaos.action) }).inject(batch, signal),
    recover: (batch, signal) => {
      const driver = pick(batch.chaos.action);
      return driver ? driver.recover(batch, signal) : eachTarget(batch, () => Promise.resolve({ ok: true }));
    },
  };
}
