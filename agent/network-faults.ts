/**
 * The three network RPCs (FlushIPSets, SetIptablesChains, SetTcs), each declarative for the target's network
 * namespace like in Chaos Mesh, journaled before and after the change. Every request is validated completely
 * before anything runs. A target that is gone counts as recovered for a request that clears state (the
 * namespace is cleaned through the journal if it still exists) and as NOT_FOUND for one that injects.
 *
 * ipsets are garbage-collected: a set the agent created is destroyed once it is neither in the namespace's
 * latest FlushIPSets request nor referenced by a rule (see `collectSets`).
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { IPSetsRequest } from '../proto/generated/pb/IPSetsRequest.js';
import type { IptablesChainsRequest } from '../proto/generated/pb/IptablesChainsRequest.js';
import type { TcsRequest } from '../proto/generated/pb/TcsRequest.js';
import { AgentError } from './agent-error.js';
import {
  EMPTY_NETWORK,
  nextEntry,
  saveEntry,
  union,
  type CallScope,
  type FaultContext,
} from './fault-context.js';
import { resolveUnlessGone, type HostTarget } from './host-target.js';
import {
  applyChains,
  chaosSubChains,
  setsOfChains,
  foreignChains,
  planChains,
  readFilter,
  type FilterState,
} from './iptables-chains.js';
import {
  applySets,
  destroySets,
  foreignSets,
  listSets,
  listSetTypes,
  planSets,
  refuseMissingSets,
  temporarySetName,
} from './ipsets.js';
import type { NetworkRecord } from './journal.js';
import { netnsRunner, type NetnsRunner } from './netns-runner.js';
import { findNetnsPath, type NetnsId } from './process-info.js';
import { describeLossMethod, splitLossRules, type LossMethod, type SplitTcs } from './loss-rules.js';
import { planTcs, type NetemSupport } from './tc-plan.js';
import { applyTcPlans, shapedDevices } from './tc-qdiscs.js';

type Change = (ns: NetnsRunner, network: NetworkRecord) => Promise<Partial<NetworkRecord>>;

export class NetworkFaults {
  constructor(private readonly ctx: FaultContext) {}

  async flushIpsets(scope: CallScope, request: IPSetsRequest): Promise<void> {
    const plans = planSets(request.ipsets);
    const names = plans.map((p) => p.name);
    // The namespace's sets as read before the journal write: the ownership check and the swap start from it.
    let types: Map<string, string> | undefined;
    await this.change(scope, request.container_id, plans.length === 0, {
      before: async (ns, network) => {
        if (plans.length > 0) {
          types = await listSetTypes(ns);
          const journaled = this.ctx.journal.inNetns(network.netns).flatMap((e) => e.network?.ipsets ?? []);
          const foreign = foreignSets(types, names, [...network.ipsets, ...journaled]);
          if (foreign.length > 0) {
            throw new AgentError(
              'FAILED_PRECONDITION',
              `the target's network namespace already has ipsets named ${foreign.join(', ')} that chaosflow did ` +
                'not create; the agent does not swap sets that are not its own. Rename the chaos, or remove ' +
                'those sets if they are left over',
              { ipsets: foreign },
            );
          }
        }
        return { ipsets: union(network.ipsets, names, names.map(temporarySetName)) };
      },
      apply: async (ns, network) => {
        await applySets(ns, plans, types);
        // Temporary sets an interrupted call left (its target died mid-call, say): applySets has removed this
        // call's own, so only other ones need a look (usually none, and then no process runs).
        const own = new Set(names.map(temporarySetName));
        const leftover = await destroySets(
          ns,
          network.ipsets.filter((s) => s.startsWith('cft-') && !own.has(s)),
        );
        return {
          ipsets: union(
            network.ipsets.filter((s) => !s.startsWith('cft-')),
            names,
            leftover.inUse,
          ),
          desiredIpsets: names,
          desiredIpsetsAt: new Date().toISOString(),
        };
      },
    });
  }

  async setIptablesChains(scope: CallScope, request: IptablesChainsRequest): Promise<void> {
    const plans = planChains(request.chains);
    const names = plans.map((p) => p.name);
    // The filter table as read before the journal write: the same read answers both questions of the check
    // and is the state the change starts from (the target's lock keeps other calls out meanwhile). The sets the
    // chains match on are read beside it, and checked before anything is journaled.
    let state: FilterState | undefined;
    const needed = setsOfChains(plans);
    await this.change(scope, request.container_id, plans.length === 0, {
      before: async (ns, network) => {
        const [filter, sets] = await Promise.all([
          readFilter(ns),
          needed.length > 0 ? listSets(ns) : Promise.resolve(new Set<string>()),
        ]);
        refuseMissingSets('the chains match on', needed, sets);
        state = filter;
        const journaled = this.ctx.journal.inNetns(network.netns).flatMap((e) => e.network?.chains ?? []);
        const foreign = foreignChains(state, names, journaled);
        if (foreign.length > 0) {
          throw new AgentError(
            'FAILED_PRECONDITION',
            `the target's network namespace already has chains named ${foreign.join(', ')} that chaosflow did ` +
              'not create; the agent does not flush chains that are not its own. Rename the chaos, or remove ' +
              'those chains if they are left over',
            { chains: foreign },
          );
        }
        return { chains: union(network.chains, chaosSubChains(state), names) };
      },
      apply: async (ns) => {
        await applyChains(ns, plans, state, new Set(needed));
        return { chains: names };
      },
    });
  }

  async setTcs(scope: CallScope, request: TcsRequest): Promise<void> {
    const needsNetem = request.tcs.some((tc) => tc.type === 'NETEM');
    const support: NetemSupport = needsNetem
      ? await this.ctx.netemSupport()
      : { available: true, reason: '' };
    planTcs(request.tcs, { available: true, reason: '' }); // every value checked, whatever the kernel has
    const split = splitLossRules(request.tcs, support);
    const plans = planTcs(split.tcs, support);
    const devices = union(
      plans.map((p) => p.device),
      split.loss.map((r) => r.device),
    );
    const lossMethod = lossMethodOf(request.tcs, split);
    await this.change(scope, request.container_id, devices.length === 0, {
      before: async (ns, network) => ({
        tcDevices: union(network.tcDevices, await shapedDevices(ns), devices),
      }),
      apply: async (ns) => {
        await applyTcPlans(ns, plans, split.loss);
        if (lossMethod) {
          scope.logger.info({ lossMethod, rules: split.loss.length }, 'loss carried out');
          scope.warnings?.push(describeLossMethod(lossMethod));
        }
        return { tcDevices: devices, lossMethod };
      },
    });
  }

  /** Journal (before), change, collect unwanted sets, journal (after). */
  private async change(
    scope: CallScope,
    containerId: string,
    clears: boolean,
    step: { before: Change; apply: Change },
  ): Promise<void> {
    const target = await resolveUnlessGone(containerId, clears);
    if (!target) {
      await this.clearForGoneTarget(scope, step.apply);
      return;
    }
    this.guardHostNetwork(target, clears);
    const ns = netnsRunner(this.ctx.runner, target.netnsPath);
    const journal = this.ctx.journal;
    const existing = journal.get(scope.key);
    const network = sameNetns(existing?.network, target.netns) ?? EMPTY_NETWORK(target.netns);

    const before = { ...network, ...(await step.before(ns, network)) };
    await journal.put(nextEntry(existing, scope, target, { network: before }, 'applying'));
    let after: NetworkRecord;
    try {
      after = { ...before, ...(await step.apply(ns, before)) };
    } catch (err) {
      await journal.put(nextEntry(journal.get(scope.key), scope, target, { lastError: errorMessage(err) }));
      throw err;
    }
    await saveEntry(journal, nextEntry(journal.get(scope.key), scope, target, { network: after }));
    await this.collectSets(ns, target.netns);
    scope.logger.info(
      { pid: target.pid, key: scope.key },
      clears ? 'network state cleared' : 'network state set',
    );
  }

  /**
   * Destroys sets the agent created in the namespace that its latest FlushIPSets (from any key) did not list.
   * Sets still referenced by a rule stay until the next call that drops the reference.
   */
  private async collectSets(ns: NetnsRunner, netns: NetnsId): Promise<void> {
    const entries = this.ctx.journal.inNetns(netns);
    const latest = entries
      .filter((e) => e.network?.desiredIpsetsAt)
      .sort((a, b) =>
        String(b.network?.desiredIpsetsAt).localeCompare(String(a.network?.desiredIpsetsAt)),
      )[0];
    const desired = new Set(latest?.network?.desiredIpsets ?? []);
    const candidates = union(...entries.map((e) => e.network?.ipsets ?? [])).filter((s) => !desired.has(s));
    if (candidates.length === 0) return;
    const { destroyed, inUse } = await destroySets(ns, candidates);
    if (inUse.length > 0) this.ctx.logger.debug({ inUse }, 'ipsets still referenced');
    if (destroyed.length === 0) return;
    for (const entry of entries) {
      const network = entry.network as NetworkRecord;
      if (!network.ipsets.some((s) => destroyed.includes(s))) continue;
      const ipsets = network.ipsets.filter((s) => !destroyed.includes(s));
      const scope = { ...scopeOf(entry), logger: this.ctx.logger };
      await saveEntry(
        this.ctx.journal,
        nextEntry(entry, scope, entry.target, { network: { ...network, ipsets } }),
      );
    }
  }

  /** A clearing request for a process that is gone: clean its namespace through the journal, if it still exists. */
  private async clearForGoneTarget(scope: CallScope, apply: Change): Promise<void> {
    const entry = this.ctx.journal.get(scope.key);
    scope.logger.warn({ key: scope.key }, 'target gone; counting the clear as done');
    if (!entry?.network) return;
    const path = await findNetnsPath(entry.network.netns);
    scope.warnings?.push(
      `the target process ${entry.target.pid} is gone (it exited or restarted): counted as recovered; ` +
        (path ? 'its network namespace, still there, was cleaned' : 'its network namespace is gone with it'),
    );
    let network: NetworkRecord = { ...entry.network, chains: [], tcDevices: [], ipsets: [] };
    if (path) {
      const ns = netnsRunner(this.ctx.runner, path);
      network = { ...entry.network, ...(await apply(ns, entry.network)) };
      await saveEntry(this.ctx.journal, nextEntry(entry, scope, entry.target, { network }));
      await this.collectSets(ns, entry.network.netns);
      return;
    }
    await saveEntry(this.ctx.journal, nextEntry(entry, scope, entry.target, { network }));
  }

  private guardHostNetwork(target: HostTarget, clears: boolean): void {
    const own = this.ctx.agentNetns;
    if (clears || this.ctx.allowHostNetwork || !own) return;
    if (own.inode === target.netns.inode && own.dev === target.netns.dev) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `target process ${target.pid} shares the agent's (the host's) network namespace, where a network fault ` +
          'would hit every process of the host; run the target in its own network namespace, or start the ' +
          'agent with --allow-host-network',
        { pid: target.pid },
      );
    }
  }
}

/** Which way the request's loss is carried out, when it asks for loss at all. */
function lossMethodOf(tcs: TcsRequest['tcs'], split: SplitTcs): LossMethod | undefined {
  if (split.loss.length > 0) return 'iptables-statistic';
  return tcs.some((tc) => tc.type === 'NETEM' && Number(tc.netem?.loss) > 0) ? 'netem' : undefined;
}

function sameNetns(network: NetworkRecord | undefined, netns: NetnsId): NetworkRecord | undefined {
  return network && network.netns.inode === netns.inode && network.netns.dev === netns.dev
    ? network
    : undefined;
}

function scopeOf(entry: {
  key: string;
  keySource: 'metadata' | 'derived';
  namespacedName?: string;
  lastRpc: CallScope['rpc'];
}): Omit<CallScope, 'logger'> {
  return {
    rpc: entry.lastRpc,
    key: entry.key,
    keySource: entry.keySource,
    namespacedName: entry.namespacedName,
  };
}
