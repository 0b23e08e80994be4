/**
 * Everything an end-to-end game day needs on this machine: the demo service in a network namespace at
 * 10.200.0.2 (the address `examples/game-day.yaml` probes), the embedded Temporal dev server and worker, and the
 * chaosflow agent as its own process (so a test can kill and restart it), with a host inventory naming the
 * service as pod default/demo-0 (label app=demo).
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
import { requireTool } from '../harness/tools.js';

export interface GameDayEnv {
  host: NetnsHost;
  stack: DevStack;
  client: Client;
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

export async function startGameDayEnv(options: { prometheusUrl?: string } = {}): Promise<GameDayEnv> {
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
  const stack = await startDevStack({
    temporalExecutable: requireTool('temporal'),
    dataDir: join(dir, 'stack'),
    port: 0,
    uiPort: false,
    agentListen: false,
    inventoryFile,
    ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
    logger: pino({ level: 'warn' }),
  });
  const client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  const env: GameDayEnv = {
    host,
    stack,
    client,
    agentAddress,
    before,
    get agent() {
      return agent;
    },
    cliFlags: ['--address', stack.temporal.address],
    async killAgent() {
      agent.child.kill('SIGKILL');
      await agent.done;
    },
    async restartAgent() {
      agent = await startAgent();
    },
    async stop() {
      await client.connection.close();
      await stack.stop();
      agent.child.kill('SIGTERM');
      await agent.done;
      await host.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return env;
}
