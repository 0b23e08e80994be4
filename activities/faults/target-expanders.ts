/**
 * The kinds whose targets reach beyond their own selector, for `createTargetResolver`: NetworkChaos adds its
 * `target` peers (and the addresses both sides match on). The worker and the CLI's dry run build the resolver
 * with these.
 */
import type { RandomSource } from '../../common/selection/pod-selector.js';
import type { TargetExpanders } from '../targets/target-expander.js';
import type { TargetSource } from '../targets/target-source.js';
import { systemLookupIPv4, type LookupIPv4 } from './network-chaos/external-targets.js';
import { createNetworkPeerExpander } from './network-chaos/peers.js';

export interface TargetExpandersOptions {
  /** Resolves NetworkChaos `externalTargets` domains (default: the system resolver, IPv4). */
  lookupIPv4?: LookupIPv4;
}

export function createTargetExpanders(
  source: TargetSource,
  random: RandomSource = Math.random,
  options: TargetExpandersOptions = {},
): TargetExpanders {
  return {
    NetworkChaos: createNetworkPeerExpander(source, random, options.lookupIPv4 ?? systemLookupIPv4),
  };
}
