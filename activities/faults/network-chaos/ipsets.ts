/**
 * The ipsets a NetworkChaos rule matches on, as Chaos Mesh v2.8 builds them (`ipset.BuildIPSets` and
 * `ipset.BuildSetIPSet`): one `hash:net` set of the peers' addresses and the external CIDRs without a port,
 * one `hash:net,port` set of the external targets with a port (both always present, possibly empty), and a
 * `list:set` holding the two, which is what the chain or the tc filter names. Also the fragment type the
 * network drivers give the per-target entity (Chaos Mesh's PodNetworkChaos `ipsets`, `iptables`, `tcs`).
 */
import type { ChainMessage, FaultFragment, IPSetMessage, TcMessage } from '../../../common/target-state.js';
import type { CidrAndPortValue } from './external-targets.js';
import { ipsetName } from './names.js';

/** A network fault's share of a pod's state; empty lists are left out. */
export type NetworkFragment = FaultFragment<'network'>;

/** The member sets and the `list:set` over them; the rule matches the last one. */
export function buildIPSets(
  chaosName: string,
  postfix: string,
  peerCidrs: readonly string[],
  externalCidrs: readonly CidrAndPortValue[],
): { members: IPSetMessage[]; set: IPSetMessage } {
  const net: IPSetMessage = {
    name: ipsetName(chaosName, `net_${postfix}`),
    type: 'hash:net',
    cidrs: [...externalCidrs.filter((c) => c.port === 0).map((c) => c.cidr), ...peerCidrs],
    cidr_and_ports: [],
    set_names: [],
  };
  const netPort: IPSetMessage = {
    name: ipsetName(chaosName, `netport_${postfix}`),
    type: 'hash:net,port',
    cidrs: [],
    cidr_and_ports: externalCidrs.filter((c) => c.port !== 0).map((c) => ({ cidr: c.cidr, port: c.port })),
    set_names: [],
  };
  const set: IPSetMessage = {
    name: ipsetName(chaosName, `set_${postfix}`),
    type: 'list:set',
    cidrs: [],
    cidr_and_ports: [],
    set_names: [net.name, netPort.name],
  };
  return { members: [net, netPort], set };
}

/** Appends ipsets, skipping exact repeats (Chaos Mesh appends the same sets again for direction both). */
export function appendIPSets(into: IPSetMessage[], sets: readonly IPSetMessage[]): void {
  for (const set of sets) {
    if (!into.some((existing) => JSON.stringify(existing) === JSON.stringify(set))) into.push(set);
  }
}

export function fragmentOf(parts: {
  ipsets: IPSetMessage[];
  chains?: ChainMessage[];
  tcs?: TcMessage[];
}): NetworkFragment {
  return {
    ...(parts.ipsets.length > 0 ? { ipsets: parts.ipsets } : {}),
    ...(parts.chains && parts.chains.length > 0 ? { chains: parts.chains } : {}),
    ...(parts.tcs && parts.tcs.length > 0 ? { tcs: parts.tcs } : {}),
  };
}
