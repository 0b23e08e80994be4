/**
 * SetIptablesChains with Chaos Mesh's declarative semantics, in the target's network namespace: the chains
 * `CHAOS-INPUT` and `CHAOS-OUTPUT` are (re)created and flushed and hooked into INPUT/OUTPUT once; each chain of
 * the request is created (or flushed) with its rules and jumped to from CHAOS-<direction>; chains of an earlier
 * request that are no longer listed are deleted. Differences from Chaos Mesh, on purpose:
 * - the hooks are inserted first in INPUT/OUTPUT (`-I 1`), so an earlier ACCEPT cannot bypass the fault;
 * - an empty list removes everything, hooks and CHAOS-* chains included, leaving the namespace exactly as the
 *   agent found it (Chaos Mesh leaves the empty chains hooked and the named chains behind).
 */
import type { Chain } from '../proto/generated/pb/Chain.js';
import { AgentError } from './agent-error.js';
import { chainLine, iptablesRestore, restoreLine } from './iptables-restore.js';
import { listSets, refuseMissingSets } from './ipsets.js';
import type { NetnsRunner } from './netns-runner.js';
import {
  checkChainName,
  checkDevice,
  checkPortList,
  checkProtocol,
  checkSetName,
  checkTarget,
  checkTcpFlags,
} from './request-validation.js';

export const CHAOS_CHAIN = { INPUT: 'CHAOS-INPUT', OUTPUT: 'CHAOS-OUTPUT' } as const;
type Direction = keyof typeof CHAOS_CHAIN;
const DIRECTIONS: readonly Direction[] = ['INPUT', 'OUTPUT'];

export interface ChainPlan {
  readonly name: string;
  readonly direction: Direction;
  /** Every rule as the iptables arguments after `-A <name>`. */
  readonly rules: readonly (readonly string[])[];
  /** ipsets the rules match on (they must exist). */
  readonly ipsets: readonly string[];
}

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'udplite']);

/** Validates the request's chains and turns each into rules; pure. */
export function planChains(chains: readonly Chain[]): ChainPlan[] {
  const seen = new Set<string>();
  return chains.map((chain, i) => {
    const field = `chains[${i}]`;
    const name = checkChainName(`${field}.name`, chain.name);
    if (seen.has(name)) throw new AgentError('INVALID_ARGUMENT', `${field}.name ${name} is listed twice`);
    seen.add(name);
    const direction = chain.direction;
    if (direction !== 'INPUT' && direction !== 'OUTPUT') {
      throw new AgentError('INVALID_ARGUMENT', `${field}.direction must be INPUT or OUTPUT`);
    }
    const target = checkTarget(`${field}.target`, chain.target || 'DROP');
    const ipsets = chain.ipsets.map((set, j) => checkSetName(`${field}.ipsets[${j}]`, set));

    const match: string[] = [];
    if (chain.device)
      match.push(direction === 'INPUT' ? '-i' : '-o', checkDevice(`${field}.device`, chain.device));
    if (chain.protocol) {
      const protocol = checkProtocol(`${field}.protocol`, chain.protocol);
      match.push('-p', protocol);
      for (const [key, option] of [
        ['source_ports', 'sport'],
        ['destination_ports', 'dport'],
      ] as const) {
        const value = chain[key];
        if (!value) continue;
        if (!PORT_PROTOCOLS.has(protocol)) {
          throw new AgentError(
            'INVALID_ARGUMENT',
            `${field}.${key} needs protocol tcp, udp, sctp or udplite`,
          );
        }
        const ports = checkPortList(`${field}.${key}`, value);
        match.push(
          ...(ports.length > 1 ? ['-m', 'multiport', `--${option}s`] : [`--${option}`]),
          ports.join(','),
        );
      }
      if (chain.tcp_flags) {
        if (protocol !== 'tcp')
          throw new AgentError('INVALID_ARGUMENT', `${field}.tcp_flags needs protocol tcp`);
        match.push('--tcp-flags', ...checkTcpFlags(`${field}.tcp_flags`, chain.tcp_flags));
      }
    } else if (chain.source_ports || chain.destination_ports || chain.tcp_flags) {
      throw new AgentError('INVALID_ARGUMENT', `${field} sets ports or tcp_flags without a protocol`);
    }

    const side = direction === 'INPUT' ? 'src' : 'dst';
    const rules =
      ipsets.length === 0
        ? [[...match, '-j', target]]
        : ipsets.map((set) => ['-m', 'set', '--match-set', set, side, ...match, '-j', target]);
    return { name, direction, rules, ipsets };
  });
}

