/**
 * NetworkChaos tc actions (`delay`, `loss`, `duplicate`, `corrupt`, `netem`, `rate`: a NETEM qdisc;
 * `bandwidth`: a tbf), as Chaos Mesh's `trafficcontrol.Impl.ApplyTc` builds them. The selected pods shape what
 * they send when the direction is `to` or `both` (interface `device`), the `target` peers what they send back
 * when it is `from` or `both` (`targetDevice`). With peers or external targets the rule only applies to
 * packets bound for them: it names a `list:set` of their addresses (postfix `<first two letters of the tc
 * type><tgt|src>`, e.g. `netgt`, `basrc`); without, it applies to everything the interface sends.
 */
import type { NetworkContext } from './context.js';
import type { IPSetMessage } from '../../../common/target-state.js';
import { appendIPSets, buildIPSets, fragmentOf, type NetworkFragment } from './ipsets.js';
import { netemOf, tbfOf } from './netem.js';
import { type NetworkRole, type NetworkSpecView } from './spec.js';
import { ActivityError } from '../../errors.js';

export const TRAFFIC_CONTROL_ACTIONS = [
  'netem',
  'delay',
  'loss',
  'duplicate',
  'corrupt',
  'rate',
  'bandwidth',
] as const;

export function trafficControlFragment(
  chaosName: string,
  spec: NetworkSpecView,
  role: NetworkRole,
  context: NetworkContext,
): NetworkFragment {
  if (!(TRAFFIC_CONTROL_ACTIONS as readonly string[]).includes(spec.action)) {
    throw new ActivityError('INVALID_INPUT', `unknown NetworkChaos action ${JSON.stringify(spec.action)}`);
  }
  const applies =
    role === 'source'
      ? spec.direction === 'to' || spec.direction === 'both'
      : spec.direction === 'from' || spec.direction === 'both';
  if (!applies) return {};

  const bandwidth = spec.action === 'bandwidth';
  const tcType = bandwidth ? 'bandwidth' : 'netem';
  const parameters = bandwidth
    ? { type: 'BANDWIDTH' as const, tbf: tbfOf(spec.spec) }
    : { type: 'NETEM' as const, netem: netemOf(spec.spec) };
  const peers = role === 'source' ? context.targetCidrs : context.sourceCidrs;
  const externals = role === 'source' ? context.externalCidrs : [];
  const device = role === 'source' ? spec.device : spec.targetDevice;

  const ipsets: IPSetMessage[] = [];
  let ipset = '';
  if (peers.length + externals.length > 0) {
    const postfix = `${tcType.slice(0, 2)}${role === 'source' ? 'tgt' : 'src'}`;
    const { members, set } = buildIPSets(chaosName, postfix, peers, externals);
    appendIPSets(ipsets, [...members, set]);
    ipset = set.name;
  }
  return fragmentOf({ ipsets, tcs: [{ ...parameters, ipset, protocol: '', device }] });
}
