/**
 * Time from `chaosflow halt` to every fault of many running runs recovered: R runs, each holding a partition of
 * one of T targets (processes in network namespaces, round-robin, so runs share targets), one chaosflow agent
 * (the built command); then chaosflow is halted and the clock runs until every run has closed and every
 * namespace is as it was before. Goal: under 5 s for 50 runs.
 *
 *   npx tsx scripts/bench/halt-recovery.ts [runs=50] [targets=10]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { halt, unhalt, waitForNoRuns } from '../../client/halt.js';
import { startRun } from '../../client/start-run.js';
import { toolPath } from '../../embedded/installed-tools.js';
import { startDevStack } from '../../embedded/dev-stack.js';
import { freePort } from '../../embedded/free-port.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../embedded/netns-host.js';
import { readManifestText } from '../../manifests/index.js';
import { faultsQuery } from '../../workflows/messages.js';
import { startCli, type CliProcess } from '../../test/harness/cli.js';
import { printHaltTimeline } from './halt-timeline.js';

const runCount = Number(process.argv[2] ?? 50);
const targetCount = Number(process.argv[3] ?? 10);
const say = (text: string) => process.stdout.write(`${text}\n`);
if (process.getuid?.() !== 0) {
  say('halt-recovery: skipped, needs root (network namespaces and the agent)');
  process.exit(0);
}
const dir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-halt-'));
const hosts: { host: NetnsHost; before: NetnsSnapshot }[] = [];
let agent: CliProcess | undefined;

try {
  for (let i = 0; i < targetCount; i++) {
    const host = await createNetnsHost({ process: 'sleep' });
    hosts.push({ host, before: await host.snapshot() });
  }
  const address = `127.0.0.1:${await freePort()}`;
  agent = startCli(
    [
      'agent',
      '--listen',
      address,
      '--state-dir',
      join(dir, 'agent'),
      '--log-level',
      'debug',
      '--insecure-plaintext-loopback',
    ],
    { timeoutMs: 3_600_000, built: true },
  );
  const pods = hosts.map(
    ({ host }, i) =>
      `  - { namespace: default, name: t-${i}, labels: { app: t-${i} }, node: local, ips: [${host.ip}], containers: [{ name: main, id: "${host.containerId}" }] }`,
  );
  const inventoryFile = join(dir, 'inventory.yaml');
  await writeFile(
    inventoryFile,
    ['nodes:', `  - { name: local, daemon: { address: "${address}" } }`, 'pods:', ...pods, ''].join('\n'),
  );
  const stack = await startDevStack({
    temporalExecutable: toolPath('temporal'),
    dataDir: join(dir, 'stack'),
    port: 0,
    uiPort: false,
    agentListen: false,
    inventoryFile,
    logger: pino({ level: 'error' }),
  });
  const client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  const handles = [];
  for (let r = 0; r < runCount; r++) {
    const t = r % targetCount;
    const { plans, errors } = readManifestText(
      `apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: halt-${r}, namespace: default }
spec:
  action: partition
  mode: all
  direction: to
  externalTargets: [${hosts[t]?.host.hostIp}]
  selector: { labelSelectors: { app: t-${t} } }
  duration: 30m
`,
      `halt-${r}.yaml`,
    );
    if (errors.length || !plans[0]) throw new Error(JSON.stringify(errors));
    handles.push(await startRun(client, { plan: plans[0], taskQueue: 'chaosflow' }));
  }
  const injectStarted = performance.now();
  for (const handle of handles) {
    for (;;) {
      const faults = await handle.query(faultsQuery);
      if (faults.length > 0 && faults.every((f) => f.state === 'Injected')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const injectMs = performance.now() - injectStarted;

  const halted = performance.now();
  const haltedWall = Date.now();
  await halt(client, { reason: 'benchmark', by: 'bench', taskQueue: 'chaosflow' });
  const stillRunning = await waitForNoRuns(client, 120_000);
  for (const { host, before } of hosts) {
    while (JSON.stringify(await host.snapshot()) !== JSON.stringify(before)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const recoverMs = performance.now() - halted;
  say(
    `halt to all recovered, ${runCount} runs each holding a partition, on ${targetCount} targets, one agent`,
  );
  say(
    `  all ${runCount} faults injected (for reference) ${(injectMs / 1000).toFixed(1)} s after the last start`,
  );
  say(
    `  halt -> every run closed and every namespace as before: ${recoverMs.toFixed(0)} ms (goal < 5000 ms)`,
  );
  if (stillRunning.length) say(`  still running after 120 s: ${stillRunning.length}`);
  await printHaltTimeline(
    client,
    handles.map((h) => h.workflowId),
    haltedWall,
    agent.stdout + agent.stderr,
  );
  await unhalt(client, { by: 'bench' });
  await client.connection.close();
  await stack.stop();
} finally {
  if (agent) {
    agent.child.kill('SIGTERM');
    await agent.done;
  }
  for (const { host } of hosts) await host.destroy();
  await rm(dir, { recursive: true, force: true });
}
