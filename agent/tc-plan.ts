/**
 * Turns a SetTcs request into tc and iptables commands, per device; pure. The layout follows Chaos Mesh's
 * daemon, adapted to kernels without the `prio` qdisc and the `basic`/ematch classifier:
 * - rules without a filter (no ipset, no protocol) are chained from the root: the first at `root`, each next
 *   one under the previous (tbf and netem are classful with one child);
 * - rules with a filter hang under an `htb` qdisc attached below that chain: class 1 (the default) carries
 *   unfiltered traffic unchanged, and each distinct filter (ipset + protocol) gets its own class holding its
 *   rules; an iptables rule in the mangle table (`CHAOSFLOW-TC`, from POSTROUTING) classifies matching
 *   packets into that class with `CLASSIFY --set-class`, which is how Chaos Mesh classifies too (its
 *   TC-TABLES chains), with htb instead of prio.
 * Every qdisc handle has major number 0xcfNN, so the agent recognises its own root qdisc (`cf00:`) and never
 * removes someone else's.
 */
import type { Netem } from '../proto/generated/pb/Netem.js';
import type { Tbf } from '../proto/generated/pb/Tbf.js';
import type { Tc } from '../proto/generated/pb/Tc.js';
import { parseGoDuration } from '../common/duration.js';
import { AgentError } from './agent-error.js';
import {
  checkDevice,
  checkPercent,
  checkProtocol,
  checkRate,
  checkSetName,
  checkUint64,
} from './request-validation.js';

/** The agent's root qdisc handle on every device it shapes. */
export const ROOT_HANDLE = 'cf00:';
const HANDLE_BASE = 0xcf00;
const MAX_QDISCS = 0xff;
/** Chaos Mesh's default when a rule names no device. */
export const DEFAULT_DEVICE = 'eth0';
/** htb class rate for traffic that must not be shaped: far above any real link. */
const UNLIMITED = ['rate', '100gbit', 'quantum', '200000'] as const;

export interface ClassifyRule {
  readonly device: string;
  readonly ipset: string | undefined;
  readonly protocol: string | undefined;
  /** `<htb handle>:<minor>` in hex, as CLASSIFY takes it. */
  readonly classId: string;
}

export interface DevicePlan {
  readonly device: string;
  /** tc argv (after `tc`), in order. */
  readonly commands: readonly (readonly string[])[];
  readonly classify: readonly ClassifyRule[];
}

export interface NetemSupport {
  readonly available: boolean;
  /** Why netem cannot be used, when it cannot. */
  readonly reason: string;
}

/** Validates the request and lays out every device's qdiscs; FAILED_PRECONDITION for netem without sch_netem. */
export function planTcs(tcs: readonly Tc[], netem: NetemSupport): DevicePlan[] {
  const byDevice = new Map<string, { tc: Tc; field: string }[]>();
  tcs.forEach((tc, i) => {
    const field = `tcs[${i}]`;
    const device = tc.device ? checkDevice(`${field}.device`, tc.device) : DEFAULT_DEVICE;
    const list = byDevice.get(device) ?? [];
    list.push({ tc, field });
    byDevice.set(device, list);
  });
  // Every value is validated first, so a bad request is INVALID_ARGUMENT whatever the kernel has.
  const plans = [...byDevice.entries()].map(([device, rules]) => planDevice(device, rules));
  const netemIndex = tcs.findIndex((tc) => tc.type === 'NETEM');
  if (netemIndex >= 0 && !netem.available) throw netemMissing(`tcs[${netemIndex}]`, netem.reason);
  return plans;
}

/** FAILED_PRECONDITION for a rule at `field` that needs the netem qdisc on a kernel without it. */
export function netemMissing(field: string, reason: string): AgentError {
  return new AgentError(
    'FAILED_PRECONDITION',
    `${field} needs the netem qdisc (kernel module sch_netem), which this host's kernel does not ` +
      `have: ${reason}. Delay, duplicate, corrupt, reorder and rate faults cannot run here; loss ` +
      'alone (iptables statistic), bandwidth (tbf) and partition (iptables) can',
    { field, qdisc: 'sch_netem' },
  );
}

