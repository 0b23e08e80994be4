/**
 * ApplyHttpChaos for a host process, declarative like Chaos Mesh's daemon (each call carries the target's
 * whole rule list): the agent starts a fault proxy (`http-fault-proxy-main.ts`) inside the target's network
 * namespace with the rules, then redirects inbound TCP to each of `proxy_ports` to it,
 *
 * ```
 * nat PREROUTING (first rule) -> CHAOSFLOW-HTTP: -p tcp --dport <port> -j REDIRECT --to-ports <proxy port>
 * ```
 *
 * and only then stops the proxy of the previous call (SIGTERM: it stops accepting and lets connections in
 * flight finish, at most 10 s; see `applyRedirects` for how their redirect is kept meanwhile). An empty rule list removes the redirect and stops the proxy. The proxy is
 * journaled (pid, start time, listeners) before the redirect points at it, so an agent restart or
 * `--recover-all` can undo both. The answer is Chaos Mesh's: `instance` = the proxy's pid, `startTime` its
 * start in ms, `instance_uid`, `statusCode` 200.
 *
 * Differences from Chaos Mesh's tproxy: the proxy connects to the server from inside the namespace (the server
 * sees the connection come from the namespace's own address, not from the client), and TLS is refused.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { ApplyHttpChaosRequest } from '../proto/generated/pb/ApplyHttpChaosRequest.js';
import type { ApplyHttpChaosResponseInput } from '../proto/generated/pb/ApplyHttpChaosResponse.js';
import { AgentError } from './agent-error.js';
import { nextEntry, saveEntry, type CallScope, type FaultContext } from './fault-context.js';
import { resolveUnlessGone, type HostTarget } from './host-target.js';
import { parseHttpRules } from './http-rules.js';
import type { HttpProxyRecord, HttpRecord, JournalEntry } from './journal.js';
import { netnsRunner, type NetnsRunner } from './netns-runner.js';
import { startNetnsChild, stopNetnsChild } from './netns-child.js';
import { findNetnsPath, type NetnsId } from './process-info.js';
import { checkPort } from './request-validation.js';

export const HTTP_CHAIN = 'CHAOSFLOW-HTTP';
/** How long a replaced or recovered proxy may take to finish connections in flight. */
const PROXY_GRACE_MS = 10_000;

export class HttpFaults {
  constructor(private readonly ctx: FaultContext) {}

  async apply(scope: CallScope, request: ApplyHttpChaosRequest): Promise<ApplyHttpChaosResponseInput> {
    if (request.tls) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        'tls: the chaosflow agent intercepts plain HTTP only; remove tls from the HTTPChaos',
        { field: 'tls' },
      );
    }
    const ports = [...new Set(request.proxy_ports.map((p, i) => checkPort(`proxy_ports[${i}]`, p)))];
    const rules = parseHttpRules(request.rules, ports);
    const clears = rules.length === 0;
    const target = await resolveUnlessGone(request.container_id, clears);
    if (!target) {
      scope.logger.warn({ key: scope.key }, 'target gone; counting the clear as done');
      const entry = this.ctx.journal.get(scope.key);
      if (entry?.http) await this.clear(scope, entry, entry.http, await findNetnsPath(entry.http.netns));
      return { instance: 0, startTime: 0, instance_uid: '', statusCode: 200, error: '' };
    }
    this.guardHostNetwork(target, clears);
    const journal = this.ctx.journal;
    const existing = journal.get(scope.key);
    const http: HttpRecord =
      existing?.http && sameNetns(existing.http.netns, target.netns)
        ? existing.http
        : { netns: target.netns, proxies: [], redirect: false };

    if (clears) {
      await this.clear(scope, existing, http, target.netnsPath, target);
      return { instance: 0, startTime: 0, instance_uid: '', statusCode: 200, error: '' };
    }

    const ns = netnsRunner(this.ctx.runner, target.netnsPath);
    const uid = randomUUID();
    await journal.put(nextEntry(existing, scope, target, { http }, 'applying'));
    const proxy = await this.startProxy(target.netnsPath, request.rules, ports, uid);
    const starting: HttpRecord = { ...http, proxies: [...http.proxies, proxy], redirect: true };
    await journal.put(nextEntry(journal.get(scope.key), scope, target, { http: starting }, 'applying'));
    const old = http.proxies.flatMap((p) => p.listeners);
    try {
      await applyRedirects(ns, proxy.listeners, old);
    } catch (err) {
      await stopProxy(proxy);
      await journal.put(
        nextEntry(journal.get(scope.key), scope, target, {
          http: { ...starting, proxies: http.proxies },
          lastError: errorMessage(err),
        }),
      );
      throw err;
    }
    for (const replaced of http.proxies) await stopProxy(replaced);
    if (old.length > 0) await applyRedirects(ns, proxy.listeners);
    await saveEntry(
      journal,
      nextEntry(journal.get(scope.key), scope, target, { http: { ...starting, proxies: [proxy] } }),
    );
    scope.logger.info(
      { pid: target.pid, proxy: proxy.pid, listeners: proxy.listeners, rules: rules.length },
      'http fault proxy serving',
    );
    return {
      instance: proxy.pid,
      startTime: proxy.startTimeMs,
      instance_uid: proxy.uid,
      statusCode: 200,
      error: '',
    };
  }

  /** Removes the redirect (if the namespace still exists) and stops every journaled proxy. */
  private async clear(
    scope: CallScope,
    existing: JournalEntry | undefined,
    http: HttpRecord,
    netnsPath: string | undefined,
    target: Pick<HostTarget, 'containerId' | 'pid' | 'startTimeMs'> | undefined = existing?.target,
  ): Promise<void> {
    const ns = netnsPath ? netnsRunner(this.ctx.runner, netnsPath) : undefined;
    if (ns)
      await applyRedirects(
        ns,
        [],
        http.proxies.flatMap((p) => p.listeners),
      );
    for (const proxy of http.proxies) await stopProxy(proxy);
    if (ns) await applyRedirects(ns, []);
    if (existing && target) {
      await saveEntry(
        this.ctx.journal,
        nextEntry(existing, scope, target, { http: { ...http, proxies: [], redirect: false } }),
      );
    }
    scope.logger.info({ key: scope.key }, 'http fault proxy stopped');
  }

  private async startProxy(
    netnsPath: string,
    rules: string,
    ports: readonly number[],
    uid: string,
  ): Promise<HttpProxyRecord> {
    const { child, answer } = await startNetnsChild<{ listeners: [number, number][] }>(
      netnsPath,
      'http-fault-proxy-main',
      { rules, ports, graceMs: PROXY_GRACE_MS },
    );
    return { ...child, uid, listeners: answer.listeners };
  }

  private guardHostNetwork(target: HostTarget, clears: boolean): void {
    const own = this.ctx.agentNetns;
    if (clears || this.ctx.allowHostNetwork || !own) return;
    if (sameNetns(own, target.netns)) {
      throw new AgentError(
        'FAILED_PRECONDITION',
        `target process ${target.pid} shares the agent's (the host's) network namespace, where redirecting a ` +
          "port would catch every process's traffic; run the target in its own network namespace, or start " +
          'the agent with --allow-host-network',
        { pid: target.pid },
      );
    }
  }
}

