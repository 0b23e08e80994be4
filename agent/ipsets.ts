/**
 * FlushIPSets in the target's network namespace, as Chaos Mesh's daemon does it: each set is filled under a
 * temporary name (all members of a request in one `ipset restore`) and then swapped with the live set (or renamed to it when there is none), so iptables rules
 * that match on a set never see it half-filled. Types `hash:net`, `hash:net,port` and `list:set` (empty type
 * means `hash:net`, as older controllers send).
 *
 * Unlike Chaos Mesh (which never removes a set), the agent also destroys the sets it created once they are no
 * longer wanted, so recovery leaves `ipset list -n` as it was: see `destroyUnwantedSets`.
 */
import { createHash } from 'node:crypto';
import type { IPSetType } from '../proto/daemon-values.js';
import type { IPSet } from '../proto/generated/pb/IPSet.js';
import { AgentError } from './agent-error.js';
import type { NetnsRunner } from './netns-runner.js';
import { checkCidr, checkPort, checkSetName } from './request-validation.js';

export interface SetPlan {
  readonly name: string;
  readonly type: IPSetType;
  /** Members as `ipset add` takes them: `10.0.0.0/24`, `10.0.0.0/24,80`, or a set name. */
  readonly members: readonly string[];
}

/** Validates the request's sets; hash sets come before list sets, which may only name known sets. */
export function planSets(sets: readonly IPSet[]): SetPlan[] {
  const names = new Set<string>();
  const plans = sets.map((set, i): SetPlan => {
    const field = `ipsets[${i}]`;
    const name = checkSetName(`${field}.name`, set.name);
    if (names.has(name)) throw new AgentError('INVALID_ARGUMENT', `${field}.name ${name} is listed twice`);
    names.add(name);
    const type = (set.type || 'hash:net') as IPSetType;
    switch (type) {
      case 'hash:net':
        return { name, type, members: set.cidrs.map((c, j) => checkCidr(`${field}.cidrs[${j}]`, c)) };
      case 'hash:net,port':
        return {
          name,
          type,
          members: set.cidr_and_ports.map(
            (cp, j) =>
              `${checkCidr(`${field}.cidr_and_ports[${j}].cidr`, cp.cidr)},${checkPort(`${field}.cidr_and_ports[${j}].port`, cp.port)}`,
          ),
        };
      case 'list:set':
        return {
          name,
          type,
          members: set.set_names.map((s, j) => checkSetName(`${field}.set_names[${j}]`, s)),
        };
      default:
        throw new AgentError(
          'INVALID_ARGUMENT',
          `${field}.type ${JSON.stringify(String(set.type).slice(0, 40))} is not one of hash:net, hash:net,port, list:set`,
        );
    }
  });
  return [...plans.filter((p) => p.type !== 'list:set'), ...plans.filter((p) => p.type === 'list:set')];
}

/** The temporary name a set is filled under: derived from its name, at most 31 characters. */
export function temporarySetName(name: string): string {
  return `cft-${createHash('sha256').update(name).digest('hex').slice(0, 24)}`;
}

export async function listSets(ns: NetnsRunner): Promise<Set<string>> {
  const { stdout } = await ns.run(['ipset', 'list', '-n']);
  return new Set(
    stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/**
 * Creates or atomically replaces each planned set. The temporary sets are created and filled by one
 * `ipset restore` (one process, however many members: 400 members used to be 400 processes), hash sets first
 * and then list sets, which may name them; then each is swapped with (or renamed to) its live name.
 */
export async function applySets(ns: NetnsRunner, plans: readonly SetPlan[]): Promise<void> {
  const existing = await listSets(ns);
  for (const group of [
    plans.filter((p) => p.type !== 'list:set'),
    plans.filter((p) => p.type === 'list:set'),
  ]) {
    if (group.length === 0) continue;
    for (const plan of group) {
      const missing = plan.type === 'list:set' ? plan.members.filter((m) => !existing.has(m)) : [];
      if (missing.length > 0) {
        throw new AgentError(
          'FAILED_PRECONDITION',
          `list:set ${plan.name} names sets that do not exist in the target's network namespace: ${missing.join(', ')}`,
        );
      }
    }
    await ns.run(['ipset', '-exist', 'restore'], { input: restoreScript(group, existing) });
    for (const plan of group) {
      const temp = temporarySetName(plan.name);
      if (existing.has(plan.name)) {
        const swap = await ns.run(['ipset', 'swap', temp, plan.name], { allowFailure: true });
        await ns.run(['ipset', 'destroy', temp], { allowFailure: true });
        if (swap.exitCode !== 0) {
          throw new AgentError(
            'FAILED_PRECONDITION',
            `ipset ${plan.name} exists with another type than ${plan.type} and cannot be swapped: ${swap.stderr.trim()}`,
          );
        }
      } else {
        await ns.run(['ipset', 'rename', temp, plan.name]);
        existing.add(plan.name);
      }
    }
  }
}

/**
 * The `ipset restore` input that (re)creates and fills the temporary set of each plan. Every name and member
 * has passed the strict checks of `planSets`, so none can hold a blank or a line break.
 */
export function restoreScript(plans: readonly SetPlan[], existing: ReadonlySet<string>): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const temp = temporarySetName(plan.name);
    if (existing.has(temp)) lines.push(`destroy ${temp}`);
    const sizing = plan.type === 'list:set' ? ` size ${Math.max(8, plan.members.length)}` : '';
    lines.push(`create ${temp} ${plan.type}${sizing}`);
    for (const member of plan.members) lines.push(`add ${temp} ${member}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Destroys each of `names` that still exists, list sets first so their members are free. A set still
 * referenced (by an iptables rule, a list set, a tc classification) stays and is reported in `inUse`;
 * the agent tries again after the next SetIptablesChains or SetTcs, which is when references go away.
 */
export async function destroySets(
  ns: NetnsRunner,
  names: readonly string[],
): Promise<{ destroyed: string[]; inUse: string[] }> {
  const existing = await listSets(ns);
  let pending = names.filter((n) => existing.has(n));
  const destroyed = names.filter((n) => !existing.has(n));
  // Each pass frees members of list sets destroyed in the previous one.
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    const next: string[] = [];
    for (const name of pending) {
      const result = await ns.run(['ipset', 'destroy', name], { allowFailure: true });
      if (result.exitCode === 0 || /does not exist/i.test(result.stderr)) {
        destroyed.push(name);
        progress = true;
      } else next.push(name);
    }
    pending = next;
  }
  return { destroyed, inUse: pending };
}
