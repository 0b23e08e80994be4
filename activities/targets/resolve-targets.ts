/**
 * Resolves a chaos spec's selector into targets, grouped by the daemon that serves them: one inject/recover
 * activity per group. The random choice (modes one, fixed, fixed-percent, random-max-percent) happens here, in
 * an activity, so it is recorded in workflow history and a replay sees the same targets.
 *
 * Errors leave as ActivityError, so the workflow can tell them apart: `NO_TARGETS` when nothing matches,
 * `INVALID_INPUT` for a selector or inventory that cannot work (neither is retried); `UNAVAILABLE` when the
 * source could not be asked, or a selected pod is still starting (retried within the activity's policy).
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { PlanChaosOf } from '../../common/plan.js';
import type { Target } from '../../common/target.js';
import { namespacesOf, type MatchContext } from '../../common/selection/match-pods.js';
import type { PodInfo } from '../../common/selection/pod-info.js';
import type {
  ContainerSelector,
  PodSelector,
  PodSelectorSpec,
  RandomSource,
} from '../../common/selection/pod-selector.js';
import { selectPods, selectTargets, type PodSelection } from '../../common/selection/select-targets.js';
import { isSelectionError, type SelectionErrorCode } from '../../common/selection/selection-error.js';
import type { ResolveTargetsInput, ResolveTargetsResult } from '../contract.js';
import { ActivityError, type ActivityErrorCode } from '../errors.js';
import type { DaemonTargetGroup, ResolvedTargets } from './resolved-targets.js';
import type { TargetExpander, TargetExpanders } from './target-expander.js';
import type { TargetResolver } from './target-resolver.js';
import { InventoryError } from './inventory-error.js';
import type { DaemonRef, TargetSource } from './target-source.js';

export interface ResolveTargetsOptions {
  /** A chaos spec: its `selector`, `mode`, `value` and `containerNames` are used. */
  spec: ContainerSelector;
  /** The namespace of the manifest (default of `selector.namespaces`). */
  namespace: string;
  source: TargetSource;
  random: RandomSource;
}

export async function resolveTargets(options: ResolveTargetsOptions): Promise<ResolvedTargets> {
  const { spec } = options;
  return asTargetErrors(async () => {
    const { pods, context } = await gather(options.source, spec.selector, options.namespace);
    const selection = selectTargets(pods, spec, context, options.random);
    const groups = await groupByDaemon(selection.targets, options.source);
    return {
      groups,
      matched: selection.matched,
      namespaces: selection.namespaces,
      ...(selection.drawnPercent === undefined ? {} : { drawnPercent: selection.drawnPercent }),
    };
  });
}

/** A bare PodSelector, such as NetworkChaos `target`: the peer pods, not daemon batches. */
export async function resolvePodSelector(
  podSelector: PodSelector,
  namespace: string,
  source: TargetSource,
  random: RandomSource,
): Promise<PodSelection> {
  return asTargetErrors(async () => {
    const { pods, context } = await gather(source, podSelector.selector, namespace);
    return selectPods(pods, podSelector, context, random);
  });
}

/**
 * The TargetResolver the worker registers: `run.namespace` is the manifest's namespace. A kind whose selection
 * reaches beyond its own selector (NetworkChaos and its `target` peers) brings an expander; the resolver itself
 * knows no kind.
 */
export function createTargetResolver(
  source: TargetSource,
  random: RandomSource = Math.random,
  expanders: TargetExpanders = {},
): TargetResolver {
  const expand = <K extends ChaosKind>(
    input: ResolveTargetsInput<PlanChaosOf<K>>,
    resolved: ResolvedTargets,
  ): Promise<ResolveTargetsResult> => {
    const expander: TargetExpander<K> | undefined = expanders[input.chaos.kind];
    return expander ? expander(input, resolved) : Promise.resolve({ groups: resolved.groups });
  };
  return {
    resolve: async (input: ResolveTargetsInput) => {
      const resolved = await resolveTargets({
        spec: input.chaos.spec,
        namespace: input.run.namespace,
        source,
        random,
      });
      return expand(input, resolved);
    },
  };
}

async function gather(
  source: TargetSource,
  selector: PodSelectorSpec,
  namespace: string,
): Promise<{ pods: PodInfo[]; context: MatchContext }> {
  const [pods, nodeLabels] = await Promise.all([
    source.listPods(namespacesOf(selector, namespace)),
    source.nodeLabels(),
  ]);
  const defaultPhases = source.defaultPodPhases;
  return {
    pods,
    context: { defaultNamespace: namespace, nodeLabels, ...(defaultPhases ? { defaultPhases } : {}) },
  };
}

/** Targets grouped by the daemon that serves their node, sorted by endpoint. */
export async function groupByDaemon(
  targets: readonly Target[],
  source: TargetSource,
): Promise<DaemonTargetGroup[]> {
  const daemons = new Map<string, DaemonRef>();
  for (const node of new Set(targets.map((t) => t.node))) daemons.set(node, await source.daemonFor(node));
  const groups = new Map<string, DaemonTargetGroup>();
  for (const target of targets) {
    const daemon = daemons.get(target.node) as DaemonRef;
    const key = `${daemon.address}|${daemon.tls ? `${daemon.tls.caFile}|${daemon.tls.certFile}|${daemon.tls.keyFile}|${daemon.tls.serverName ?? ''}` : 'plaintext'}`;
    let group = groups.get(key);
    if (!group) {
      group = { endpoint: daemon.address, daemon, nodes: [], targets: [] };
      groups.set(key, group);
    }
    if (!group.nodes.includes(target.node)) group.nodes.push(target.node);
    group.targets.push(target);
  }
  return [...groups.values()].sort((a, b) =>
    a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0,
  );
}

/** Selection errors that are not INVALID_INPUT: a pod that is still starting may be ready on a retry. */
const ACTIVITY_CODE: Partial<Record<SelectionErrorCode, ActivityErrorCode>> = {
  SELECTOR_NO_MATCH: 'NO_TARGETS',
  SELECTOR_CONTAINER_NOT_RUNNING: 'UNAVAILABLE',
  SELECTOR_POD_NOT_SCHEDULED: 'UNAVAILABLE',
};

/** Runs `fn`, turning selection, inventory and source errors into ActivityErrors with the right codes. */
export async function asTargetErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isSelectionError(err)) {
      throw new ActivityError(ACTIVITY_CODE[err.code] ?? 'INVALID_INPUT', err.message, { cause: err });
    }
    if (err instanceof InventoryError) throw new ActivityError('INVALID_INPUT', err.message, { cause: err });
    if (err instanceof ActivityError) throw err;
    throw new ActivityError('UNAVAILABLE', `cannot list targets: ${errorMessage(err)}`, { cause: err });
  }
}
