/**
 * Packet loss without netem: on a kernel without `sch_netem`, a SetTcs NETEM rule that asks for loss and
 * nothing else (no delay, duplicate, corrupt, reorder or rate) is carried out with the iptables `statistic`
 * match instead, in the target's network namespace:
 *
 * ```
 * filter OUTPUT (first rule) -> CHAOSFLOW-LOSS:
 *   -o <dev> [-m set --match-set <ipset> dst] [-p <proto>] -m statistic --mode random --probability <p> -j DROP
 * ```
 *
 * It matches what the netem qdisc on `<dev>` would have seen that Chaos Mesh's daemon installs for the same rule:
 * packets the namespace sends out of the device, to the ipset's members (the `target` peers and
 * `externalTargets`, with their ports for `hash:net,port` members) when the rule names one, of the protocol
 * when it names one; direction `from`/`both` reaches the peers' namespaces as their own SetTcs, as for netem.
 * Differences, which the agent reports (journal `lossMethod`, log, capabilities):
 * - each packet is dropped independently with probability `loss / 100`: `loss_corr` cannot be honoured (the
 *   plan warns), and `limit` (netem's queue length) has no meaning without a queue;
 * - the drop is in the filter table's OUTPUT chain, so it hits what processes of the namespace send (what a
 *   target process does), not packets the namespace forwards.
 * Where the kernel has netem, the NETEM rule goes to tc unchanged.
 */
import type { Netem } from '../proto/generated/pb/Netem.js';
import type { Tc } from '../proto/generated/pb/Tc.js';
import { parseGoDuration } from '../common/duration.js';
import { chainLine, restoreLine } from './iptables-restore.js';
import { checkDevice, checkPercent, checkProtocol, checkSetName } from './request-validation.js';
import { DEFAULT_DEVICE, netemMissing, type NetemSupport } from './tc-plan.js';

export const LOSS_CHAIN = 'CHAOSFLOW-LOSS';

/** How the agent carries out a loss rule. */
export type LossMethod = 'netem' | 'iptables-statistic';

export interface LossRule {
  readonly device: string;
  readonly ipset: string | undefined;
  readonly protocol: string | undefined;
  /** `loss / 100`, as `--probability` takes it. */
  readonly probability: string;
  /** The request field it came from (`tcs[2]`). */
  readonly field: string;
}

export interface SplitTcs {
  /** What goes to tc (every rule when the kernel has netem). */
  readonly tcs: readonly Tc[];
  readonly loss: readonly LossRule[];
}

/** True when a netem asks for loss and for nothing only the qdisc can do. */
export function isLossOnly(netem: Netem): boolean {
  const delay = parseGoDuration(netem.time || '0');
  return (
    Number(netem.loss) > 0 &&
    delay === 0 &&
    !(Number(netem.duplicate) > 0) &&
    !(Number(netem.corrupt) > 0) &&
    !(Number(netem.reorder) > 0) &&
    !netem.rate
  );
}

/**
 * Without netem, takes the loss-only NETEM rules out of the request as statistic rules and refuses any other
 * NETEM rule (FAILED_PRECONDITION naming its field and sch_netem); the rest (and, where netem exists,
 * everything) stays for tc. Validate the whole request with `planTcs` first, so a bad value is
 * INVALID_ARGUMENT whatever the kernel has.
 */
export function splitLossRules(tcs: readonly Tc[], support: NetemSupport): SplitTcs {
  if (support.available) return { tcs, loss: [] };
  const kept: Tc[] = [];
  const loss: LossRule[] = [];
  tcs.forEach((tc, i) => {
    const field = `tcs[${i}]`;
    if (tc.type !== 'NETEM' || !tc.netem) {
      kept.push(tc);
      return;
    }
    if (!isLossOnly(tc.netem)) throw netemMissing(field, support.reason);
    const percent = checkPercent(`${field}.netem.loss`, Number(tc.netem.loss));
    loss.push({
      device: tc.device ? checkDevice(`${field}.device`, tc.device) : DEFAULT_DEVICE,
      ipset: tc.ipset ? checkSetName(`${field}.ipset`, tc.ipset) : undefined,
      protocol: tc.protocol ? checkProtocol(`${field}.protocol`, tc.protocol) : undefined,
      probability: probabilityOf(percent),
      field,
    });
  });
  return { tcs: kept, loss };
}

/** `25` → `0.25`; at most six decimals (iptables keeps 31 bits). */
export function probabilityOf(percent: number): string {
  return String(Number((percent / 100).toFixed(6)));
}

/** The rule's iptables arguments after `-A CHAOSFLOW-LOSS`. */
export function lossRuleArgs(rule: LossRule): string[] {
  return [
    '-o',
    rule.device,
    ...(rule.ipset ? ['-m', 'set', '--match-set', rule.ipset, 'dst'] : []),
    ...(rule.protocol ? ['-p', rule.protocol] : []),
    '-m',
    'statistic',
    '--mode',
    'random',
    '--probability',
    rule.probability,
    '-j',
    'DROP',
  ];
}

/**
 * The restore lines (filter table) that make the namespace's CHAOSFLOW-LOSS chain exactly `rules`; none removes
 * the chain and its hook. `filter` is the table as `iptables -S` lists it; pure.
 */
export function lossRulesChange(filter: readonly string[], rules: readonly LossRule[]): string[] {
  const exists = filter.includes(`-N ${LOSS_CHAIN}`);
  const hooks = filter.filter((l) => l === `-A OUTPUT -j ${LOSS_CHAIN}`).length;
  const lines: string[] = [];
  if (rules.length === 0) {
    for (let n = hooks; n > 0; n--) lines.push(restoreLine(['-D', 'OUTPUT', '-j', LOSS_CHAIN]));
    if (exists) lines.push(chainLine(LOSS_CHAIN), restoreLine(['-X', LOSS_CHAIN]));
    return lines;
  }
  lines.push(chainLine(LOSS_CHAIN));
  for (const rule of rules) lines.push(restoreLine(['-A', LOSS_CHAIN, ...lossRuleArgs(rule)]));
  if (hooks === 0) lines.push(restoreLine(['-I', 'OUTPUT', '1', '-j', LOSS_CHAIN]));
  return lines;
}

/** The rules' ipsets and devices, for the checks before anything changes. */
export function lossRuleNeeds(rules: readonly LossRule[]): { ipsets: string[]; devices: string[] } {
  return {
    ipsets: [...new Set(rules.flatMap((r) => (r.ipset ? [r.ipset] : [])))],
    devices: [...new Set(rules.map((r) => r.device))],
  };
}

/**
 * What the caller is told of how a SetTcs carried out its loss (a `chaosflow-warning` trailer, kept in the run's
 * fault ledger and report): the two ways differ in what they drop.
 */
export function describeLossMethod(method: LossMethod): string {
  return method === 'iptables-statistic'
    ? 'loss carried out by iptables-statistic (this kernel has no sch_netem): each packet the target sends is ' +
        'dropped on its own (no correlation), forwarded traffic is not'
    : 'loss carried out by netem';
}
