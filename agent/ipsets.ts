/**
 * FlushIPSets in the target's network namespace, as Chaos Mesh's daemon does it: each set is filled under a
 * temporary name and then swapped with the live set (or renamed to it when there is none), so iptables rules
 * that match on a set never see it half-filled; the whole request is one `ipset restore`. Types `hash:net`, `hash:net,port` and `list:set` (empty type
 * means `hash:net`, as older controllers send).
 *
 * Unlike Chaos Mesh (which never removes a set), the agent also destroys the sets it created once they are no
 * longer wanted, so recovery leaves `ipset list -n` as it was: see `destroySets`.
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

/**
 * FAILED_PRECONDITION when rules (`what`: "the chains match on", "tc rules filter on") name sets the namespace
 * does not have (`sets`: its sets, as `listSets` reads them).
 */
export function refuseMissingSets(what: string, needed: readonly string[], sets: ReadonlySet<string>): void {
  const missing = needed.filter((n) => !sets.has(n));
  if (missing.length > 0) {
    throw new AgentError(
      'FAILED_PRECONDITION',
      `${what} ipsets that do not exist in the target's network namespace: ${missing.join(', ')}; ` +
        'call FlushIPSets first',
    );
  }
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

/** Every set of the namespace with its type, from one `ipset list -t` (headers only, no members). */
export async function listSetTypes(ns: NetnsRunner): Promise<Map<string, string>> {
  const { stdout } = await ns.run(['ipset', 'list', '-t']);
  const types = new Map<string, string>();
  let name: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Name: ')) name = line.slice(6).trim();
    else if (line.startsWith('Type: ') && name !== undefined) types.set(name, line.slice(6).trim());
  }
  return types;
}

/**
 * Requested sets that already exist in the namespace but that the agent did not create (not in its journal for
 * this namespace): someone else's, which a swap would replace and destroy.
 */
export function foreignSets(
  existing: ReadonlySet<string> | ReadonlyMap<string, string>,
  names: readonly string[],
  journaled: readonly string[],
): string[] {
  const ours = new Set(journaled);
  return names.filter((n) => existing.has(n) && !ours.has(n));
}

/**
 * Creates or atomically replaces each planned set, in one `ipset restore` (one process, however many sets and
 * members): each temporary set is created and filled, then swapped with the live set (and destroyed) or renamed
 * to its name; hash sets first, then list sets, which may name them. A live set of another type cannot be
 * swapped: that is found from the one listing before anything runs. When the restore still fails halfway
 * (ipset restore is applied line by line), the temporary sets it may have left are destroyed; the journal has
 * listed them since before the call, so an agent that dies in between leaves them to recovery. `types` is the
 * namespace's listing as the call read it just before (under the target's lock); without it, it is read here.
 */
export async function applySets(
  ns: NetnsRunner,
  plans: readonly SetPlan[],
  listed?: ReadonlyMap<string, string>,
): Promise<void> {
  if (plans.length === 0) return;
  const types = listed ?? (await listSetTypes(ns));
  const existing = new Set(types.keys());
  for (const plan of plans) {
    const live = types.get(plan.name);
    if (live !== undefined && live !== plan.type) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `ipset ${plan.name} exists with type ${live}, not ${plan.type}, and cannot be swapped; remove it or ` +
          'rename the set of the chaos',
      );
    }
  }
  const lines: string[] = [];
  for (const group of [
    plans.filter((p) => p.type !== 'list:set'),
    plans.filter((p) => p.type === 'list:set'),
  ]) {
    for (const plan of group) {
      const missing = plan.type === 'list:set' ? plan.members.filter((m) => !existing.has(m)) : [];
      if (missing.length > 0) {
        throw new AgentError(
          'FAILED_PRECONDITION',
          `list:set ${plan.name} names sets that do not exist in the target's network namespace: ${missing.join(', ')}`,
        );
      }
    }
    lines.push(...restoreLines(group, existing));
    for (const plan of group) {
      const temp = temporarySetName(plan.name);
      if (existing.has(plan.name)) lines.push(`swap ${temp} ${plan.name}`, `destroy ${temp}`);
      else lines.push(`rename ${temp} ${plan.name}`);
      existing.add(plan.name);
    }
  }
  const result = await ns.run(['ipset', '-exist', 'restore'], {
    input: `${lines.join('\n')}\n`,
    allowFailure: true,
  });
  if (result.exitCode === 0) return;
  await destroySets(
    ns,
    plans.map((p) => temporarySetName(p.name)),
  );
  throw new AgentError(
    'FAILED_PRECONDITION',
    `ipset restore in the target's network namespace failed: ${result.stderr.trim()}`,
  );
}

