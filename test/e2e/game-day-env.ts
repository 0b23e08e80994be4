/**
 * Everything an end-to-end game day needs on this machine: the demo service in a network namespace at
 * 10.200.0.2 (the address `examples/game-day.yaml` probes), a Temporal server with chaosflow workers, and the
 * chaosflow agent as its own process (so a test can kill and restart it), with a host inventory naming the
 * service as pod default/demo-0 (label app=demo).
 *
 * The server is a parameter: by default the embedded dev stack (dev server and an in-process worker, as
 * `chaosflow dev` runs them); or any Temporal the test started (`server: { address, namespace }`, e.g. the
 * cluster of `test/harness/temporal-cluster.ts`), served by `workers` `chaosflow worker` processes that a test
 * can SIGKILL and add to; they find it through `TEMPORAL_ADDRESS` and `TEMPORAL_NAMESPACE`, the CLI through
 * `cliFlags`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { startDevStack, type DevStack } from '../../embedded/dev-stack.js';
import { freePort } from '../../embedded/free-port.js';
import { startCli, type CliProcess } from '../harness/cli.js';
import { createNetnsHost, type NetnsSnapshot, type NetnsHost } from '../../embedded/netns-host.js';
import { requireTool } from '../../embedded/installed-tools.js';

/** A Temporal server the test started: chaosflow reaches it through the standard client settings only. */
export interface GameDayServer {
  address: string;
  namespace: string;
}

export interface GameDayEnvOptions {
  prometheusUrl?: string;
  /** Default: the embedded dev stack. */
  server?: GameDayServer;
  /** `chaosflow worker` processes on `server` (ignored without it); default 1. */
  workers?: number;
}

export interface GameDayEnv {
  host: NetnsHost;
  /** The embedded dev stack; undefined when the env runs on a given `server`. */
  stack: DevStack | undefined;
  /** The frontend the CLI, the workers and `client` use. */
  address: string;
  namespace: string;
  client: Client;
  /** The `chaosflow worker` processes (on a given `server`; empty on the dev stack, whose worker is in-process). */
  readonly workers: readonly CliProcess[];
  /** Starts one more `chaosflow worker` process; resolves once it polls. */
  addWorker(): Promise<CliProcess>;
  agentAddress: string;
  /** Baseline of the service's namespace before any fault. */
  before: NetnsSnapshot;
  /** The agent process; `restartAgent` replaces it. */
  agent: CliProcess;
  /** Flags that point the CLI at this stack. */
  cliFlags: string[];
  killAgent(): Promise<void>;
  restartAgent(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGameDayEnv(options: GameDayEnvOptions = {}): Promise<GameDayEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-e2e-'));
  const host = await createNetnsHost({
    process: 'http',
    cgroup: true,
    subnet: { host: '10.200.0.1', target: '10.200.0.2' },
    // Another suite (or the demo) on this machine may hold 10.200.0.x: wait for it rather than cross-talk.
    subnetWaitMs: 170_000,
  });
  const before = await host.snapshot();
  const agentAddress = `127.0.0.1:${await freePort()}`;
  const agentArgs = [
    'agent',
    '--listen',
    agentAddress,
    '--state-dir',
    join(dir, 'agent'),
    '--log-level',
    'warn',
    '--insecure-plaintext-loopback',
  ];
  const startAgent = async (): Promise<CliProcess> => {
    const agent = startCli(agentArgs, { timeoutMs: 3_600_000 });
    // Ready when it accepts connections.
    const [hostName, port] = agentAddress.split(':') as [string, string];
    const { connect } = await import('node:net');
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = connect(Number(port), hostName, () => (socket.end(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
      if (up) return agent;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the agent did not listen on ${agentAddress}: ${agent.stderr}`);
  };
  let agent = await startAgent();
  const inventoryFile = join(dir, 'inventory.yaml');
  await writeFile(
    inventoryFile,
    [
      'nodes:',
      '  - name: local',
      `    daemon: { address: "${agentAddress}" }`,
      'pods:',
      '  - namespace: default',
      '    name: demo-0',
      '    labels: { app: demo }',
      '    node: local',
      `    ips: [${host.ip}]`,
      `    containers: [{ name: server, id: "${host.containerId}" }]`,
      '',
    ].join('\n'),
  );
  const stack = options.server
    ? undefined
    : await startDevStack({
        temporalExecutable: requireTool('temporal'),
        dataDir: join(dir, 'stack'),
        port: 0,
        uiPort: false,
        agentListen: false,
        inventoryFile,
        ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
        logger: pino({ level: 'warn' }),
      });
  const address = options.server?.address ?? stack!.temporal.address;
  const namespace = options.server?.namespace ?? stack!.temporal.namespace;
  const cliFlags = ['--address', address, '--namespace', namespace];
  const workers: CliProcess[] = [];
  const addWorker = async (): Promise<CliProcess> => {
    // The workers find Temporal through the standard environment configuration, the CLI through its flags.
    const worker = startCli(
      [
        'worker',
        '--inventory',
        inventoryFile,
        '--shutdown-grace',
        '10000',
        '--log-level',
        'info',
        ...(options.prometheusUrl ? ['--prometheus-url', options.prometheusUrl] : []),
      ],
      {
        timeoutMs: 3_600_000,
        env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
      },
    );
    workers.push(worker);
    for (let i = 0; i < 1200 && !worker.stderr.includes('"msg":"worker started"'); i++) {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!worker.stderr.includes('"msg":"worker started"')) {
      worker.child.kill('SIGKILL');
      throw new Error(`chaosflow worker did not start:\n${worker.stderr.slice(-4000)}`);
    }
    return worker;
  };
  if (options.server) for (let i = 0; i < (options.workers ?? 1); i++) await addWorker();
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const env: GameDayEnv = {
    host,
    stack,
    address,
    namespace,
    client,
    workers,
    addWorker,
    agentAddress,
    before,
    get agent() {
      return agent;
    },
    cliFlags,
    async killAgent() {
      agent.child.kill('SIGKILL');
      await agent.done;
    },
    async restartAgent() {
      agent = await startAgent();
    },
    async stop() {
      await client.connection.close();
      await stack?.stop();
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => worker.done));
      agent.child.kill('SIGTERM');
      await agent.done;
      await host.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return env;
}
