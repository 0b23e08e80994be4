/**
 * The fault kinds the agent gained (HTTPChaos, DNSChaos, NetworkChaos loss without netem) end to end: a
 * manifest run by the real interpreter on a Temporal dev server, targets from a host inventory, the real
 * drivers (HTTP and loss through the per-target entity workflow) and a real agent acting on a process in a
 * network namespace. The effect is checked from outside while the run holds the fault, and after the run the
 * namespace is exactly as before.
 */
import { createSocket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadRunReport } from '../../../client/run-report.js';
import { renderMarkdown } from '../../../report/render-markdown.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import type { RunHandle } from '../../../client/start-run.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../../embedded/netns-host.js';
import { httpGet } from '../agent/http-probe.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';

const LOOKUP = `
const { Resolver } = require('node:dns').promises;
const r = new Resolver({ timeout: 1500, tries: 1 });
r.setServers([process.argv[1]]);
r.resolve4(process.argv[2]).then((a) => process.stdout.write(a.join(',')), (e) => process.stdout.write(e.code));
`;

/** Sends `count` datagrams to host:port from inside the target, paced; prints how many sends were refused. */
const SENDER = `
const dgram = require('node:dgram');
const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const socket = dgram.createSocket('udp4');
let i = 0, refused = 0;
const next = () => {
  if (i >= count) { socket.close(); process.stdout.write(String(refused)); return; }
  socket.send(Buffer.from(String(i)), port, host, (err) => {
    if (err) refused++;
    i++;
    if (i % 50 === 0) setTimeout(next, 2); else next();
  });
};
next();
`;
const PROBES = 2_000;

describeWithNetns('host fault kinds through the interpreter and the agent', () => {
  let env: FaultEnv;
  let host: NetnsHost | undefined;
  let before: NetnsSnapshot | undefined;
  const runs: RunHandle[] = [];

  beforeAll(async () => {
    env = await startFaultEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });
  afterEach(async () => {
    try {
      for (const handle of runs.splice(0)) await handle.result().catch(() => undefined);
      if (host && before) expect(await host.snapshot()).toEqual(before);
    } finally {
      await host?.destroy();
      host = undefined;
    }
  });

  async function target(pod: string, app: string): Promise<NetnsHost> {
    host = await createNetnsHost({ process: 'http' });
    before = await host.snapshot();
    await env.writeInventory([
      { name: pod, labels: { app }, ips: [host.ip], containers: [{ name: 'main', pid: host.pid }] },
    ]);
    return host;
  }

  it('aborts HTTP requests to the target while an HTTPChaos holds, and answers again after it', async () => {
    const web = await target('http-web-0', 'web-http');
    expect(await httpGet(`http://${web.ip}:8080/api/x`, 3_000)).toBe(200);
    const handle = await env.run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: http-abort, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web-http } }
  target: Request
  port: 8080
  path: /api/*
  abort: true
  duration: 6s
`);
    runs.push(handle);
    await env.waitForFaults(handle, (f) => f.length === 1 && f[0]?.state === 'Injected');
    const during = await httpGet(`http://${web.ip}:8080/api/x`, 3_000).catch((err: Error) => err.message);
    const other = await httpGet(`http://${web.ip}:8080/health`, 3_000);
    const status = await handle.result();
    const after = await httpGet(`http://${web.ip}:8080/api/x`, 3_000);
    process.stderr.write(`[http e2e] during: ${String(during)}, other path ${other}, after ${after}\n`);
    expect(during).not.toBe(200);
    expect(other).toBe(200);
    expect(status.phase).toBe('Succeeded');
    expect(after).toBe(200);
  });

  it('makes matching DNS lookups inside the target fail with SERVFAIL while a DNSChaos holds', async () => {
    const app = await target('dns-app-0', 'dns-app');
    const lookup = (name: string): Promise<string> =>
      app.exec([process.execPath, '-e', LOOKUP, app.hostIp, name]);
    expect(await lookup('chaos-mesh.org')).toBe('ECONNREFUSED');
    const handle = await env.run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: DNSChaos
metadata: { name: dns-error, namespace: default }
spec:
  action: error
  mode: all
  selector: { labelSelectors: { app: dns-app } }
  patterns: [chaos-mesh.*]
  duration: 6s
`);
    runs.push(handle);
    await env.waitForFaults(handle, (f) => f.length === 1 && f[0]?.state === 'Injected');
    const during = await lookup('chaos-mesh.org');
    const status = await handle.result();
    const after = await lookup('chaos-mesh.org');
    process.stderr.write(`[dns e2e] during: ${during}, after: ${after}\n`);
    expect(during).toBe('ESERVFAIL');
    expect(status.phase).toBe('Succeeded');
    // Nothing serves DNS at the peer the lookups go to once the responder is gone.
    expect(after).toBe('ECONNREFUSED');
  });

  it('drops about the given share of what the target sends while a NetworkChaos loss holds, and says how', async () => {
    const app = await target('loss-app-0', 'loss-app');
    const sink = createSocket('udp4');
    let received = 0;
    sink.on('message', () => received++);
    await new Promise<void>((resolve) => sink.bind(0, app.hostIp, resolve));
    const probe = async (): Promise<number> => {
      const start = received;
      await app.exec([
        process.execPath,
        '-e',
        SENDER,
        app.hostIp,
        String(sink.address().port),
        String(PROBES),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return received - start;
    };
    try {
      const normal = await probe();
      const handle = await env.run(`
apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: net-loss, namespace: default }
spec:
  action: loss
  mode: all
  selector: { labelSelectors: { app: loss-app } }
  loss: { loss: '30' }
  duration: 15s
`);
      runs.push(handle);
      const [fault] = await env.waitForFaults(handle, (f) => f.length === 1 && f[0]?.state === 'Injected');
      const lossy = await probe();
      const status = await handle.result();
      const after = await probe();
      const report = await loadRunReport(handle);
      const markdown = renderMarkdown(report);
      const method = /loss carried out by (netem|iptables-statistic)/.exec(fault?.note ?? '')?.[1];
      process.stderr.write(
        `[loss e2e] ${method}: ${PROBES} datagrams each; normal ${normal}, at 30% loss ${lossy}, after ${after}\n`,
      );
      expect(status.phase).toBe('Succeeded');
      expect(normal).toBe(PROBES);
      expect(after).toBe(PROBES);
      // 30% of 2,000: 1,400 expected, standard deviation about 20; allow five of them.
      expect(lossy).toBeGreaterThan(1_300);
      expect(lossy).toBeLessThan(1_500);
      // How the loss was carried out reaches the ledger (live), the report (from history) and its Markdown.
      expect(method).toMatch(/^(netem|iptables-statistic)$/);
      expect(report.faults.map((f) => [f.state, f.note?.includes(`by ${method}`)])).toEqual([
        ['Recovered', true],
      ]);
      expect(markdown).toContain(`loss carried out by ${method}`);
    } finally {
      sink.close();
    }
  });
});
