/**
 * Applies a SetTcs plan in the target's network namespace, declaratively: every device the agent shapes ends
 * with exactly the planned qdiscs, devices it shaped before and that are not in the request get their root
 * qdisc removed (the kernel's default comes back), and the mangle chain `CHAOSFLOW-TC` holds exactly the
 * classification rules of the plan (it is removed when there are none).
 */
import { AgentError } from './agent-error.js';
import { listSets, refuseMissingSets } from './ipsets.js';
import type { NetnsRunner } from './netns-runner.js';
import { chainLine, iptablesRestore, restoreLine } from './iptables-restore.js';
import { lossRuleNeeds, lossRulesChange, type LossRule } from './loss-rules.js';
import { ROOT_HANDLE, type ClassifyRule, type DevicePlan } from './tc-plan.js';

export const CLASSIFY_CHAIN = 'CHAOSFLOW-TC';

/** Devices of the namespace whose root qdisc is the agent's (handle cf00:). */
export async function shapedDevices(ns: NetnsRunner): Promise<string[]> {
  const { stdout } = await ns.run(['tc', 'qdisc', 'show']);
  const devices: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^qdisc \S+ (\S+) dev (\S+) root\b/.exec(line.trim());
    if (match?.[1] === ROOT_HANDLE && match[2]) devices.push(match[2]);
  }
  return devices;
}

async function deviceNames(ns: NetnsRunner): Promise<Set<string>> {
  const { stdout } = await ns.run(['ip', '-o', 'link', 'show']);
  const names = new Set<string>();
  for (const line of stdout.split('\n')) {
    const match = /^\d+: ([^:@\s]+)/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

/** A table as `iptables -S` lists it, line by line. */
async function listTable(ns: NetnsRunner, table: 'filter' | 'mangle'): Promise<string[]> {
  const { stdout } = await ns.iptables(table, ['-S']);
  return stdout.split('\n').map((l) => l.trim());
}

/**
 * `loss`: the loss rules carried out without netem (`loss-rules.ts`), made exactly these too. What the call
 * reads (devices, qdiscs, both iptables tables, sets when rules name some) is read at once, in parallel; the
 * iptables change of both tables is one `iptables-restore`, and every tc command one `tc -batch -`.
 */
export async function applyTcPlans(
  ns: NetnsRunner,
  plans: readonly DevicePlan[],
  loss: readonly LossRule[] = [],
): Promise<void> {
  const needs = lossRuleNeeds(loss);
  const sets = [
    ...new Set([
      ...plans.flatMap((p) => p.classify.flatMap((c) => (c.ipset ? [c.ipset] : []))),
      ...needs.ipsets,
    ]),
  ];
  const [devices, shaped, mangle, filter, existing] = await Promise.all([
    deviceNames(ns),
    shapedDevices(ns),
    listTable(ns, 'mangle'),
    listTable(ns, 'filter'),
    sets.length > 0 ? listSets(ns) : Promise.resolve(new Set<string>()),
  ]);
  for (const device of [...plans.map((p) => p.device), ...needs.devices]) {
    if (!devices.has(device)) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `device ${device} does not exist in the target's network namespace (it has ${[...devices].join(', ')}); ` +
          'set the device of the rule (an empty device means eth0)',
        { device },
      );
    }
  }
  refuseMissingSets('tc rules filter on', sets, existing);

  // Classification first (and the loss chain with it): while qdiscs are rebuilt, packets only carry a class
  // that may not exist yet, which htb treats as unclassified.
  await iptablesRestore(ns, {
    mangle: classifyChange(
      mangle,
      plans.flatMap((p) => p.classify),
    ),
    filter: lossRulesChange(filter, loss),
  });
  // Devices shaped before lose the agent's qdiscs; the wanted ones are rebuilt from the root.
  const commands = [
    ...shaped.map((device) => ['qdisc', 'del', 'dev', device, 'root']),
    ...plans.flatMap((p) => p.commands),
  ];
  if (commands.length > 0) {
    // tc reads one command per line and stops at the first that fails; tokens are as safe as restore's.
    await ns.run(['tc', '-batch', '-'], { input: `${commands.map((c) => restoreLine(c)).join('\n')}\n` });
  }
}

/** Removes the agent's qdiscs from every device, its classification chain and its loss chain. */
export async function clearTc(ns: NetnsRunner): Promise<void> {
  await applyTcPlans(ns, []);
}

/** The restore lines (mangle table) that make CHAOSFLOW-TC exactly `rules`; `mangle` as `iptables -S` lists it. */
function classifyChange(mangle: readonly string[], rules: readonly ClassifyRule[]): string[] {
  const exists = mangle.includes(`-N ${CLASSIFY_CHAIN}`);
  const hooks = mangle.filter((l) => l === `-A POSTROUTING -j ${CLASSIFY_CHAIN}`).length;
  const lines: string[] = [];
  if (rules.length === 0) {
    for (let n = hooks; n > 0; n--) lines.push(restoreLine(['-D', 'POSTROUTING', '-j', CLASSIFY_CHAIN]));
    if (exists) lines.push(chainLine(CLASSIFY_CHAIN), restoreLine(['-X', CLASSIFY_CHAIN]));
    return lines;
  }
  lines.push(chainLine(CLASSIFY_CHAIN));
  if (hooks === 0) lines.push(restoreLine(['-I', 'POSTROUTING', '1', '-j', CLASSIFY_CHAIN]));
  for (const rule of rules) {
    lines.push(
      restoreLine([
        '-A',
        CLASSIFY_CHAIN,
        '-o',
        rule.device,
        ...(rule.ipset ? ['-m', 'set', '--match-set', rule.ipset, 'dst'] : []),
        ...(rule.protocol ? ['-p', rule.protocol] : []),
        '-j',
        'CLASSIFY',
        '--set-class',
        rule.classId,
      ]),
    );
  }
  return lines;
}
