/**
 * Before a run, `chaosflow plan --inventory` asks the chaosflow agent of each node a chaos template would hit
 * what it can do there (`chaosflow.ext.v1.AgentExtensions/GetCapabilities`) and warns about templates that
 * would fail halfway: NetworkChaos delay, duplicate, corrupt, rate (and netem with any of them) need the netem
 * qdisc, which the host's kernel may lack; TimeChaos is an RPC the agent answers UNIMPLEMENTED, and so is IOChaos
 * where chaosflow-iofs or /dev/fuse is missing.
 * Loss without netem works (iptables statistic) and is said as a note. An agent that cannot be asked gives a
 * warning saying so, never a failed plan.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { Plan } from '../common/plan.js';
import type { TargetSource } from '../activities/targets/target-source.js';
import type { ExtensionResponse } from '../proto/agent-extensions-proto.js';

type Capabilities = ExtensionResponse<'GetCapabilities'>;

const NETEM_PARTS = ['delay', 'duplicate', 'corrupt', 'rate'] as const;

/** What a chaos spec needs of the host: netem, or an RPC the agent may not implement. */
function needs(
  kind: string,
  spec: Record<string, unknown>,
): { netem: string[]; rpc?: string; loss: boolean } {
  if (kind === 'IOChaos') return { netem: [], rpc: 'ApplyIOChaos', loss: false };
  if (kind === 'TimeChaos') return { netem: [], rpc: 'SetTimeOffset', loss: false };
  if (kind !== 'NetworkChaos') return { netem: [], loss: false };
  const action = String(spec['action']);
  if ((NETEM_PARTS as readonly string[]).includes(action)) return { netem: [action], loss: false };
  if (action === 'netem') {
    return { netem: NETEM_PARTS.filter((p) => spec[p] !== undefined), loss: spec['loss'] !== undefined };
  }
  return { netem: [], loss: action === 'loss' };
}

/** The warnings of `plan` about what the targeted agents cannot do; `ask` reaches a node's agent. */
export async function capabilityWarnings(
  plan: Plan,
  source: TargetSource,
  ask: (node: string) => Promise<Capabilities>,
): Promise<string[]> {
  const { resolveTargets } = await import('../activities/targets/resolve-targets.js');
  const asked = new Map<string, Promise<Capabilities>>();
  const warnings: string[] = [];
  for (const template of Object.values(plan.templates)) {
    if (template.type !== 'Chaos' && template.type !== 'Schedule') continue;
    const kind = template.chaos.kind;
    const need = needs(kind, template.chaos.spec);
    if (need.netem.length === 0 && !need.rpc && !need.loss) continue;
    let nodes: string[];
    try {
      const resolved = await resolveTargets({
        spec: template.chaos.spec,
        namespace: plan.source.namespace,
        source,
        random: Math.random,
      });
      const agentTargets = resolved.groups
        .flatMap((g) => g.targets)
        .filter((t) => t.containerId.startsWith('pid://'));
      nodes = [...new Set(agentTargets.map((t) => t.node))];
    } catch {
      continue; // the TARGETS column says why
    }
    for (const node of nodes) {
      let capabilities: Capabilities;
      try {
        const pending = asked.get(node) ?? ask(node);
        asked.set(node, pending);
        capabilities = await pending;
      } catch (err) {
        warnings.push(
          `${template.name}: could not ask the agent of node ${node} what it can do: ${errorMessage(err)}`,
        );
        continue;
      }
      const what = `${template.name} (${kind}${template.chaos.action ? ` ${template.chaos.action}` : ''})`;
      if (need.netem.length > 0 && !capabilities.netem) {
        warnings.push(
          `${what} will fail on node ${node}: ${need.netem.join(', ')} need the netem qdisc (sch_netem), which ` +
            `the host's kernel lacks (${capabilities.netem_reason}); partition, bandwidth and loss work there`,
        );
      }
      if (need.loss && !capabilities.netem && need.netem.length === 0) {
        warnings.push(
          `${what} on node ${node}: no netem there; the agent drops the packets with the iptables statistic ` +
            'match instead (each independently: loss.correlation is not honoured)',
        );
      }
      const missing = need.rpc ? capabilities.unimplemented.find((u) => u.rpc === need.rpc) : undefined;
      if (missing) warnings.push(`${what} will fail on node ${node}: ${missing.reason}`);
    }
  }
  return warnings;
}

/** `capabilityWarnings` for the nodes of a host inventory, asking each node's agent over its daemon endpoint. */
export async function inventoryCapabilityWarnings(file: string, plan: Plan): Promise<string[]> {
  const [{ InventoryTargetSource }, { DaemonClientPool }, { readDaemonTls }] = await Promise.all([
    import('../activities/targets/inventory.js'),
    import('../activities/daemon/daemon-client-pool.js'),
    import('../activities/daemon/daemon-credentials.js'),
  ]);
  const source = new InventoryTargetSource(file);
  const pool = new DaemonClientPool({ defaultDeadlineMs: 10_000 });
  try {
    return await capabilityWarnings(plan, source, async (node) => {
      const ref = await source.daemonFor(node);
      const client = pool.get({
        address: ref.address,
        transport: ref.tls
          ? { kind: 'mtls', tls: await readDaemonTls(ref.tls, ref.address) }
          : { kind: 'plaintext' },
      });
      return client.callExtension('GetCapabilities', {});
    });
  } finally {
    pool.close();
  }
}
