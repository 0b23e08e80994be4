/**
 * DNSChaos for a host process (`chaosflow.ext.v1.AgentExtensions/SetDNSChaos`; Chaos Mesh's daemon instead
 * rewrites the container's resolv.conf to its chaos-dns-server, which host processes share with the host):
 * the agent starts a DNS responder (`dns-responder-main.ts`) in the target's network namespace and redirects
 * the namespace's DNS traffic to it,
 *
 * ```
 * nat OUTPUT (first rule) -> CHAOSFLOW-DNS:
 *   -d 127.0.0.0/8 -p udp ! --sport <port> --dport 53 -j REDIRECT --to-ports <port>
 *   -d 127.0.0.0/8 -p tcp --dport 53 -j REDIRECT --to-ports <port>
 *   ! -d 127.0.0.0/8 -p udp ! --sport <port> --dport 53 -j DNAT --to-destination <own address>:<port>
 *   ! -d 127.0.0.0/8 -p tcp --dport 53 -j DNAT --to-destination <own address>:<port>
 * ```
 *
 * (the responder's own upstream queries leave from <port> and pass; REDIRECT cannot take a query with a
 * non-loopback source to 127.0.0.1, so those go to the namespace's own address).
 *
 * Names matching the patterns get the fault (`error`: SERVFAIL; `random`: random addresses); the others are
 * forwarded to the upstream resolver (the request's, or the first nameserver of the target's resolv.conf).
 * Declarative per target: a call with another action or patterns starts a new responder, points the redirect
 * at it and stops the old one; an empty action removes the redirect and stops the responder. Journaled like
 * the HTTP proxy (responder pid, start time, port; whether the redirect is in place).
 */
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import type { DNSChaosRequest } from '../proto/generated/chaosflow/ext/v1/DNSChaosRequest.js';
import type { DNSChaosResponseInput } from '../proto/generated/chaosflow/ext/v1/DNSChaosResponse.js';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { AgentError } from './agent-error.js';
import { checkPatterns } from './dns-patterns.js';
import { nextEntry, saveEntry, type CallScope, type FaultContext } from './fault-context.js';
import { resolveUnlessGone, type HostTarget } from './host-target.js';
import type { DnsRecord, DnsResponderRecord, JournalEntry } from './journal.js';
import { startNetnsChild, stopNetnsChild } from './netns-child.js';
import { netnsRunner, type NetnsRunner } from './netns-runner.js';
import { findNetnsPath, type NetnsId } from './process-info.js';

export const DNS_CHAIN = 'CHAOSFLOW-DNS';
const RESPONDER_GRACE_MS = 3_000;

function checkUpstream(text: string): { host: string; port: number } {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  const port = Number(match?.[2] ?? 53);
  if (!match || !isIPv4(match[1] as string) || port < 1 || port > 65535) {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `upstream ${JSON.stringify(text.slice(0, 80))} is not an IPv4 address with an optional :port`,
      { field: 'upstream' },
    );
  }
  return { host: match[1] as string, port };
}

/** The first IPv4 nameserver of the target's resolv.conf (in its mount namespace). */
async function resolvConfUpstream(pid: number): Promise<{ host: string; port: number }> {
  const text = await readFile(`/proc/${pid}/root/etc/resolv.conf`, 'utf8').catch(() => '');
  const server = /^\s*nameserver\s+(\d{1,3}(?:\.\d{1,3}){3})\s*$/m.exec(text)?.[1];
  if (!server) {
    throw new AgentError(
      'FAILED_PRECONDITION',
      `the target's /etc/resolv.conf names no IPv4 nameserver to forward other names to; set upstream`,
      { field: 'upstream' },
    );
  }
  return { host: server, port: 53 };
}

export class DnsFaults {
  constructor(private readonly ctx: FaultContext) {}

