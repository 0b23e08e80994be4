import { isIPv4 } from 'node:net';
import type { PodInfo } from '../../../common/selection/pod-info.js';
import type { RandomSource } from '../../../common/selection/pod-selector.js';
import type { Target } from '../../../common/target.js';
import { ActivityError } from '../../errors.js';
import { asTargetErrors, groupByDaemon, resolvePodSelector } from '../../targets/resolve-targets.js';
import type { TargetExpander } from '../../targets/target-expander.js';
import type { TargetSource } from '../../targets/target-source.js';
import { ipToCidr, networkContextRecord, type NetworkContext } from './context.js';
import { resolveExternalTargets, type LookupIPv4 } from './external-targets.js';

/**
 * NetworkChaos, as Chaos Mesh records it: the pods the spec selects (records `.`) and the pods its `target`
 * selects (records `.Target`). The peers become targets too, marked `selectorKey: '.Target'` and keyed
 * `<ns>/<pod>/<container>#target`, when they get rules of their own (partition always; tc actions with
 * direction from or both). The context carries every address the rules match on: the selected pods', the
 * peers' (IPv4, as `/32`) and the resolved external targets. Unlike Chaos Mesh, no selected pod (a
 * random-max-percent draw of 0) means no fault at all, rather than peers that drop every packet.
 */
export function createNetworkPeerExpander(
  source: TargetSource,
  random: RandomSource,
  lookupIPv4: LookupIPv4,
): TargetExpander<'NetworkChaos'> {
  return async (input, resolved) => {
    const spec = input.chaos.spec;
    const selected = resolved.groups.flatMap((g) => g.targets);
    if (selected.length === 0) return { groups: [] };
    const partition = spec.action === 'partition';
    const direction = spec.direction ?? 'to';
    const peerPods = spec.target
      ? (await resolvePodSelector(spec.target, input.run.namespace, source, random)).pods
      : [];
    const peersGetRules = peerPods.length > 0 && (partition || direction !== 'to');
    const selectedGetFilter = partition || direction !== 'from';
    const externalCidrs = await resolveExternalTargets(spec.externalTargets ?? [], lookupIPv4);

    const selectedPods = await asTargetErrors(async () => {
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
    const groups = await asTargetErrors(() => groupByDaemon([...selected, ...peers], source));
    return { groups, context: networkContextRecord(context) };
  };
}

function addressesOf(pods: readonly PodInfo[], role: 'selected' | 'target'): string[] {
  return pods.flatMap((pod) => {
    const ips = (pod.podIPs ?? []).filter((ip) => isIPv4(ip));
    if (ips.length === 0) {
      throw new ActivityError(
        'INVALID_INPUT',
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
      'UNAVAILABLE',
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
