/**
 * Applies a SetTcs plan in the target's network namespace, declaratively: every device the agent shapes ends
 * with exactly the planned qdiscs, devices it shaped before and that are not in the request get their root
 * qdisc removed (the kernel's default comes back), and the mangle chain `CHAOSFLOW-TC` holds exactly the
 * classification rules of the plan (it is removed when there are none).
 */
import { AgentError } from './agent-error.js';
import { listSets } from './ipsets.js';
import type { NetnsRunner } from './netns-runner.js';
import { applyLossRules, lossRuleNeeds, type LossRule } from './loss-rules.js';
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

/** `loss`: the loss rules carried out without netem (`loss-rules.ts`), made exactly these too. */
export async function applyTcPlans(
  ns: NetnsRunner,
  plans: readonly DevicePlan[],
  loss: readonly LossRule[] = [],
): Promise<void> {
  const devices = await deviceNames(ns);
  const needs = lossRuleNeeds(loss);
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
  const sets = [
    ...plans.flatMap((p) => p.classify.flatMap((c) => (c.ipset ? [c.ipset] : []))),
    ...needs.ipsets,
  ];
  if (sets.length > 0) {
    const existing = await listSets(ns);
    const missing = [...new Set(sets)].filter((s) => !existing.has(s));
    if (missing.length > 0) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `tc rules filter on ipsets that do not exist in the target's network namespace: ${missing.join(', ')}; ` +
          'call FlushIPSets first',
      );
    }
  }

  const shaped = await shapedDevices(ns);
  // Classification first: while qdiscs are rebuilt, packets only carry a class that may not exist yet,
  // which htb treats as unclassified.
  await applyClassifyRules(
    ns,
    plans.flatMap((p) => p.classify),
  );
  // Devices shaped before lose the agent's qdiscs; the wanted ones are rebuilt from the root below.
  for (const device of shaped) await ns.run(['tc', 'qdisc', 'del', 'dev', device, 'root']);
  for (const plan of plans) {
    for (const command of plan.commands) await ns.run(['tc', ...command]);
  }
  await applyLossRules(ns, loss);
}

/** Removes the agent's qdiscs from every device, its classification chain and its loss chain. */
export async function clearTc(ns: NetnsRunner): Promise<void> {
  await applyTcPlans(ns, []);
}

async function applyClassifyRules(ns: NetnsRunner, rules: readonly ClassifyRule[]): Promise<void> {
  const { stdout } = await ns.iptables('mangle', ['-S']);
  const lines = stdout.split('\n').map((l) => l.trim());
  const exists = lines.includes(`-N ${CLASSIFY_CHAIN}`);
  const hooks = lines.filter((l) => l === `-A POSTROUTING -j ${CLASSIFY_CHAIN}`).length;
  if (rules.length === 0) {
    for (let n = hooks; n > 0; n--) await ns.iptables('mangle', ['-D', 'POSTROUTING', '-j', CLASSIFY_CHAIN]);
    if (exists) {
      await ns.iptables('mangle', ['-F', CLASSIFY_CHAIN]);
      await ns.iptables('mangle', ['-X', CLASSIFY_CHAIN]);
    }
    return;
  }
  await ns.iptables('mangle', [exists ? '-F' : '-N', CLASSIFY_CHAIN]);
  if (hooks === 0) await ns.iptables('mangle', ['-I', 'POSTROUTING', '1', '-j', CLASSIFY_CHAIN]);
  for (const rule of rules) {
    await ns.iptables('mangle', [
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
    ]);
  }
}