  async set(scope: CallScope, request: DNSChaosRequest): Promise<DNSChaosResponseInput> {
    const action = request.action;
    if (action !== '' && action !== 'error' && action !== 'random') {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `action ${JSON.stringify(action.slice(0, 40))} must be error, random or empty (recover)`,
        {
          field: 'action',
        },
      );
    }
    const patterns = checkPatterns(request.patterns);
    const explicit = request.upstream ? checkUpstream(request.upstream) : undefined;
    const clears = action === '';
    const target = await resolveUnlessGone(request.container_id, clears);
    if (!target) {
      scope.logger.warn({ key: scope.key }, 'target gone; counting the clear as done');
      const entry = this.ctx.journal.get(scope.key);
      if (entry?.dns) await this.clear(scope, entry, entry.dns, await findNetnsPath(entry.dns.netns));
      return { instance: 0 };
    }
    const journal = this.ctx.journal;
    const existing = journal.get(scope.key);
    const dns: DnsRecord =
      existing?.dns && sameNetns(existing.dns.netns, target.netns)
        ? existing.dns
        : { netns: target.netns, responders: [], redirect: false };
    if (clears) {
      await this.clear(scope, existing, dns, target.netnsPath, target);
      return { instance: 0 };
    }
    const own = this.ctx.agentNetns;
    if (own && !this.ctx.allowHostNetwork && sameNetns(own, target.netns)) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `target process ${target.pid} shares the agent's (the host's) network namespace, where redirecting DNS ` +
          "would catch every process's lookups; run the target in its own network namespace, or start the " +
          'agent with --allow-host-network',
        { pid: target.pid },
      );
    }
    const upstream = explicit ?? (await resolvConfUpstream(target.pid));
    const ns = netnsRunner(this.ctx.runner, target.netnsPath);
    await journal.put(nextEntry(existing, scope, target, { dns }, 'applying'));
    const { child, answer } = await startNetnsChild<{ port: number }>(
      target.netnsPath,
      'dns-responder-main',
      {
        action,
        patterns,
        upstream,
      },
    );
    const responder: DnsResponderRecord = { ...child, port: answer.port };
    const starting: DnsRecord = { ...dns, responders: [...dns.responders, responder], redirect: true };
    await journal.put(nextEntry(journal.get(scope.key), scope, target, { dns: starting }, 'applying'));
    try {
      await applyDnsRedirect(ns, responder.port);
    } catch (err) {
      await stopNetnsChild(responder, RESPONDER_GRACE_MS);
      await journal.put(
        nextEntry(journal.get(scope.key), scope, target, {
          dns: { ...starting, responders: dns.responders },
          lastError: errorMessage(err),
        }),
      );
      throw err;
    }
    for (const old of dns.responders) await stopNetnsChild(old, RESPONDER_GRACE_MS);
    await saveEntry(
      journal,
      nextEntry(journal.get(scope.key), scope, target, { dns: { ...starting, responders: [responder] } }),
    );
    scope.logger.info(
      {
        pid: target.pid,
        responder: responder.pid,
        port: responder.port,
        action,
        patterns: patterns.length,
        upstream,
      },
      'dns responder serving',
    );
    return { instance: responder.pid };
  }

  private async clear(
    scope: CallScope,
    existing: JournalEntry | undefined,
    dns: DnsRecord,
    netnsPath: string | undefined,
    target: Pick<HostTarget, 'containerId' | 'pid' | 'startTimeMs'> | undefined = existing?.target,
  ): Promise<void> {
    if (netnsPath) await applyDnsRedirect(netnsRunner(this.ctx.runner, netnsPath), undefined);
    for (const responder of dns.responders) await stopNetnsChild(responder, RESPONDER_GRACE_MS);
    if (existing && target) {
      await saveEntry(
        this.ctx.journal,
        nextEntry(existing, scope, target, { dns: { ...dns, responders: [], redirect: false } }),
      );
    }
    scope.logger.info({ key: scope.key }, 'dns responder stopped');
  }
}

function sameNetns(a: NetnsId, b: NetnsId): boolean {
  return a.inode === b.inode && a.dev === b.dev;
}

/** Makes the nat chain CHAOSFLOW-DNS redirect DNS to `port`; undefined removes chain and hook. */
export async function applyDnsRedirect(ns: NetnsRunner, port: number | undefined): Promise<void> {
  const { stdout } = await ns.iptables('nat', ['-S']);
  const lines = stdout.split('\n').map((l) => l.trim());
  const exists = lines.includes(`-N ${DNS_CHAIN}`);
  const hooks = lines.filter((l) => l === `-A OUTPUT -j ${DNS_CHAIN}`).length;
  if (port === undefined) {
    for (let n = hooks; n > 0; n--) await ns.iptables('nat', ['-D', 'OUTPUT', '-j', DNS_CHAIN]);
    if (exists) {
      await ns.iptables('nat', ['-F', DNS_CHAIN]);
      await ns.iptables('nat', ['-X', DNS_CHAIN]);
    }
    return;
  }
  const to = String(port);
  // REDIRECT sends to 127.0.0.1, which the kernel refuses for a packet with a non-loopback source (a query to
  // a resolver outside the namespace); those go to the namespace's own address instead.
  const own = await ownAddress(ns);
  const targets: [string[], string[]][] = [
    [
      ['-d', '127.0.0.0/8'],
      ['REDIRECT', '--to-ports', to],
    ],
  ];
  if (own)
    targets.push([
      ['!', '-d', '127.0.0.0/8'],
      ['DNAT', '--to-destination', `${own}:${to}`],
    ]);
  await ns.iptables('nat', [exists ? '-F' : '-N', DNS_CHAIN]);
  for (const [where, jump] of targets) {
    await ns.iptables('nat', [
      '-A',
      DNS_CHAIN,
      ...where,
      '-p',
      'udp',
      '!',
      '--sport',
      to,
      '--dport',
      '53',
      '-j',
      ...jump,
    ]);
    await ns.iptables('nat', ['-A', DNS_CHAIN, ...where, '-p', 'tcp', '--dport', '53', '-j', ...jump]);
  }
  if (hooks === 0) await ns.iptables('nat', ['-I', 'OUTPUT', '1', '-j', DNS_CHAIN]);
}

/** The namespace's first global IPv4 address, if it has one. */
async function ownAddress(ns: NetnsRunner): Promise<string | undefined> {
  const { stdout } = await ns.run(['ip', '-o', '-4', 'addr', 'show', 'scope', 'global']);
  return /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(stdout)?.[1];
}

/** Undoes an entry's DNS fault (recovery): the redirect, if the namespace still exists, and its responders. */
export async function revertDns(ctx: FaultContext, dns: DnsRecord): Promise<void> {
  const path = await findNetnsPath(dns.netns);
  if (path) await applyDnsRedirect(netnsRunner(ctx.runner, path), undefined);
  for (const responder of dns.responders) await stopNetnsChild(responder, RESPONDER_GRACE_MS);
}
