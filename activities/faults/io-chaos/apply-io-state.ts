/**
 * Sends a pod's merged IO state, as Chaos Mesh's PodIOChaos controller does: one ApplyIOChaos per container
 * with its whole action list as JSON, its volume, `enterNS: true`, and the toda process the previous call
 * started (`instance`, `startTime`, `instance_uid`), which the daemon replaces; the answer names the new one,
 * kept in `daemonState` per container. A container whose last action was removed gets `[]`, which only stops
 * its toda. Chaos Mesh keeps one PodIOChaos per container with a single volume; two faults on one container
 * with different volumes are refused here for the same reason.
 */
import type { ApplyTargetStateInputOf, ApplyTargetStateResult } from '../../contract.js';
import { DaemonError } from '../../daemon/daemon-error.js';
import { ActivityError } from '../../errors.js';
import { targetStateCallOptions, type StateApplierDeps } from '../per-target-state/applier-deps.js';
import { asActivityError, currentPod } from '../pod-containers.js';

interface ContainerState {
  volume: string;
  actions: Record<string, unknown>[];
}

export async function applyIOState(
  input: ApplyTargetStateInputOf<'io'>,
  deps: StateApplierDeps,
  signal: AbortSignal,
): Promise<ApplyTargetStateResult> {
  const wanted = new Map<string, ContainerState>();
  for (const item of input.lists.actions ?? []) {
    const state = wanted.get(item.container) ?? { volume: item.volume, actions: [] };
    if (state.volume !== item.volume) {
      throw new ActivityError(
        'INVALID_INPUT',
        `container ${item.container} already has IO faults on volume ${state.volume}; one container takes faults on one volume at a time (got ${item.volume})`,
      );
    }
    state.actions.push(item.action);
    wanted.set(item.container, state);
  }
  const previous = input.daemonState ?? {};
  // Containers that had actions before and have none now still need their toda stopped.
  for (const [field, volume] of Object.entries(previous)) {
    const container = field.startsWith('volume/') ? field.slice('volume/'.length) : undefined;
    if (container !== undefined && !wanted.has(container)) wanted.set(container, { volume, actions: [] });
  }

  const podName = `${input.target.namespace}/${input.target.pod}`;
  const pod = await currentPod(deps.source, input.target);
  if (!pod) return { warning: `pod ${podName} is gone: nothing left to change` };
  const daemon = await deps.connector.forNode(pod.nodeName ?? input.target.node);
  const options = targetStateCallOptions('io', input.target, signal);

  const daemonState: Record<string, string> = {};
  const gone: string[] = [];
  for (const [container, state] of wanted) {
    const containerId = pod.containers.find((c) => c.name === container)?.containerId;
    if (!containerId) {
      gone.push(container);
      continue;
    }
    let response;
    try {
      response = await daemon.call(
        'ApplyIOChaos',
        {
          actions: JSON.stringify(state.actions),
          volume: state.volume,
          container_id: containerId,
          instance: previous[`instance/${container}`] ?? '0',
          startTime: previous[`startTime/${container}`] ?? '0',
          enterNS: true,
          instance_uid: previous[`uid/${container}`] ?? '',
        },
        options,
      );
    } catch (err) {
      if (err instanceof DaemonError && err.context.status === 'NOT_FOUND') {
        gone.push(container);
        continue;
      }
      throw asActivityError(err);
    }
    if (state.actions.length > 0) {
      daemonState[`volume/${container}`] = state.volume;
      daemonState[`instance/${container}`] = response.instance;
      daemonState[`startTime/${container}`] = response.startTime;
      daemonState[`uid/${container}`] = response.instance_uid;
    }
  }
  return {
    daemonState,
    ...(gone.length > 0 ? { warning: `container(s) ${gone.join(', ')} of pod ${podName} are gone` } : {}),
  };
}
