/**
 * A production-shaped Temporal cluster for one test file: the Temporal server built from the Go module proxy
 * (`scripts/tools/install.sh temporal-server`), one process per service (frontend, history, matching, internal
 * worker), several history shards, PostgreSQL (`postgres.ts`) as the default store and as SQL visibility, the
 * schemas created by `temporal-sql-tool` from the schemas embedded in it. Everything listens on 127.0.0.1 on
 * free ports; `stop()` leaves no process, port or folder behind.
 *
 * After start the `default` namespace exists with chaosflow's search attributes (registered as any server
 * gets them: `client/search-attribute-registration.ts`), and a canary workflow has been started, polled and
 * deleted, which proves that history owns its shards, matching serves the task queue and visibility answers.
 *
 *   const cluster = await startTemporalCluster();
 *   afterAll(() => cluster.stop());
 *   await cluster.restartService('history');
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { stringify } from 'yaml';
import { registerSearchAttributes } from '../../client/search-attribute-registration.js';
import { freePort } from '../../embedded/free-port.js';
import { ManagedProcess } from '../../embedded/managed-process.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';
import { requireTool, type ToolName } from '../../embedded/installed-tools.js';

const run = promisify(execFile);

/** What `startTemporalCluster` needs (`scripts/tools/install.sh temporal-server`), for `describeWithTools`. */
export const TEMPORAL_CLUSTER_TOOLS: readonly ToolName[] = [
  'temporal-server',
  'temporal-sql-tool',
  'initdb',
  'postgres',
];

export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface TemporalClusterOptions {
  /** Default 4. */
  historyShards?: number;
  /** Default `default`. */
  namespace?: string;
  /** Server log level; default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long the whole start may take; default 180 s (the 2-core CI machine is shared). */
  startTimeoutMs?: number;
}

export interface TemporalClusterTimings {
  initdbMs: number;
  postgresMs: number;
  schemaMs: number;
  /** From spawning the four services to the canary workflow polled. */
  servicesMs: number;
  totalMs: number;
}

export interface TemporalCluster {
  /** Frontend gRPC, `127.0.0.1:<port>`. */
  readonly address: string;
  readonly namespace: string;
  readonly historyShards: number;
  readonly dir: string;
  readonly postgres: TestPostgres;
  readonly timings: TemporalClusterTimings;
  /** The running process of a service (replaced by `restartService`). */
  service(name: TemporalService): ManagedProcess;
  /** Every port this cluster listens on (PostgreSQL's included). */
  readonly ports: readonly number[];
  /** Stops a service (SIGTERM, or SIGKILL when `kill`) and starts it again with the same configuration. */
  restartService(name: TemporalService, how?: { kill?: boolean }): Promise<void>;
  /** Bytes on disk: PostgreSQL's data folder and the logs. */
  diskUsage(): Promise<{ postgresBytes: number; logBytes: number }>;
  /** Resident memory of each service process, bytes (Linux `/proc/<pid>/status`; 0 where unreadable). */
  memoryUsage(): Promise<Record<TemporalService, number>>;
  /** Stops the services and PostgreSQL and removes the folder. */
  stop(): Promise<void>;
}

interface ServicePorts {
  grpc: number;
  membership: number;
}

