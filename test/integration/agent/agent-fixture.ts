/**
 * A real chaosflow agent for integration tests: started in this process on a free loopback port with a temp
 * state dir (its JSON log goes to `<stateDir>/agent.log`), plus a daemon client pool pointed at it. By default
 * it serves plaintext on loopback (`--insecure-plaintext-loopback`), which most tests of faults need no more
 * than; `{ defaultTransport: true }` starts it as `chaosflow agent` starts by default (mutual TLS with the
 * certificates it generates) and dials it with its generated client certificate.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { DaemonClient } from '../../../activities/daemon/daemon-client.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import type { DaemonTransport } from '../../../activities/daemon/daemon-credentials.js';
import { Agent } from '../../../agent/agent.js';
import { parseAgentConfig, type AgentFlags } from '../../../agent/config.js';

export interface AgentFixture {
  readonly agent: Agent;
  readonly client: DaemonClient;
  readonly stateDir: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface AgentFixtureOptions {
  /** Serve the agent's default transport and dial it with the generated client certificate. */
  readonly defaultTransport?: boolean;
}

export async function startAgentFixture(
  flags: AgentFlags = {},
  stateDir?: string,
  options: AgentFixtureOptions = {},
): Promise<AgentFixture> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'chaosflow-agent-')));
  const ownTls = flags.ca !== undefined || flags.allowClient !== undefined;
  const plaintext = !options.defaultTransport && !ownTls;
  const config = parseAgentConfig(
    {
      listen: '127.0.0.1:0',
      stateDir: dir,
      logLevel: 'debug',
      ...(plaintext ? { insecurePlaintextLoopback: true } : {}),
      ...flags,
    },
    {},
  );
  const logFile = join(dir, 'agent.log');
  const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true, append: true }));
  const agent = await Agent.start(config, logger);
  const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
  const generated = agent.certificates?.client;
  const transport: DaemonTransport = generated
    ? {
        kind: 'mtls',
        tls: {
          ca: await readFile(generated.caFile),
          cert: await readFile(generated.certFile),
          key: await readFile(generated.keyFile),
        },
      }
    : { kind: 'plaintext' };
  const client = pool.get({ address: agent.address, transport });
  return {
    agent,
    client,
    stateDir: dir,
    log: () => readFile(logFile, 'utf8'),
    async stop() {
      pool.close();
      await agent.stop({ graceMs: 2_000 });
      if (!stateDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
