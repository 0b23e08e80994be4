/**
 * The README demo: a game day on the embedded default, end to end, on this machine.
 *
 * As root: a small HTTP service runs in a network namespace (10.200.0.2:8080, "pod" default/demo-0 with label
 * app=demo); the embedded stack starts (Temporal dev server with its Web UI, the chaosflow agent, a worker whose
 * host inventory lists the service); `examples/game-day.yaml` runs with a live node tree — steady-state probe,
 * a partition while probing (the probes fail: the fault is real), a CPU stress in the service's cgroup, a final
 * probe — and a summary shows what was injected and that nothing was left behind. Without root: the same stack
 * kills a sleeping process with container-kill. Ctrl-C aborts the run (faults are recovered) and cleans up. It
 * ends by writing the run's report (HTML, with the timeline) and printing its path.
 *
 *   npm run demo            (scripts/demo.sh: installs what it needs, then runs this)
 *   npx tsx scripts/demo/game-day-demo.ts [--keep] [--report FILE]
 *     --keep      leaves the stack running until Ctrl-C
 *     --report    where the report goes (.html, .md or .json; default chaosflow-report-<run>.html here)
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startRun } from '../../client/start-run.js';
import { freePort } from '../../embedded/free-port.js';
import { toolPath } from '../../embedded/installed-tools.js';
import { agentClientTls, startDevStack } from '../../embedded/dev-stack.js';
import { readManifestFile, formatManifestErrors } from '../../manifests/index.js';
import { followRun } from '../../cli/live-run-view.js';
import { defaultReportPath, writeReportFile } from '../../cli/report-file.js';
import { loadRunReport } from '../../client/run-report.js';
import { formatOfPath, renderReport } from '../../report/report-format.js';
import { renderFaults } from '../../cli/output/fault-table.js';
import { abortSignal, faultsQuery } from '../../workflows/messages.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../embedded/netns-host.js';
import type { RunStatus } from '../../common/run-status.js';

const keep = process.argv.includes('--keep');
const reportArg = process.argv.indexOf('--report');
const reportFile = reportArg === -1 ? undefined : process.argv[reportArg + 1];
const root = fileURLToPath(new URL('../../', import.meta.url));
const say = (text: string) => process.stderr.write(`demo: ${text}\n`);

const unavailable = netnsUnavailableReason();
const networkDemo = unavailable === undefined;
if (!networkDemo) say(`${unavailable}: running the process-kill demo instead of the network game day`);

const dataDir = await mkdtemp(join(tmpdir(), 'chaosflow-demo-'));
let host: NetnsHost | undefined;
let cleaned = false;
const cleanUp = async (stop?: () => Promise<void>) => {
  if (cleaned) return;
  cleaned = true;
  await stop?.().catch(() => undefined);
  await host?.destroy();
  await rm(dataDir, { recursive: true, force: true });
};

try {
  host = await createNetnsHost(
    networkDemo
      ? { process: 'http', cgroup: true, subnet: { host: '10.200.0.1', target: '10.200.0.2' } }
      : { process: 'sleep' },
  );
  say(
    `demo service: pid ${host.pid}${networkDemo ? ` at http://${host.ip}:${host.port}/ in network namespace ${host.name}` : ''}`,
  );
  const before = networkDemo ? await host.snapshot() : undefined;

  const port = await freePort();
  const uiPort = await freePort();
  const agentPort = await freePort();
  const inventoryFile = join(dataDir, 'inventory.yaml');
  await writeFile(inventoryFile, inventory(`127.0.0.1:${agentPort}`, host));
  const stack = await startDevStack({
    temporalExecutable: toolPath('temporal'),
    dataDir,
    port,
    uiPort,
    agentListen: `127.0.0.1:${agentPort}`,
    inventoryFile,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  say(`Temporal UI: ${stack.temporal.uiUrl} (Temporal at ${stack.temporal.address})`);

  const manifest = join(root, 'examples', networkDemo ? 'game-day.yaml' : 'container-kill.yaml');
  const compiled = await readManifestFile(manifest);
  if (compiled.errors.length || !compiled.plans[0]) throw new Error(formatManifestErrors(compiled.errors));
  const { Client, Connection } = await import('@temporalio/client');
  const client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  const handle = await startRun(client, { plan: compiled.plans[0], taskQueue: 'chaosflow' });
  say(
    `run ${handle.workflowId}: ${stack.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`,
  );

  process.once('SIGINT', () => {
    say('Ctrl-C: aborting the run; every injected fault is recovered');
    void handle.signal(abortSignal, { reason: 'demo interrupted' }).catch(() => undefined);
  });
  const status = await followRun(handle, { out: process.stdout, redraw: process.stdout.isTTY === true });
  const faults = await handle.query(faultsQuery);
  process.stdout.write(`\nfaults\n${renderFaults(faults)}`);
  if (status) process.stdout.write(`\n${summary(status)}\n`);
  if (before && host) {
    const after = await host.snapshot();
    const clean = JSON.stringify(after) === JSON.stringify(before);
    process.stdout.write(
      clean
        ? `nothing left behind: iptables, ipsets and qdiscs of ${host.name} are as they were before the game day\n`
        : `LEFT BEHIND in ${host.name}:\n${JSON.stringify(after, null, 2)}\n`,
    );
    if (!clean) process.exitCode = 1;
  }
  if (status?.phase !== 'Succeeded') process.exitCode = 1;
  // The report, from the run's status and history, written before the stack (and its server) goes away.
  const target = reportFile ?? defaultReportPath(handle.workflowId);
  const report = await loadRunReport(handle);
  const path = await writeReportFile(target, renderReport(report, formatOfPath(target)));
  process.stdout.write(`\nreport: ${path}\n`);
  if (keep) {
    say(`the stack keeps running for you to explore the UI: ${stack.temporal.uiUrl} (Ctrl-C to stop)`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
  }
  await client.connection.close();
  await cleanUp(() => stack.stop());
} catch (err) {
  say(errorMessage(err));
  process.exitCode = 1;
} finally {
  await cleanUp();
}

function inventory(agentAddress: string, target: NetnsHost): string {
  return [
    'apiVersion: chaosflow.dev/v1alpha1',
    'kind: Inventory',
    'nodes:',
    '  - name: local',
    '    daemon:',
    `      address: ${agentAddress}`,
    '      tls:',
    ...Object.entries(agentClientTls(dataDir)).map(
      ([key, file]) => `        ${key}: ${JSON.stringify(file)}`,
    ),
    'pods:',
    '  - namespace: default',
    '    name: demo-0',
    '    labels: { app: demo }',
    '    node: local',
    `    ips: [${target.ip}]`,
    '    containers:',
    '      - name: server',
    `        id: ${target.containerId}`,
    '',
  ].join('\n');
}

function summary(status: RunStatus): string {
  const lines = [
    `game day ${status.phase} in ${Math.round((Date.parse(status.endedAt ?? '') - Date.parse(status.startedAt)) / 1000)} s`,
  ];
  for (const node of Object.values(status.nodes)) {
    if (node.probes) {
      const ok = node.probes.filter((p) => p.outcome === 'Success').length;
      lines.push(`  ${node.template}: ${ok}/${node.probes.length} probes succeeded`);
    }
    if (node.targets) {
      const fault = node.action ? `${node.kind}/${node.action}` : String(node.kind);
      lines.push(`  ${node.template}: ${fault} on ${node.targets.join(', ')}: ${node.phase}`);
    }
  }
  return lines.join('\n');
}
