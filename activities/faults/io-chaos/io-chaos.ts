/**
 * The IOChaos driver. Like Chaos Mesh (`iochaos.Impl.Apply` appending to the container's PodIOChaos), each
 * fault contributes one action to the selected container's state, and the entity of the pod sends the
 * container's whole action list with ApplyIOChaos (`apply-io-state.ts`). The action is the JSON object Chaos
 * Mesh marshals (`v1alpha1.IOChaosAction`, its fields in Go's order): type, path, methods, percent,
 * faults [{errno, weight: 1}], latency, the attribute override fields, mistake, source.
 */
import type { IOActionItem } from '../../../common/target-state.js';
import type { FaultBatchOf } from '../../contract.js';
import { ActivityError } from '../../errors.js';
import type { FaultDriver } from '../fault-driver.js';
import { chaosNameOf, type FaultTarget } from '../fault-outcome.js';
import type { TargetStateClient } from '../per-target-state/entity-client.js';
import { createFragmentDriver } from '../per-target-state/fragment-driver.js';

const ATTR_FIELDS = [
  'ino',
  'size',
  'blocks',
  'atime',
  'mtime',
  'ctime',
  'kind',
  'perm',
  'nlink',
  'uid',
  'gid',
  'rdev',
] as const;

export function ioActionItem(batch: FaultBatchOf<'IOChaos'>, target: FaultTarget): IOActionItem {
  const spec = batch.chaos.spec;
  const bad = (why: string) => new ActivityError('INVALID_INPUT', `IOChaos: ${why}`);
  const volume = spec.volumePath;
  if (!volume.startsWith('/') || hasControl(volume)) throw bad('volumePath must be an absolute path');
  const path = spec.path ?? '';
  if (hasControl(path)) throw bad('path must not contain control characters');
  const container = target.target.container;
  const action: Record<string, unknown> = { type: spec.action, path };
  if (spec.methods && spec.methods.length > 0) action['methods'] = [...spec.methods];
  action['percent'] = spec.percent ?? 100;
  action['faults'] = [{ errno: spec.errno ?? 0, weight: 1 }];
  if (spec.delay) action['latency'] = spec.delay;
  for (const field of ATTR_FIELDS) {
    const value = spec.attr?.[field];
    if (value !== undefined) action[field] = value;
  }
  if (spec.mistake) {
    const m = spec.mistake;
    action['mistake'] = {
      ...(m.filling ? { filling: m.filling } : {}),
      ...(m.maxOccurrences ? { maxOccurrences: m.maxOccurrences } : {}),
      ...(m.maxLength ? { maxLength: m.maxLength } : {}),
    };
  }
  action['source'] = `${batch.run.namespace}/${chaosNameOf(batch)}-${container}`;
  return { container, volume, action };
}

function hasControl(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

export function createIOChaosDriver(targetState: TargetStateClient): FaultDriver<'IOChaos'> {
  return createFragmentDriver('io', targetState, (batch, target) => ({
    actions: [ioActionItem(batch, target)],
  }));
}