function sameNetns(a: NetnsId, b: NetnsId): boolean {
  return a.inode === b.inode && a.dev === b.dev;
}

/**
 * Makes the nat chain CHAOSFLOW-HTTP exactly the redirects of `listeners`; none removes chain and hook.
 * `draining` keeps redirects for connections already redirected only (`! --ctstate NEW`, which a nat rule
 * never sees, so new connections reach the server directly): removing the rule outright also breaks the
 * address translation of the connections still in flight through the proxy (seen on this kernel with
 * iptables-nft), so recovery drains first and removes the chain once the proxy has exited.
 */
export async function applyRedirects(
  ns: NetnsRunner,
  listeners: readonly (readonly [number, number])[],
  draining: readonly (readonly [number, number])[] = [],
): Promise<void> {
  const { stdout } = await ns.iptables('nat', ['-S']);
  const lines = stdout.split('\n').map((l) => l.trim());
  const exists = lines.includes(`-N ${HTTP_CHAIN}`);
  const hooks = lines.filter((l) => l === `-A PREROUTING -j ${HTTP_CHAIN}`).length;
  if (listeners.length + draining.length === 0) {
    for (let n = hooks; n > 0; n--) await ns.iptables('nat', ['-D', 'PREROUTING', '-j', HTTP_CHAIN]);
    if (exists) {
      await ns.iptables('nat', ['-F', HTTP_CHAIN]);
      await ns.iptables('nat', ['-X', HTTP_CHAIN]);
    }
    return;
  }
  await ns.iptables('nat', [exists ? '-F' : '-N', HTTP_CHAIN]);
  const rules = [
    ...listeners.map((l) => ({ l, drain: false })),
    ...draining.map((l) => ({ l, drain: true })),
  ];
  for (const {
    l: [port, proxyPort],
    drain,
  } of rules) {
    await ns.iptables('nat', [
      '-A',
      HTTP_CHAIN,
      '-p',
      'tcp',
      '--dport',
      String(port),
      ...(drain ? ['-m', 'conntrack', '!', '--ctstate', 'NEW'] : []),
      '-j',
      'REDIRECT',
      '--to-ports',
      String(proxyPort),
    ]);
  }
  if (hooks === 0) await ns.iptables('nat', ['-I', 'PREROUTING', '1', '-j', HTTP_CHAIN]);
}

/** Stops a proxy (it finishes connections in flight first, at most the grace). */
export function stopProxy(proxy: HttpProxyRecord): Promise<'stopped' | 'gone'> {
  return stopNetnsChild(proxy, PROXY_GRACE_MS + 2_000);
}

/** Undoes an entry's HTTP fault (recovery): the redirect in its namespace, if it still exists, and its proxies. */
export async function revertHttp(ctx: FaultContext, http: HttpRecord): Promise<void> {
  const path = await findNetnsPath(http.netns);
  if (path) await applyRedirects(netnsRunner(ctx.runner, path), []);
  for (const proxy of http.proxies) await stopProxy(proxy);
}
