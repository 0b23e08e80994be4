/**
 * Sends a pod's merged network state, as Chaos Mesh's PodNetworkChaos controller does on every change:
 * FlushIPSets (all ipsets), then SetIptablesChains (all chains), then SetTcs (all tc rules), each with
 * `enterNS: true` and the pod's uid, each trying the pod's containers in turn. Empty lists clear the pod.
 * Two departures, both from what the entity knows of its last successful apply (`appliedLists`):
 * - a list that is empty now and was empty then is not sent (the daemon holds none of it: a partition's
 *   SetTcs, a bandwidth fault's FlushIPSets and SetIptablesChains), so a change costs only the calls that change
 *   something; an entity's first apply, and every apply after a failed one, sends all three;
 * - when no chain is left, SetIptablesChains goes first: no rule references a set any more, and the rules (what
 *   cuts the traffic) are gone one call sooner.
 *
 * Before sending, items that name the same chain or ipset are merged (several faults on one pod can produce
 * the same names: a pod that is both selected and a `target` peer, or two runs of one chaos): a chain matches
 * the union of their ipsets (one without ipsets drops everything, so it wins), an ipset holds the union of
 * its entries. Chaos Mesh would send the duplicates, which a daemon refuses or applies twice.
 */
import type { ChainMessage, IPSetMessage, TargetStateLists } from '../../../common/target-state.js';
import type { ApplyTargetStateInputOf, ApplyTargetStateResult } from '../../contract.js';
import type { RequestInput } from '../../../proto/chaos-daemon-rpcs.js';
import { ActivityError } from '../../errors.js';
import { containerIdsOf, currentPod, PodGoneError, tryContainers } from '../pod-containers.js';
import { targetStateCallOptions, type StateApplierDeps } from '../per-target-state/applier-deps.js';

export async function applyNetworkState(
  input: ApplyTargetStateInputOf<'network'>,
  deps: StateApplierDeps,
  signal: AbortSignal,
): Promise<ApplyTargetStateResult> {
  const ipsets = mergeIPSets(input.lists.ipsets ?? []);
  const chains = mergeChains(input.lists.chains ?? []);
  const tcs = input.lists.tcs ?? [];
  const podName = `${input.target.namespace}/${input.target.pod}`;
  const pod = await currentPod(deps.source, input.target);
  if (!pod) return { warning: `pod ${podName} is gone: nothing left to change` };

  const daemon = await deps.connector.forNode(pod.nodeName ?? input.target.node);
  const ids = containerIdsOf(pod);
  const options = targetStateCallOptions('network', input.target, signal);
  const common = { enterNS: true, pod_uid: pod.uid };
  const agentWarnings: string[] = [];
  const send = async <R extends 'FlushIPSets' | 'SetIptablesChains' | 'SetTcs'>(
    rpc: R,
    request: RequestInput<R>,
  ): Promise<unknown> => {
    if (!daemon.callWithWarnings) return daemon.call(rpc, request, options);
    const answer = await daemon.callWithWarnings(rpc, request, options);
    agentWarnings.push(...answer.warnings);
    return answer.response;
  };
  const calls = {
    ipsets: () =>
      tryContainers(podName, ids, (container_id) => send('FlushIPSets', { ...common, container_id, ipsets })),
    chains: () =>
      tryContainers(podName, ids, (container_id) =>
        send('SetIptablesChains', { ...common, container_id, chains }),
      ),
    tcs: () =>
      tryContainers(podName, ids, (container_id) => send('SetTcs', { ...common, container_id, tcs })),
  };
  try {
    for (const list of networkCallOrder({ ipsets, chains, tcs }, input.appliedLists)) await calls[list]();
  } catch (err) {
    if (err instanceof PodGoneError) return { warning: `${err.message}: nothing left to change` };
    throw err;
  }
  return agentWarnings.length > 0 ? { agentWarnings: [...new Set(agentWarnings)] } : {};
}

type NetworkList = keyof TargetStateLists['network'];

/**
 * The lists to send, in order (see the header): ipsets, chains, tcs, or chains first when none is left; a list
 * left out when it is empty and was empty at the last successful apply (`applied`: the lists that were not;
 * undefined: unknown, so every list is sent).
 */
export function networkCallOrder(
  lists: { readonly [L in NetworkList]: readonly unknown[] },
  applied: readonly string[] | undefined,
): NetworkList[] {
  const order: NetworkList[] =
    lists.chains.length === 0 ? ['chains', 'ipsets', 'tcs'] : ['ipsets', 'chains', 'tcs'];
  if (applied === undefined) return order;
  return order.filter((list) => lists[list].length > 0 || applied.includes(list));
}

function mergeIPSets(sets: readonly IPSetMessage[]): IPSetMessage[] {
  const byName = new Map<string, IPSetMessage>();
  for (const set of sets) {
    const seen = byName.get(set.name);
    if (!seen) {
      byName.set(set.name, set);
      continue;
    }
    if (seen.type !== set.type) {
      throw new ActivityError(
        'INVALID_INPUT',
        `two faults define ipset ${set.name} with types ${seen.type} and ${set.type}`,
      );
    }
    const union = <V>(a: readonly V[] | undefined, b: readonly V[] | undefined): V[] => {
      const out = [...(a ?? [])];
      for (const v of b ?? []) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(v))) out.push(v);
      return out;
    };
    byName.set(set.name, {
      ...seen,
      cidrs: union(seen.cidrs, set.cidrs),
      cidr_and_ports: union(seen.cidr_and_ports, set.cidr_and_ports),
      set_names: union(seen.set_names, set.set_names),
    });
  }
  return [...byName.values()];
}

function mergeChains(chains: readonly ChainMessage[]): ChainMessage[] {
  const byName = new Map<string, ChainMessage>();
  for (const chain of chains) {
    const seen = byName.get(chain.name);
    if (!seen) {
      byName.set(chain.name, chain);
      continue;
    }
    if (seen.direction !== chain.direction || (seen.device ?? '') !== (chain.device ?? '')) {
      throw new ActivityError(
        'INVALID_INPUT',
        `two faults need chain ${chain.name} with different directions or interfaces on one pod (a pod that is both ` +
          'selected and a target peer needs the same device and targetDevice)',
      );
    }
    const a = seen.ipsets ?? [];
    const b = chain.ipsets ?? [];
    const ipsets = a.length === 0 || b.length === 0 ? [] : [...new Set([...a, ...b])];
    byName.set(chain.name, { ...seen, ipsets });
  }
  return [...byName.values()];
}