function planDevice(device: string, rules: readonly { tc: Tc; field: string }[]): DevicePlan {
  const commands: string[][] = [];
  const classify: ClassifyRule[] = [];
  let next = 0;
  const handle = (): string => {
    if (next > MAX_QDISCS) throw new AgentError('INVALID_ARGUMENT', `too many tc rules for device ${device}`);
    return (HANDLE_BASE + next++).toString(16);
  };
  /** Adds a qdisc under `parent` (replacing the root one) and returns its handle number. */
  const qdisc = (parent: string, args: readonly string[]): string => {
    const h = handle();
    const where = parent === 'root' ? ['root'] : ['parent', parent];
    commands.push([
      'qdisc',
      parent === 'root' ? 'replace' : 'add',
      'dev',
      device,
      ...where,
      'handle',
      `${h}:`,
      ...args,
    ]);
    return h;
  };
  const add = (parent: string, tc: Tc, field: string): string => `${qdisc(parent, qdiscArgs(tc, field))}:`;

  const global = rules.filter((r) => !r.tc.ipset && !r.tc.protocol);
  const filtered = new Map<
    string,
    { ipset?: string; protocol?: string; rules: { tc: Tc; field: string }[] }
  >();
  for (const rule of rules) {
    if (!rule.tc.ipset && !rule.tc.protocol) continue;
    const ipset = rule.tc.ipset ? checkSetName(`${rule.field}.ipset`, rule.tc.ipset) : undefined;
    const protocol = rule.tc.protocol ? checkProtocol(`${rule.field}.protocol`, rule.tc.protocol) : undefined;
    const key = `${ipset ?? ''}|${protocol ?? ''}`;
    const group = filtered.get(key) ?? {
      ...(ipset ? { ipset } : {}),
      ...(protocol ? { protocol } : {}),
      rules: [],
    };
    group.rules.push(rule);
    filtered.set(key, group);
  }

  let parent = 'root';
  for (const { tc, field } of global) parent = add(parent, tc, field);

  if (filtered.size > 0) {
    const htb = qdisc(parent, ['htb', 'default', '1']);
    commands.push([
      'class',
      'add',
      'dev',
      device,
      'parent',
      `${htb}:`,
      'classid',
      `${htb}:1`,
      'htb',
      ...UNLIMITED,
    ]);
    let minor = 2;
    for (const group of filtered.values()) {
      const classId = `${htb}:${(minor++).toString(16)}`;
      commands.push([
        'class',
        'add',
        'dev',
        device,
        'parent',
        `${htb}:`,
        'classid',
        classId,
        'htb',
        ...UNLIMITED,
      ]);
      let groupParent = classId;
      for (const { tc, field } of group.rules) groupParent = add(groupParent, tc, field);
      classify.push({ device, ipset: group.ipset, protocol: group.protocol, classId });
    }
  }
  return { device, commands, classify };
}

function qdiscArgs(tc: Tc, field: string): string[] {
  if (tc.type === 'BANDWIDTH') {
    if (!tc.tbf) throw new AgentError('INVALID_ARGUMENT', `${field} is BANDWIDTH but has no tbf`);
    return tbfArgs(tc.tbf, `${field}.tbf`);
  }
  if (tc.type === 'NETEM') {
    if (!tc.netem) throw new AgentError('INVALID_ARGUMENT', `${field} is NETEM but has no netem`);
    return ['netem', ...netemArgs(tc.netem, `${field}.netem`)];
  }
  throw new AgentError('INVALID_ARGUMENT', `${field}.type must be NETEM or BANDWIDTH`);
}

export function tbfArgs(tbf: Tbf, field: string): string[] {
  const rate = checkRate(`${field}.rate`, tbf.rate);
  if (!(tbf.buffer > 0))
    throw new AgentError('INVALID_ARGUMENT', `${field}.buffer (tbf burst, bytes) must be > 0`);
  if (!(tbf.limit > 0))
    throw new AgentError('INVALID_ARGUMENT', `${field}.limit (tbf queue, bytes) must be > 0`);
  const args = ['tbf', 'rate', rate, 'burst', String(tbf.buffer), 'limit', String(tbf.limit)];
  const peak = checkUint64(`${field}.peak_rate`, tbf.peak_rate || '0');
  if (peak !== '0') {
    if (!(tbf.min_burst > 0))
      throw new AgentError('INVALID_ARGUMENT', `${field}.min_burst must be > 0 with peak_rate`);
    args.push('peakrate', peak, 'mtu', String(tbf.min_burst));
  }
  return args;
}

/** netem options; delays are Go durations (v2.8 wire format) given to tc in microseconds. */
export function netemArgs(netem: Netem, field: string): string[] {
  const micros = (name: 'time' | 'jitter'): number => {
    const text = netem[name] || '0';
    const ms = parseGoDuration(text);
    if (ms === undefined || ms < 0) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `${field}.${name} ${JSON.stringify(text.slice(0, 40))} is not a Go duration such as 90ms`,
      );
    }
    return Math.round(ms * 1000);
  };
  const pct = (name: keyof Netem): string =>
    `${checkPercent(`${field}.${String(name)}`, Number(netem[name]))}%`;
  const args: string[] = [];
  const delay = micros('time');
  if (delay > 0) {
    args.push('delay', `${delay}us`);
    const jitter = micros('jitter');
    if (jitter > 0) {
      args.push(`${jitter}us`);
      if (netem.delay_corr > 0) args.push(pct('delay_corr'));
    }
    if (netem.reorder > 0) {
      args.push('reorder', pct('reorder'));
      if (netem.reorder_corr > 0) args.push(pct('reorder_corr'));
      if (netem.gap > 0) args.push('gap', String(netem.gap));
    }
  }
  if (netem.limit > 0) args.push('limit', String(netem.limit));
  for (const [name, corr] of [
    ['loss', 'loss_corr'],
    ['duplicate', 'duplicate_corr'],
    ['corrupt', 'corrupt_corr'],
  ] as const) {
    if (netem[name] > 0) {
      args.push(name, pct(name));
      if (netem[corr] > 0) args.push(pct(corr));
    }
  }
  if (netem.rate) args.push('rate', checkRate(`${field}.rate`, netem.rate));
  if (args.length === 0)
    throw new AgentError('INVALID_ARGUMENT', `${field} has no effect (no delay, loss, ...)`);
  return args;
}
