/**
 * NetworkChaos `partition`, as Chaos Mesh's `partition.Impl.Apply` and `SetDrop` build it: both sides get
 * rules. A selected pod drops what it sends to the peers (direction `to`: an OUTPUT chain) and/or what it
 * receives from them (`from`: an INPUT chain), matching a `list:set` of the peers' addresses and the external
 * targets (ipset postfix `tgt`, interface `device`); each `target` peer gets the mirror chains matching the
 * selected pods' addresses (postfix `src`, interface `targetDevice`). With no peer and no external target the
 * chain has no ipset and drops everything on its side.
 */
import { chainName } from './names.js';
import type { NetworkContext } from './context.js';
import type { ChainMessage, IPSetMessage } from '../../../common/target-state.js';
import { appendIPSets, buildIPSets, fragmentOf, type NetworkFragment } from './ipsets.js';
import { directionsFor, type NetworkRole, type NetworkSpecView } from './spec.js';

export function partitionFragment(
  chaosName: string,
  spec: NetworkSpecView,
  role: NetworkRole,
  context: NetworkContext,
): NetworkFragment {
  const { output, input } = directionsFor(role, spec.direction);
  const peers = role === 'source' ? context.targetCidrs : context.sourceCidrs;
  // Only the selected pods match external targets; the peers' rules name the selected pods alone.
  const externals = role === 'source' ? context.externalCidrs : [];
  const postfix = role === 'source' ? 'tgt' : 'src';
  const device = role === 'source' ? spec.device : spec.targetDevice;

  const ipsets: IPSetMessage[] = [];
  const chains: ChainMessage[] = [];
  const drop = (direction: 'INPUT' | 'OUTPUT'): void => {
    let matched: string[] = [];
    if (peers.length + externals.length > 0) {
      const { members, set } = buildIPSets(chaosName, postfix, peers, externals);
      appendIPSets(ipsets, [...members, set]);
      matched = [set.name];
    }
    chains.push({
      name: chainName(direction, chaosName),
      direction,
      ipsets: matched,
      target: 'DROP',
      device,
    });
  };
  if (output) drop('OUTPUT');
  if (input) drop('INPUT');
  return fragmentOf({ ipsets, chains });
}
