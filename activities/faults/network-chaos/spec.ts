/**
 * The parts of a compiled NetworkChaos spec the drivers use, with its defaults (`direction: to`, eth0). The
 * schema has validated the spec; what it leaves free and ends up on a daemon's command line is checked here (an
 * interface name must be a plain token, never something an option parser or a shell could read differently).
 */
import type { CompiledChaosSpec } from '../../../common/plan.js';
import { ActivityError } from '../../errors.js';

type NetworkSpec = CompiledChaosSpec<'NetworkChaos'>;

export type NetworkDirection = NonNullable<NetworkSpec['direction']>;

/** Which of Chaos Mesh's two selectors chose the pod: the spec's own (`.`) or its `target` (`.Target`). */
export type NetworkRole = 'source' | 'target';

export interface NetworkSpecView {
  action: string;
  direction: NetworkDirection;
  /** Interface of the selected pods (`device`); empty means eth0. */
  device: string;
  /** Interface of the `target` peers (`targetDevice`); empty means eth0. */
  targetDevice: string;
  spec: NetworkSpec;
}

const INTERFACE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function networkSpecOf(spec: NetworkSpec): NetworkSpecView {
  return {
    action: spec.action,
    direction: spec.direction ?? 'to',
    device: interfaceName('device', spec.device),
    targetDevice: interfaceName('targetDevice', spec.targetDevice),
    spec,
  };
}

function interfaceName(field: string, value: unknown): string {
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string' || !INTERFACE.test(value)) {
    throw new ActivityError(
      'INVALID_INPUT',
      `${field} ${JSON.stringify(typeof value === 'string' ? value.slice(0, 40) : value)} is not an interface name: use 1-15 of A-Z a-z 0-9 _ . - (such as eth0).`,
    );
  }
  return value;
}

/** Whether a pod chosen by `role` gets rules for `direction` (`to`: packets from the selected pods to the peers). */
export function directionsFor(
  role: NetworkRole,
  direction: NetworkDirection,
): { output: boolean; input: boolean } {
  const to = direction === 'to' || direction === 'both';
  const from = direction === 'from' || direction === 'both';
  // The selected pods drop what they send to the peers (to) or receive from them (from); the peers mirror it.
  return role === 'source' ? { output: to, input: from } : { output: from, input: to };
}
