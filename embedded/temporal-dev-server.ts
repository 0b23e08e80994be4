/**
 * The local Temporal dev server (`temporal server start-dev`) from the tools folder: the embedded default of
 * `chaosflow dev` and the server of every test that needs Temporal. Listens on 127.0.0.1 only.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { CHAOSFLOW_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './port-holder.js';

export interface TemporalDevServerOptions {
  /** Path of the `temporal` CLI binary. */
  executable: string;
  /** Folder for the log file (and the SQLite file when `persist`). */
  dataDir: string;
  /** Keep state in `<dataDir>/temporal.sqlite` so runs survive a restart. Default false (in memory). */
  persist?: boolean;
  /** gRPC port; default a free one. */
  port?: number;
  /** Web UI port; absent means no UI (`--headless`). */
  uiPort?: number;
  namespace?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  startTimeoutMs?: number;
}

export class TemporalDevServer {
  private constructor(
    readonly process: ManagedProcess,
    readonly address: string,
    readonly namespace: string,
    readonly uiUrl: string | undefined,
  ) {}

  static async start(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
    await mkdir(options.dataDir, { recursive: true });
    const port = options.port ?? (await freePort());
    // A server already there (an orphan of an earlier stack, say) would answer the readiness check below.
    const fix = 'stop that process, or choose another port';
    await assertPortFree('127.0.0.1', port, 'Temporal gRPC', fix);
    if (options.uiPort !== undefined)
      await assertPortFree('127.0.0.1', options.uiPort, 'Temporal Web UI', fix);
    const namespace = options.namespace ?? 'default';
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      // Updates (pause/resume/approval) and eager activities (latency) are on in the server we ship against.
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecution=true',
      '--dynamic-config-value',
      'system.enableActivityEagerExecution=true',
      ...CHAOSFLOW_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ];
    if (options.persist) {
      args.push(
        '--db-filename',
        join(options.dataDir, 'temporal.sqlite'),
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=OFF',
      );
    }
    if (options.uiPort !== undefined)
      args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
    else args.push('--headless');

    const proc = ManagedProcess.start({
      name: 'temporal',
      command: options.executable,
      args,
      logFile: join(options.dataDir, 'temporal.log'),
    });
    const address = `127.0.0.1:${port}`;
    const server = new TemporalDevServer(
      proc,
      address,
      namespace,
      options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    );
    try {
      await server.#waitReady(options.startTimeoutMs ?? 60_000);
    } catch (err) {
      await proc.stop(2_000);
      throw err;
    }
    return server;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.process.alive) {
        throw new Error(`the Temporal dev server exited during start-up:\n${await this.process.tail()}`);
      }
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: this.namespace });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(
      `the Temporal dev server did not answer on ${this.address} within ${timeoutMs} ms ` +
        `(${String(lastError)}):\n${await this.process.tail()}`,
    );
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
