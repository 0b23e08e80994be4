/**
 * Resolves a chaos spec's selector into targets, grouped by the daemon that serves them: one inject/recover
 * activity per group. The random choice (modes one, fixed, fixed-percent, random-max-percent) happens here, in
 * an activity, so it is recorded in workflow history and a replay sees the same targets.
 *
 * Errors leave as ActivityError, so the workflow can tell them apart: `NoTargets` when nothing matches,
 * `InvalidInput` for a selector or inventory that cannot work (neither is retried); `Unavailable` when the
 * source could not be asked, or a selected pod is still starting (retried within the activity's policy).
 */
import { isIPv4 } from 'node:net';
import type { Target } from '../../common/target.js';
import { namespacesOf, type MatchContext } from '../../common/selection/match-pods.js';
import type { PodInfo } from '../../common/selection/pod-info.js';
import {
  SELECTOR_MODES,
  type ContainerSelector,
  type PodSelector,
  type PodSelectorSpec,
  type RandomSource,
  type SelectorMode,
} from '../../common/selection/pod-selector.js';
import { selectPods, selectTargets, type PodSelection } from '../../common/selection/select-targets.js';
import { isSelectionError, type SelectionErrorCode } from '../../common/selection/selection-error.js';
import type { ResolveTargetsInput, ResolveTargetsResult, TargetGroup } from '../contract.js';
import { ActivityError, type ActivityErrorCode } from '../errors.js';
import { ipToCidr, networkContextRecord, type NetworkContext } from '../faults/network-chaos/context.js';
import {
  resolveExternalTargets,
  systemLookupIPv4,
  type LookupIPv4,
} from '../faults/network-chaos/external-targets.js';
import type { TargetResolver } from './target-resolver.js';
import { InventoryError } from './inventory-error.js';
import type { DaemonRef, TargetSource } from './target-source.js';

/** The targets of one daemon. `endpoint` is the daemon's address (the contract's TargetGroup). */
export interface DaemonTargetGroup extends TargetGroup {
  daemon: DaemonRef;
  /** The nodes this daemon serves among the targets. */
  nodes: string[];
}

export interface ResolvedTargets {
  groups: DaemonTargetGroup[];
  /** Pods that matched the selector before the mode was applied. */
  matched: number;
  namespaces: string[];
  /** random-max-percent only: the percentage drawn (0 means no target, and no fault). */
  drawnPercent?: number;
}

export interface ResolveTargetsOptions {
  /** A chaos spec: its `selector`, `mode`, `value` and `containerNames` are used. */
  spec: Readonly<Record<string, unknown>>;
  /** The namespace of the manifest (default of `selector.namespaces`). */
  namespace: string;
  source: TargetSource;
  random: RandomSource;
}