export async function startTemporalCluster(options: TemporalClusterOptions = {}): Promise<TemporalCluster> {
  const server = requireTool('temporal-server');
  const sqlTool = requireTool('temporal-sql-tool');
  const historyShards = options.historyShards ?? 4;
  const namespace = options.namespace ?? 'default';
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-temporal-cluster-'));
  const services = new Map<TemporalService, ManagedProcess>();
  let postgres: TestPostgres | undefined;
  const stopAll = async (): Promise<void> => {
    // Clients first (frontend), the shard owner last, then the database.
    for (const name of ['frontend', 'worker', 'matching', 'history'] as const) {
      await services.get(name)?.stop(15_000);
    }
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pgStarted = Date.now();
    postgres = await startTestPostgres({ dir });
    const postgresMs = Date.now() - pgStarted;

    const schemaStarted = Date.now();
    const pg = postgres;
    const sql = async (database: string, args: string[]): Promise<void> => {
      const argv = [
        '--plugin',
        'postgres12',
        '--endpoint',
        pg.host,
        '--port',
        String(pg.port),
        '--user',
        pg.user,
        '--database',
        database,
        ...args,
      ];
      try {
        // The password through the environment, not argv (visible in ps).
        await run(sqlTool, argv, { env: { ...process.env, SQL_PASSWORD: pg.password } });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`temporal-sql-tool ${argv.join(' ')} failed: ${e.stderr || e.message}`);
      }
    };
    for (const [database, schema] of [
      ['temporal', 'postgresql/v12/temporal'],
      ['temporal_visibility', 'postgresql/v12/visibility'],
    ] as const) {
      await sql(database, ['create-database']);
      await sql(database, ['setup-schema', '--version', '0.0']);
      await sql(database, ['update-schema', '--schema-name', schema]);
    }
    const schemaMs = Date.now() - schemaStarted;

    const ports = {} as Record<TemporalService, ServicePorts>;
    for (const name of TEMPORAL_SERVICES)
      ports[name] = { grpc: await freeServicePort(), membership: await freeServicePort() };
    const httpPort = await freePort();
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    const configFile = join(dir, 'temporal.yaml');
    const dynamicConfigFile = join(dir, 'dynamicconfig.yaml');
    await writeFile(dynamicConfigFile, stringify(dynamicConfig()));
    await writeFile(
      configFile,
      stringify(
        serverConfig({
          postgres: pg,
          historyShards,
          ports,
          httpPort,
          logLevel: options.logLevel ?? 'warn',
          dynamicConfigFile,
        }),
      ),
    );
    const startService = (name: TemporalService): ManagedProcess => {
      const proc = ManagedProcess.start({
        name: `temporal-${name}`,
        command: server,
        args: ['--config-file', configFile, '--allow-no-auth', 'start', '--service', name],
        logFile: join(dir, `${name}.log`),
        cwd: dir,
      });
      services.set(name, proc);
      return proc;
    };

    const servicesStarted = Date.now();
    const all = () => [...services.values()];
    // The first service to start writes the cluster metadata; services started together race for that insert
    // and the losers exit ("Failed to apply cluster metadata"). So the frontend first, then the other three.
    startService('frontend');
    await waitFor(deadline, all, 'the frontend to listen', () => listening(ports.frontend.grpc));
    for (const name of TEMPORAL_SERVICES) if (name !== 'frontend') startService(name);
    await waitFor(deadline, all, 'the frontend to answer', async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.close();
    });
    const connection = await Connection.connect({ address });
    try {
      await waitFor(deadline, all, `namespace ${namespace}`, async () => {
        await ensureNamespace(connection, namespace);
      });
      // Retried: the operator service reads the namespace from a registry refreshed every 2 s.
      await waitFor(deadline, all, "chaosflow's search attributes", () =>
        registerSearchAttributes(connection, namespace),
      );
      for (const name of TEMPORAL_SERVICES) {
        await waitFor(deadline, all, `${name} to listen`, () => listening(ports[name].grpc));
      }
      await waitFor(deadline, all, 'a canary workflow to be started and polled', () =>
        canary(connection, namespace),
      );
    } finally {
      await connection.close();
    }
    const servicesMs = Date.now() - servicesStarted;

    const cluster: TemporalCluster = {
      address,
      namespace,
      historyShards,
      dir,
      postgres: pg,
      timings: {
        initdbMs: pg.initdbMs,
        postgresMs,
        schemaMs,
        servicesMs,
        totalMs: Date.now() - started,
      },
      ports: [
        pg.port,
        httpPort,
        ...TEMPORAL_SERVICES.flatMap((name) => [ports[name].grpc, ports[name].membership]),
      ],
      service(name) {
        return services.get(name)!;
      },
      async restartService(name, how = {}) {
        const proc = services.get(name)!;
        if (how.kill) {
          proc.kill('SIGKILL');
          await proc.stop(0);
        } else {
          await proc.stop(15_000);
        }
        startService(name);
        const restartDeadline = Date.now() + 120_000;
        await waitFor(restartDeadline, all, `${name} to listen again`, () => listening(ports[name].grpc));
      },
      async diskUsage() {
        const logs = await Promise.all(TEMPORAL_SERVICES.map((name) => fileSize(join(dir, `${name}.log`))));
        return {
          postgresBytes: await folderSize(pg.dataDir),
          logBytes: logs.reduce((a, b) => a + b, 0) + (await fileSize(join(dir, 'postgres.log'))),
        };
      },
      async memoryUsage() {
        const entries = await Promise.all(
          TEMPORAL_SERVICES.map(
            async (name) => [name, await residentBytes(services.get(name)!.pid)] as const,
          ),
        );
        return Object.fromEntries(entries) as Record<TemporalService, number>;
      },
      stop: once(stopAll),
    };
    return cluster;
  } catch (err) {
    const logs = await Promise.all(
      [...services].map(async ([name, proc]) => `--- ${name}:\n${await proc.tail(15)}`),
    );
    await stopAll();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
}

