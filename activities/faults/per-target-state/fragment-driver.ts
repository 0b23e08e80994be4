/**
 * A driver for the families whose daemon calls replace a pod's whole state (network, IO, HTTP): it builds the
 * fault's fragment for each target and adds it to the pod's entity workflow on inject, and removes it on
 * recover; the entity sends the merged state through `applyTargetState`. A pod that is gone fails the inject
 * for good and counts as recovered on recover.
 */
import type { ChaosKind } from '../../../common/chaos-kinds.js';
import type { FaultFamily, FaultFragment } from '../../../common/target-state.js';
import type { FaultBatchOf } from '../../contract.js';
import { ActivityError } from '../../errors.js';
import type { FaultDriver } from '../fault-driver.js';
import { eachTarget, type FaultTarget, type TargetOutcome } from '../fault-outcome.js';
import type { TargetStateClient } from './entity-client.js';

export function createFragmentDriver<K extends ChaosKind, F extends FaultFamily>(
  family: F,
  targetState: TargetStateClient,
  /** The target's fragment; an empty one means this target has no rule (nothing is sent). */
  fragmentFor: (batch: FaultBatchOf<K>, target: FaultTarget) => FaultFragment<F>,
): FaultDriver<K> {
  return {
    inject: (batch) =>
      eachTarget(batch, async (target): Promise<TargetOutcome> => {
        const fragment = fragmentFor(batch, target);
        if (Object.keys(fragment).length === 0) return { ok: true };
        const view = await targetState.set(family, batch.endpoint, target.target, target.key, fragment);
        if (view.warning) throw new ActivityError('INVALID_INPUT', `${target.target.key}: ${view.warning}`);
        // What the agent said of the apply (how a loss was carried out, a fault its lease had recovered before).
        const notes = view.agentWarnings ?? [];
        return notes.length > 0 ? { ok: true, message: notes.join('; ') } : { ok: true };
      }),
    recover: (batch) =>
      eachTarget(batch, async (target): Promise<TargetOutcome> => {
        const view = await targetState.remove(family, target.target, target.key);
        const notes = [...(view?.warning ? [view.warning] : []), ...(view?.agentWarnings ?? [])];
        return notes.length > 0 ? { ok: true, message: notes.join('; ') } : { ok: true };
      }),
  };
}
