/**
 * From a chaos spec's selector to the targets it acts on: match pods, apply the mode, then pick containers.
 * Pure: the pods, the node labels and the random source come from the caller (an activity), so the same inputs
 * always give the same targets.
 *
 * Containers: an empty `containerNames` means each selected pod's first container (Chaos Mesh's rule). A name a
 * selected pod does not have is an error here, naming pod and container; Chaos Mesh silently skips such pods,
 * which turns a typo into an experiment that does nothing.
 */
import type { Target } from '../target.js';
import { describeSelector, matchPods, type MatchContext } from './match-pods.js';
import type { PodInfo } from './pod-info.js';
import type { ContainerSelector, PodSelector, RandomSource } from './pod-selector.js';
import { selectByMode } from './select-by-mode.js';
import { SelectionError } from './selection-error.js';

export interface PodSelection {
  pods: PodInfo[];
  /** How many pods matched before the mode was applied. */
  matched: number;
  namespaces: string[];
  /** random-max-percent only: the percentage drawn. */
  drawnPercent?: number;
}

export interface TargetSelection extends Omit<PodSelection, 'pods'> {
  targets: Target[];
}

/** For a bare PodSelector, such as NetworkChaos `target`. */
export function selectPods(
  pods: readonly PodInfo[],
  podSelector: PodSelector,
  context: MatchContext,
  random: RandomSource,
): PodSelection {
  const match = matchPods(pods, podSelector.selector, context);
  if (match.pods.length === 0) {
    const missing = match.missing.length > 0 ? ` (listed but not found: ${match.missing.join(', ')})` : '';
    throw new SelectionError(
      'SELECTOR_NO_MATCH',
      `no pod matches selector ${describeSelector(podSelector.selector)} in namespaces ${match.namespaces.join(', ')}${missing}. Check the selector against the pods that exist (chaosflow plan shows them).`,
      { namespaces: match.namespaces, missing: match.missing },
    );
  }
  const chosen = selectByMode(match.pods, podSelector.mode, podSelector.value, random);
  return {
    pods: chosen.selected,
    matched: match.pods.length,
    namespaces: match.namespaces,
    ...(chosen.drawnPercent === undefined ? {} : { drawnPercent: chosen.drawnPercent }),
  };
}

export function selectTargets(
  pods: readonly PodInfo[],
  containerSelector: ContainerSelector,
  context: MatchContext,
  random: RandomSource,
): TargetSelection {
  const { pods: chosen, ...rest } = selectPods(pods, containerSelector, context, random);
  const names = containerSelector.containerNames ?? [];
  return { ...rest, targets: chosen.flatMap((pod) => targetsOf(pod, names)) };
}

function targetsOf(pod: PodInfo, names: readonly string[]): Target[] {
  const podName = `${pod.namespace}/${pod.name}`;
  const have = pod.containers.map((c) => c.name);
  if (names.length === 0 && pod.containers.length === 0) {
    throw new SelectionError('SELECTOR_CONTAINER_NOT_FOUND', `pod ${podName} has no containers.`, {
      pod: podName,
    });
  }
  for (const name of names) {
    if (!have.includes(name)) {
      throw new SelectionError(
        'SELECTOR_CONTAINER_NOT_FOUND',
        `pod ${podName} has no container "${name}" (it has: ${have.join(', ') || 'none'}). Fix containerNames, or leave it empty for the first container.`,
        { pod: podName, container: name, containers: have },
      );
    }
  }
  const containers =
    names.length === 0 ? pod.containers.slice(0, 1) : pod.containers.filter((c) => names.includes(c.name));
  return containers.map((c) => {
    if (pod.nodeName === undefined || pod.nodeName === '') {
      throw new SelectionError(
        'SELECTOR_POD_NOT_SCHEDULED',
        `pod ${podName} is not scheduled on a node, so no daemon can reach it. Wait until it is scheduled, or exclude it with podPhaseSelectors: [Running].`,
        { pod: podName },
      );
    }
    if (c.containerId === undefined || c.containerId === '') {
      throw new SelectionError(
        'SELECTOR_CONTAINER_NOT_RUNNING',
        `container "${c.name}" of pod ${podName} has no container id: it has not started. Wait until it runs, or exclude the pod with podPhaseSelectors: [Running].`,
        { pod: podName, container: c.name },
      );
    }
    return {
      key: `${podName}/${c.name}`,
      namespace: pod.namespace,
      pod: pod.name,
      podUid: pod.uid,
      container: c.name,
      containerId: c.containerId,
      node: pod.nodeName,
    };
  });
}