/** The server configuration: the shape of upstream's `config/development-postgres12.yaml`, on our ports. */
function serverConfig(input: {
  postgres: TestPostgres;
  historyShards: number;
  ports: Record<TemporalService, ServicePorts>;
  httpPort: number;
  logLevel: string;
  dynamicConfigFile: string;
}): unknown {
  const { postgres, ports } = input;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const frontend = `127.0.0.1:${ports.frontend.grpc}`;
  return {
    log: { stdout: true, level: input.logLevel, format: 'json' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: input.historyShards,
      datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(
      Object.entries(ports).map(([name, p]) => [
        name,
        {
          rpc: {
            grpcPort: p.grpc,
            membershipPort: p.membership,
            bindOnIP: '127.0.0.1',
            ...(name === 'frontend' ? { httpPort: input.httpPort } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `127.0.0.1:${input.httpPort}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic configuration: what the dev server chaosflow ships against turns on (updates, eager activities are
 * on by default in this release), nothing that changes semantics.
 */
function dynamicConfig(): Record<string, { value: unknown }[]> {
  return {
    'frontend.enableUpdateWorkflowExecution': [{ value: true }],
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted': [{ value: true }],
    'system.enableActivityEagerExecution': [{ value: true }],
    'limit.maxIDLength': [{ value: 1000 }],
  };
}

async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (err) {
    if ((err as { code?: number }).code !== 5) throw err; // NOT_FOUND: register it
  }
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  await connection.workflowService.describeNamespace({ namespace });
}

/** Starts a workflow on a queue of its own, polls its first task, then terminates and deletes it. */
async function canary(connection: Connection, namespace: string): Promise<void> {
  const taskQueue = `chaosflow-cluster-canary-${randomUUID()}`;
  const workflowId = `chaosflow-cluster-canary-${randomUUID()}`;
  const service = connection.workflowService;
  await service.startWorkflowExecution({
    namespace,
    workflowId,
    workflowType: { name: 'canary' },
    taskQueue: { name: taskQueue },
    requestId: randomUUID(),
  });
  try {
    const task = await connection.withDeadline(Date.now() + 10_000, () =>
      service.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'canary' }),
    );
    if (!task.taskToken?.length) throw new Error('the canary task was not delivered');
  } finally {
    await service
      .terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason: 'canary' })
      .catch(() => undefined);
    await service
      .deleteWorkflowExecution({ namespace, workflowExecution: { workflowId } })
      .catch(() => undefined);
  }
}

/** Retries `attempt` until it resolves; fails at once with the logs when a service exits. */
async function waitFor(
  deadline: number,
  processes: () => ManagedProcess[],
  what: string,
  attempt: () => Promise<unknown>,
): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    const dead = processes().find((proc) => !proc.alive);
    if (dead) throw new Error(`${dead.options.name} exited while waiting for ${what}`);
    try {
      await attempt();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`timed out waiting for ${what}: ${String(lastError)}`);
}

/**
 * A free port for a service: the SQL schema stores each member's gRPC port as SMALLINT (`cluster_membership`), so
 * it must be below 32768, where the kernel's ephemeral range (`freePort`'s) starts. Random ports of 20000-32767.
 */
async function freeServicePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768 for a Temporal service');
}

async function listening(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve()));
    socket.once('error', reject);
  });
}

async function residentBytes(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

async function fileSize(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

async function folderSize(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += await fileSize(join(entry.parentPath, entry.name));
  }
  return total;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