export interface FilterState {
  readonly chains: ReadonlySet<string>;
  readonly rules: readonly string[];
}

/** The filter table as `iptables -S` lists it: one process for every question a call asks about it. */
export async function readFilter(ns: NetnsRunner): Promise<FilterState> {
  const { stdout } = await ns.iptables('filter', ['-S']);
  const lines = stdout.split('\n');
  const chains = new Set(lines.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()));
  return { chains, rules: lines.filter((l) => l.startsWith('-A ')).map((l) => l.trim()) };
}

/** Sub-chains jumped to from CHAOS-INPUT / CHAOS-OUTPUT: the chains the agent installed (for the journal). */
export function chaosSubChains(state: FilterState): string[] {
  const result: string[] = [];
  for (const top of Object.values(CHAOS_CHAIN)) {
    for (const rule of state.rules) {
      const match = new RegExp(`^-A ${top} -j (\\S+)$`).exec(rule);
      if (match?.[1]) result.push(match[1]);
    }
  }
  return result;
}

/**
 * Requested chains that already exist in the namespace but are not the agent's (neither jumped to from
 * CHAOS-* nor in its journal for this namespace): someone else's, which the agent must not flush.
 */
export function foreignChains(
  state: FilterState,
  names: readonly string[],
  journaled: readonly string[],
): string[] {
  const ours = new Set([...chaosSubChains(state), ...journaled]);
  return names.filter((n) => state.chains.has(n) && !ours.has(n));
}

/**
 * Makes the namespace's CHAOS-* chains exactly `plans`; an empty list removes everything. `state` is the filter
 * table as the call read it just before (under the target's lock); without it, it is read here. The whole
 * change is one `iptables-restore` (`iptables-restore.ts`), none when there is nothing to change.
 */
export async function applyChains(
  ns: NetnsRunner,
  plans: readonly ChainPlan[],
  state?: FilterState,
  sets?: ReadonlySet<string>,
): Promise<void> {
  const needed = setsOfChains(plans);
  if (needed.length > 0) refuseMissingSets('the chains match on', needed, sets ?? (await listSets(ns)));
  await iptablesRestore(ns, { filter: chainsChange(state ?? (await readFilter(ns)), plans) });
}

/** The sets the plans match on. */
export function setsOfChains(plans: readonly ChainPlan[]): string[] {
  return [...new Set(plans.flatMap((p) => p.ipsets))];
}

/** The restore lines that take the filter table from `state` to exactly `plans`; pure. */
export function chainsChange(state: FilterState, plans: readonly ChainPlan[]): string[] {
  const wanted = new Set(plans.map((p) => p.name));
  const hooks = (direction: Direction): number =>
    state.rules.filter((r) => r === `-A ${direction} -j ${CHAOS_CHAIN[direction]}`).length;
  const lines: string[] = [];

  // 1. The CHAOS-* chains exist, hooked once, and empty, so no old sub-chain is referenced any more.
  for (const direction of DIRECTIONS) {
    const top = CHAOS_CHAIN[direction];
    if (state.chains.has(top) || plans.length > 0) lines.push(chainLine(top));
    if (plans.length > 0 && hooks(direction) === 0) {
      lines.push(restoreLine(['-I', direction, '1', '-j', top]));
    }
  }
  // 2. Sub-chains of the previous state that are not wanted any more: flushed (so they reference no set) and deleted.
  for (const old of chaosSubChains(state)) {
    if (wanted.has(old) || !state.chains.has(old)) continue;
    lines.push(chainLine(old), restoreLine(['-X', old]));
  }
  // 3. The wanted chains with their rules, then the jumps to them.
  for (const plan of plans) {
    lines.push(chainLine(plan.name));
    for (const rule of plan.rules) lines.push(restoreLine(['-A', plan.name, ...rule]));
    lines.push(restoreLine(['-A', CHAOS_CHAIN[plan.direction], '-j', plan.name]));
  }
  // 4. Nothing wanted: unhook and delete the CHAOS-* chains too.
  if (plans.length === 0) {
    for (const direction of DIRECTIONS) {
      const top = CHAOS_CHAIN[direction];
      for (let n = hooks(direction); n > 0; n--) lines.push(restoreLine(['-D', direction, '-j', top]));
      if (state.chains.has(top)) lines.push(restoreLine(['-X', top]));
    }
  }
  return lines;
}
