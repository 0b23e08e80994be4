/**
 * Time from abort to every fault recovered, for many targets over several agents: N sleeping processes on this
 * machine, spread over A chaosflow agents (separate processes of the built command, as users run them), all
 * stressed by one StressChaos node (cpu load 0: each target gets a real stress-ng instance that sleeps, so the
 * machine stays usable); then the run is aborted
 * and the clock runs until the run has ended, which it does only once every CancelStressors has succeeded.
 * Also prints, from the run's own ledger and status: the node's start to the last target injected, and the
 * spread between the first and the last inject (as the run records them: when the workflow saw each daemon's
 * batch done). Goals (issue 15), 500 targets over 5 agents on a 2-core machine: injected within 3 s of the
 * node's start, spread under 1 s, abort -> all recovered under 1 s.
 *
 *   npx tsx scripts/bench/abort-recovery.ts [targets=500] [agents=5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { finalStatus } from '../../client/runs.js';
import { startRun } from '../../client/start-run.js';
import { toolPath } from '../../embedded/installed-tools.js';
import { startDevStack } from '../../embedded/dev-stack.js';
import { freePort } from '../../embedded/free-port.js';
import { readManifestText } from '../../manifests/index.js';
import { abortSignal, faultsQuery, statusQuery } from '../../workflows/messages.js';
import { startCli, type CliProcess } from '../../test/harness/cli.js';

const targets = Number(process.argv[2] ?? 500);
const agentCount = Number(process.argv[3] ?? 5);
const say = (text: string) => process.stdout.write(`${text}\n`);
const dir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-abort-'));
const sleepers: ChildProcess[] = [];
const agents: CliProcess[] = [];

try {
  const addresses: string[] = [];
  for (let i = 0; i < agentCount; i++) {
    const address = `127.0.0.1:${await freePort()}`;
    addresses.push(address);
    agents.push(
      startCli(
        [
          'agent',
          '--listen',
          address,
          '--state-dir',
          join(dir, `agent-${i}`),
          '--log-level',
          'error',
          '--insecure-plaintext-loopback',
        ],
        {
          timeoutMs: 3_600_000,
          built: true,
        },
      ),
    );
  }
  for (let i = 0; i < targets; i++) {
    sleepers.push(spawn('sleep', ['3600'], { stdio: 'ignore' }));
  }
  const pods = sleepers.map(
    (s, i) =>
      `  - { namespace: default, name: bench-${i}, labels: { app: bench }, node: node-${i % agentCount}, containers: [{ name: main, id: "pid://${s.pid}" }] }`,
  );
  const nodes = addresses.map((a, i) => `  - { name: node-${i}, daemon: { address: "${a}" } }`);
  const inventoryFile = join(dir, 'inventory.yaml');
  await writeFile(inventoryFile, ['nodes:', ...nodes, 'pods:', ...pods, ''].join('\n'));

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
  const { plans, errors } = readManifestText(
    `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: bench-abort }
spec:
  entry: stress
  templates:
    - name: stress
      templateType: StressChaos
      deadline: 30m
      stressChaos:
        mode: all
        selector: { labelSelectors: { app: bench } }
        stressors: { cpu: { workers: 1, load: 0 } }
`,
    'bench-abort.yaml',
  );
  if (errors.length || !plans[0]) throw new Error(JSON.stringify(errors));
  const injectStarted = performance.now();
  const handle = await startRun(client, { plan: plans[0], taskQueue: 'chaosflow' });
  for (;;) {
    const faults = await handle.query(faultsQuery);
    if (faults.length === targets && faults.every((f) => f.state === 'Injected')) break;
    const failed = faults.find((f) => f.lastError);
    if (failed) throw new Error(`inject failed: ${failed.lastError}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const injectMs = performance.now() - injectStarted;
  const injectedAt = (await handle.query(faultsQuery))
    .map((f) => Date.parse(f.injectedAt ?? ''))
    .sort((a, b) => a - b);
  const nodeStartedAt = Date.parse((await handle.query(statusQuery)).nodes['stress']?.startedAt ?? '');
  const lastInjected = injectedAt[injectedAt.length - 1] ?? NaN;

  const aborted = performance.now();
  await handle.signal(abortSignal, { reason: 'benchmark' });
  const status = await finalStatus(handle);
  const recoverMs = performance.now() - aborted;
  const faults = await handle.query(faultsQuery);
  const recovered = faults.filter((f) => f.state === 'Recovered').length;
  say(
    `abort to all recovered, ${targets} targets (StressChaos, one stress-ng each) over ${agentCount} agents`,
  );
  say(`  start -> every fault Injected, seen by the client: ${(injectMs / 1000).toFixed(2)} s`);
  say(`  node start -> last target injected: ${lastInjected - nodeStartedAt} ms (goal < 3000 ms)`);
  say(`  first -> last target injected: ${lastInjected - (injectedAt[0] ?? NaN)} ms (goal < 1000 ms)`);
  say(`  abort -> run ended with every fault recovered: ${recoverMs.toFixed(0)} ms (goal < 1000 ms)`);
  say(`  run phase ${status?.phase}; ${recovered}/${targets} faults Recovered`);
  await client.connection.close();
  await stack.stop();
} finally {
  for (const s of sleepers) s.kill('SIGKILL');
  for (const a of agents) {
    a.child.kill('SIGTERM');
    await a.done;
  }
  await rm(dir, { recursive: true, force: true });
}