/**
 * The `ipset restore` input that (re)creates and fills the temporary set of each plan. Every name and member
 * has passed the strict checks of `planSets`, so none can hold a blank or a line break.
 */
export function restoreScript(plans: readonly SetPlan[], existing: ReadonlySet<string>): string {
  return `${restoreLines(plans, existing).join('\n')}\n`;
}

function restoreLines(plans: readonly SetPlan[], existing: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const temp = temporarySetName(plan.name);
    if (existing.has(temp)) lines.push(`destroy ${temp}`);
    const sizing = plan.type === 'list:set' ? ` size ${Math.max(8, plan.members.length)}` : '';
    lines.push(`create ${temp} ${plan.type}${sizing}`);
    for (const member of plan.members) lines.push(`add ${temp} ${member}`);
  }
  return lines;
}

/** `ipset restore` names the line it stopped at: `Error in line 3: ...`. */
const FAILED_LINE = /Error in line (\d+):/u;

/** Every set of the namespace with its reference count (iptables rules, list sets, tc), from one `ipset list -t`. */
export async function listSetReferences(ns: NetnsRunner): Promise<Map<string, number>> {
  const { stdout } = await ns.run(['ipset', 'list', '-t']);
  const references = new Map<string, number>();
  let name: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Name: ')) name = line.slice(6).trim();
    else if (line.startsWith('References: ') && name !== undefined)
      references.set(name, Number(line.slice(12)));
  }
  return references;
}

/**
 * Destroys each of `names` that still exists and nothing references, with one `ipset list -t` and one
 * `ipset restore` of `destroy` lines per pass; a pass that destroyed list sets frees their members for the
 * next. A set that does not exist counts as destroyed; one still referenced (by an iptables rule, a list set
 * of someone else, a tc classification) stays and is reported in `inUse`. The agent tries the ones in use again
 * after the next SetIptablesChains or SetTcs, which is when references go away. (A recover's FlushIPSets comes
 * before the SetIptablesChains that drops the rules, so all its sets are still in use then: one listing, no
 * restore, where trying them one by one cost a restore per set.)
 */
export async function destroySets(
  ns: NetnsRunner,
  names: readonly string[],
): Promise<{ destroyed: string[]; inUse: string[] }> {
  const destroyed: string[] = [];
  let pending = [...new Set(names)];
  for (let progress = true; progress && pending.length > 0;) {
    const references = await listSetReferences(ns);
    destroyed.push(...pending.filter((n) => !references.has(n)));
    const free = pending.filter((n) => references.get(n) === 0);
    const inUse = pending.filter((n) => (references.get(n) ?? 0) > 0);
    const pass = await destroyEach(ns, free);
    destroyed.push(...pass.destroyed);
    progress = pass.destroyed.length > 0;
    pending = [...inUse, ...pass.failed];
  }
  return { destroyed, inUse: pending };
}

/**
 * `destroy` lines for `names` in one `ipset restore`; restore stops at the first line that fails (a set taken
 * into use since it was listed), which is kept in `failed`, and the rest goes on in another restore.
 */
async function destroyEach(
  ns: NetnsRunner,
  names: readonly string[],
): Promise<{ destroyed: string[]; failed: string[] }> {
  const destroyed: string[] = [];
  const failed: string[] = [];
  let rest = [...names];
  while (rest.length > 0) {
    const result = await ns.run(['ipset', 'restore'], {
      input: `${rest.map((n) => `destroy ${n}`).join('\n')}\n`,
      allowFailure: true,
    });
    if (result.exitCode === 0) {
      destroyed.push(...rest);
      break;
    }
    const line = Number(FAILED_LINE.exec(result.stderr)?.[1]);
    const failedName = rest[line - 1];
    if (!Number.isInteger(line) || failedName === undefined) {
      throw new AgentError(
        'INTERNAL',
        `ipset restore of destroy commands failed without naming a line: ${result.stderr.trim()}`,
      );
    }
    destroyed.push(...rest.slice(0, line - 1));
    if (/does not exist/iu.test(result.stderr)) destroyed.push(failedName);
    else failed.push(failedName);
    rest = rest.slice(line);
  }
  return { destroyed, failed };
}
