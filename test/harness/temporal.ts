/**
 * A Temporal dev server for one test file: `embedded/temporal-dev-server.ts` on a free 127.0.0.1 port (headless
 * unless a UI port is given), with chaosflow's search attributes registered, plus a client and a worker
 * connection to it.
 *
 *   const temporal = await startTestTemporal();
 *   afterAll(() => temporal.stop());
 *   await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, ... });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { TemporalDevServer, type TemporalDevServerOptions } from '../../embedded/temporal-dev-server.js';
import { requireTool } from '../../embedded/installed-tools.js';

export interface TestTemporalOptions {
  /**
   * Folder for the server's log and SQLite file. Default: a new temp dir, removed by `stop()`. A folder passed
   * here is left in place, so a second server can be started on it (with `persist`).
   */
  dataDir?: string;
  /** Keep state in `<dataDir>/temporal.sqlite` (survives a restart on the same `dataDir`). Default false. */
  persist?: boolean;
  /** Default `default`. */
  namespace?: string;
  /** Default 60 s. */
  startTimeoutMs?: number;
  /** Serve the Temporal Web UI on this port (`server.uiUrl`); default none (headless). */
  uiPort?: number;
  /**
   * Log level of the Temporal worker runtime of this test process (it is process-wide: only applied when no
   * runtime has been installed yet). Default `WARN`, so worker state changes do not drown test output.
   */
  workerLogLevel?: LogLevel;
  /** The server's dynamic config; default the embedded one (`EMBEDDED_DYNAMIC_CONFIG`). */
  dynamicConfig?: TemporalDevServerOptions['dynamicConfig'];
}

export interface TestTemporal {
  readonly server: TemporalDevServer;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly namespace: string;
  readonly dataDir: string;
  readonly connection: Connection;
  readonly client: Client;
  /** For `Worker.create({ connection })`. */
  readonly nativeConnection: NativeConnection;
  /** How long the server took to answer, in ms. */
  readonly startupMs: number;
  /** Closes the connections, stops the server and removes the data dir if this harness created it. */
  stop(): Promise<void>;
}

export async function startTestTemporal(options: TestTemporalOptions = {}): Promise<TestTemporal> {
  const executable = requireTool('temporal');
  if (Runtime._instance === undefined) {
    Runtime.install({ logger: new DefaultLogger(options.workerLogLevel ?? 'WARN') });
  }
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'chaosflow-temporal-')));
  const started = Date.now();
  let server: TemporalDevServer;
  try {
    server = await TemporalDevServer.start({
      executable,
      dataDir,
      persist: options.persist ?? false,
      namespace: options.namespace,
      startTimeoutMs: options.startTimeoutMs,
      ...(options.uiPort === undefined ? {} : { uiPort: options.uiPort }),
      ...(options.dynamicConfig === undefined ? {} : { dynamicConfig: options.dynamicConfig }),
    });
  } catch (err) {
    if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const startupMs = Date.now() - started;
  const { address, namespace } = server;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  try {
    connection = await Connection.connect({ address });
    nativeConnection = await NativeConnection.connect({ address });
  } catch (err) {
    await server.stop();
    if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const client = new Client({ connection, namespace });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.allSettled([nativeConnection.close(), connection.close()]);
      await server.stop();
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    })());

  return { server, address, namespace, dataDir, connection, client, nativeConnection, startupMs, stop };
}

/** The connections of a `TestTemporal`, to a server something else runs (the Temporal cluster of the tests). */
export type TemporalConnections = Pick<
  TestTemporal,
  'address' | 'namespace' | 'connection' | 'client' | 'nativeConnection' | 'stop'
>;

/** Connects to a running Temporal; `stop()` closes the connections and leaves the server running. */
export async function connectTestTemporal(address: string, namespace: string): Promise<TemporalConnections> {
  if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const client = new Client({ connection, namespace });
  const stop = async (): Promise<void> => {
    await Promise.allSettled([nativeConnection.close(), connection.close()]);
  };
  return { address, namespace, connection, client, nativeConnection, stop };
}