export async function resolveTargets(options: ResolveTargetsOptions): Promise<ResolvedTargets> {
  const selector = containerSelectorOf(options.spec, 'spec');
  return guard(async () => {
    const { pods, context } = await gather(options.source, selector.selector, options.namespace);
    const selection = selectTargets(pods, selector, context, options.random);
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
  podSelector: Readonly<Record<string, unknown>>,
  namespace: string,
  source: TargetSource,
  random: RandomSource,
): Promise<PodSelection> {
  const selector = containerSelectorOf(podSelector, 'target');
  return guard(async () => {
    const { pods, context } = await gather(source, selector.selector, namespace);
    return selectPods(pods, selector, context, random);
  });
}

export interface TargetResolverOptions {
  /** Resolves NetworkChaos `externalTargets` domains (default: the system resolver, IPv4). */
  lookupIPv4?: LookupIPv4;
}

/**
 * The TargetResolver the worker registers: `run.namespace` is the manifest's namespace. For NetworkChaos it
 * also resolves the `target` peers and the external targets, see `resolveNetworkPeers`.
 */
export function createTargetResolver(
  source: TargetSource,
  random: RandomSource = Math.random,
  options: TargetResolverOptions = {},
): TargetResolver {
  return {
    resolve: async (input: ResolveTargetsInput) => {
      const resolved = await resolveTargets({
        spec: input.chaos.spec,
        namespace: input.run.namespace,
        source,
        random,
      });
      if (input.chaos.kind !== 'NetworkChaos') return { groups: resolved.groups };
      return resolveNetworkPeers(input, resolved, source, random, options.lookupIPv4 ?? systemLookupIPv4);
    },
  };
}

/**
 * NetworkChaos, as Chaos Mesh records it: the pods the spec selects (records `.`) and the pods its `target`
 * selects (records `.Target`). The peers become targets too, marked `selectorKey: '.Target'` and keyed
 * `<ns>/<pod>/<container>#target`, when they get rules of their own (partition always; tc actions with
 * direction from or both). The context carries every address the rules match on: the selected pods', the
 * peers' (IPv4, as `/32`) and the resolved external targets. Unlike Chaos Mesh, no selected pod (a
 * random-max-percent draw of 0) means no fault at all, rather than peers that drop every packet.
 */
export async function resolveNetworkPeers(
  input: ResolveTargetsInput,
  resolved: ResolvedTargets,
  source: TargetSource,
  random: RandomSource,
  lookupIPv4: LookupIPv4,
): Promise<ResolveTargetsResult> {
  const spec = input.chaos.spec;
  const selected = resolved.groups.flatMap((g) => g.targets);
  if (selected.length === 0) return { groups: [] };
  const partition = spec['action'] === 'partition';
  const direction = spec['direction'] ?? 'to';
  const peerSelector = spec['target'];
  const peerPods =
    peerSelector !== undefined && peerSelector !== null
      ? (
          await resolvePodSelector(
            peerSelector as Record<string, unknown>,
            input.run.namespace,
            source,
            random,
          )
        ).pods
      : [];
  const peersGetRules = peerPods.length > 0 && (partition || direction !== 'to');
  const selectedGetFilter = partition || direction !== 'from';
  const externals = Array.isArray(spec['externalTargets']) ? (spec['externalTargets'] as string[]) : [];
  const externalCidrs = await resolveExternalTargets(externals, lookupIPv4);

  const selectedPods = await guard(async () => {
    const names = new Set(selected.map((t) => `${t.namespace}/${t.pod}`));
    const pods = await source.listPods([...new Set(selected.map((t) => t.namespace))]);
    return pods.filter((p) => names.has(`${p.namespace}/${p.name}`));
  });
  const context: NetworkContext = {
    sourceCidrs: peersGetRules ? addressesOf(selectedPods, 'selected') : [],
    targetCidrs: selectedGetFilter ? addressesOf(peerPods, 'target') : [],
    externalCidrs,
  };
  const peers = peersGetRules ? peerPods.map(peerTarget) : [];
  const groups = await guard(() => groupByDaemon([...selected, ...peers], source));
  return { groups, context: networkContextRecord(context) };
}

function addressesOf(pods: readonly PodInfo[], role: 'selected' | 'target'): string[] {
  return pods.flatMap((pod) => {
    const ips = (pod.podIPs ?? []).filter((ip) => isIPv4(ip));
    if (ips.length === 0) {
      throw new ActivityError(
        'InvalidInput',
        `${role} pod ${pod.namespace}/${pod.name} has no IPv4 address, and the NetworkChaos rules of the other side must match it. In a host inventory, list its addresses: ips: [10.0.0.5].`,
      );
    }
    return ips.map(ipToCidr);
  });
}

/** A `target` peer as a target: its first started container reaches its network namespace. */
function peerTarget(pod: PodInfo): Target {
  const podName = `${pod.namespace}/${pod.name}`;
  const container = pod.containers.find((c) => c.containerId);
  if (!pod.nodeName || !container?.containerId) {
    throw new ActivityError(
      'Unavailable',
      `target pod ${podName} is not running (no node or no started container), so its side of the NetworkChaos cannot be set.`,
    );
  }
  return {
    key: `${podName}/${container.name}#target`,
    namespace: pod.namespace,
    pod: pod.name,
    podUid: pod.uid,
    container: container.name,
    containerId: container.containerId,
    node: pod.nodeName,
    selectorKey: '.Target',
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
  return { pods, context: { defaultNamespace: namespace, nodeLabels } };
}

async function groupByDaemon(targets: readonly Target[], source: TargetSource): Promise<DaemonTargetGroup[]> {
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

function containerSelectorOf(spec: Readonly<Record<string, unknown>>, where: string): ContainerSelector {
  const bad = (message: string) => new ActivityError('InvalidInput', `${where}: ${message}`);
  const { selector, mode, value, containerNames } = spec;
  if (
    selector !== undefined &&
    (typeof selector !== 'object' || selector === null || Array.isArray(selector))
  ) {
    throw bad('`selector` must be a mapping such as { labelSelectors: { app: web } }.');
  }
  if (typeof mode !== 'string' || !(SELECTOR_MODES as readonly string[]).includes(mode)) {
    throw bad(`\`mode\` must be one of ${SELECTOR_MODES.join(', ')}, got ${JSON.stringify(mode)}.`);
  }
  if (value !== undefined && typeof value !== 'string') {
    throw bad(`\`value\` must be a string such as "50", got ${JSON.stringify(value)}: quote it.`);
  }
  if (
    containerNames !== undefined &&
    (!Array.isArray(containerNames) || containerNames.some((n) => typeof n !== 'string'))
  ) {
    throw bad('`containerNames` must be a list of container names.');
  }
  const podSelector: PodSelector = {
    selector: selector ?? {},
    mode: mode as SelectorMode,
    ...(value === undefined ? {} : { value }),
  };
  return containerNames === undefined
    ? podSelector
    : { ...podSelector, containerNames: containerNames as string[] };
}

/** Selection errors that are not InvalidInput: a pod that is still starting may be ready on a retry. */
const ACTIVITY_CODE: Partial<Record<SelectionErrorCode, ActivityErrorCode>> = {
  SELECTOR_NO_MATCH: 'NoTargets',
  SELECTOR_CONTAINER_NOT_RUNNING: 'Unavailable',
  SELECTOR_POD_NOT_SCHEDULED: 'Unavailable',
};

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isSelectionError(err)) {
      throw new ActivityError(ACTIVITY_CODE[err.code] ?? 'InvalidInput', err.message, { cause: err });
    }
    if (err instanceof InventoryError) throw new ActivityError('InvalidInput', err.message, { cause: err });
    if (err instanceof ActivityError) throw err;
    throw new ActivityError('Unavailable', `cannot list targets: ${(err as Error).message}`, { cause: err });
  }
}
