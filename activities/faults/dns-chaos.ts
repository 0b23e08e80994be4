/**
 * The DNSChaos driver, as Chaos Mesh's `dnschaos.Impl`: first the rules of Chaos Mesh's chaos-dns-server are
 * set for the pod (its own gRPC API, `k8s_dns_chaos` SetDNSChaos with the action and patterns), then the
 * daemon points the container's resolv.conf at that server (SetDNSServer, `enable: true`, `enterNS: true`).
 * Recover cancels the rules and restores resolv.conf (`enable: false`).
 *
 * For a host process on the chaosflow agent (`pid://` targets) there is no resolv.conf of its own to rewrite:
 * the agent answers the namespace's DNS itself (extension RPC `SetDNSChaos` with the action and patterns;
 * recover sends an empty action), and no chaos-dns-server is needed.
 *
 * Otherwise both need a chaos-dns-server: its address (Chaos Mesh: the ClusterIP of the `chaos-dns-server` Service) and
 * a client for its rules API come from the driver's options. Without them the action is refused as
 * UNSUPPORTED, saying what to configure, rather than rewriting resolv.conf to a server that would answer
 * normally.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { FaultBatchOf } from '../contract.js';
import { ActivityError } from '../errors.js';
import type { DaemonConnector } from './daemon-connector.js';
import type { FaultDriver } from './fault-driver.js';
import { callOptions, chaosNameOf, eachTarget, failedRecover, type FaultTarget } from './fault-outcome.js';

/** The rules API of Chaos Mesh's chaos-dns-server (k8s_dns_chaos `SetDNSChaos` / `CancelDNSChaos`). */
export interface DnsServerRules {
  set(
    rule: {
      name: string;
      action: 'error' | 'random';
      patterns: string[];
      pods: { namespace: string; name: string }[];
    },
    signal: AbortSignal,
  ): Promise<void>;
  cancel(name: string, signal: AbortSignal): Promise<void>;
}

export interface DnsChaosServer {
  /** The IP written into the pod's resolv.conf. */
  address: string;
  rules?: DnsServerRules;
}

/** The rule set's name on the DNS server: the chaos name, plus a digest of the run so two runs never share one. */
export function dnsRuleName(batch: FaultBatchOf<'DNSChaos'>): string {
  const digest = createHash('sha256')
    .update(`${batch.run.workflowId}/${batch.nodeId}`)
    .digest('hex')
    .slice(0, 8);
  return `${chaosNameOf(batch)}-${digest}`;
}

/** A target served by the chaosflow agent (a host process): it answers DNS itself, no chaos-dns-server needed. */
function onChaosflowAgent(target: FaultTarget): boolean {
  return target.target.containerId.startsWith('pid://');
}

export function createDNSChaosDriver(
  connector: DaemonConnector,
  server: DnsChaosServer | undefined,
): FaultDriver<'DNSChaos'> {
  const configured = (): { address: string; rules: DnsServerRules } => {
    if (!server) {
      throw new ActivityError(
        'UNSUPPORTED',
        "DNSChaos needs Chaos Mesh's chaos-dns-server: configure the worker with its address (the ClusterIP of the chaos-dns-server Service) and a client for its rules API",
      );
    }
    if (!isIPv4(server.address) && !isIPv6(server.address)) {
      throw new ActivityError(
        'INVALID_INPUT',
        `the DNS server address ${JSON.stringify(server.address)} is not an IP address`,
      );
    }
    if (!server.rules) {
      throw new ActivityError(
        'UNSUPPORTED',
        `DNSChaos needs the rules of the chaos-dns-server at ${server.address} set for each pod (k8s_dns_chaos SetDNSChaos); configure the worker with a client for its rules API`,
      );
    }
    return { address: server.address, rules: server.rules };
  };
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const spec = batch.chaos.spec;
        if (onChaosflowAgent(target)) {
          const agent = await connector.forNode(target.target.node);
          await agent.callExtension(
            'SetDNSChaos',
            {
              container_id: target.target.containerId,
              action: spec.action,
              patterns: [...(spec.patterns ?? [])],
            },
            callOptions(batch, target, signal),
          );
          return { ok: true };
        }
        const { address, rules } = configured();
        await rules.set(
          {
            name: dnsRuleName(batch),
            action: spec.action,
            patterns: [...(spec.patterns ?? [])],
            pods: [{ namespace: target.target.namespace, name: target.target.pod }],
          },
          signal,
        );
        const daemon = await connector.forNode(target.target.node);
        await daemon.call(
          'SetDNSServer',
          { container_id: target.target.containerId, dns_server: address, enable: true, enterNS: true },
          callOptions(batch, target, signal),
        );
        return { ok: true };
      }),
    recover: (batch, signal) =>
      eachTarget(
        batch,
        async (target) => {
          if (onChaosflowAgent(target)) {
            const agent = await connector.forNode(target.target.node);
            const request = { container_id: target.target.containerId, action: '' };
            const options = callOptions(batch, target, signal);
            if (!agent.callExtensionWithWarnings) {
              await agent.callExtension('SetDNSChaos', request, options);
              return { ok: true };
            }
            // The agent says when its lease had recovered the fault already (renewals stopped meanwhile).
            const { warnings } = await agent.callExtensionWithWarnings('SetDNSChaos', request, options);
            return warnings.length > 0 ? { ok: true, message: warnings.join('; ') } : { ok: true };
          }
          if (!server?.rules)
            return { ok: true, message: 'no chaos-dns-server is configured: nothing was injected' };
          await server.rules.cancel(dnsRuleName(batch), signal);
          const daemon = await connector.forNode(target.target.node);
          await daemon.call(
            'SetDNSServer',
            { container_id: target.target.containerId, enable: false, enterNS: true },
            callOptions(batch, target, signal),
          );
          return { ok: true };
        },
        failedRecover,
      ),
  };
}
