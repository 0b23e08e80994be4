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
  /**
   * The server's dynamic config (`--dynamic-config-value KEY=VALUE`). Default `EMBEDDED_DYNAMIC_CONFIG`; the
   * latency benchmark passes others to show what each setting is for.
   */
  dynamicConfig?: Readonly<Record<string, DynamicConfigValue>>;
}

/** A dynamic config value as the CLI takes it: JSON (durations are strings such as `"1ms"`). */
export type DynamicConfigValue = boolean | number | string;

/**
 * What the embedded server changes from `temporal server start-dev`'s defaults. The dev server has one history
 * shard, so limits that a cluster spreads over hundreds of shards apply to every workflow at once here; the
 * figures are from `scripts/bench/dev-server-latency.ts`.
 */
export const EMBEDDED_DYNAMIC_CONFIG = {
  // Updates (pause/resume/approval) are on in the server we ship against.
  'frontend.enableUpdateWorkflowExecution': true,
  // Eager activities: the first activity of a workflow task comes back in the task's response instead of
  // through matching (off up to server 1.31).
  'system.enableActivityEagerExecution': true,
  // Each transfer task (an activity or workflow task to dispatch) is loaded by a poll of the shard's transfer
  // queue, at most 20 polls a second per shard by default, through a token bucket that refills while idle. With
  // one shard and one task per poll, a workflow's activity round trips took ~11 ms for the first ~25 after an
  // idle spell and then exactly 50 ms each. A cluster spreads workflows over many shards, each with its own
  // limit, and under load one poll loads many tasks. What 1000 trades: more reads of the SQLite store when tasks
  // arrive one by one (one poll each instead of one per 50 ms).
  'history.transferProcessorMaxPollRPS': 1000,
  // The same limit on the timer queue, which fires user timers (deadlines, Suspend, probe intervals) and also
  // every activity's timeout timers: beside a chain of activities a sub-second timer fired up to ~280 ms late
  // even with the shift below lifted. Trade as above.
  'history.timerProcessorMaxPollRPS': 1000,
  // The timer queue's reader reads ahead to now + this shift (default 1 s), and a new timer is never placed
  // behind what it has read: a timer is due no earlier than now + the shift, so every timer under a second
  // (a 1 ms deadline) fired only after about 1 s. The shift lets the reader advance in steps, with fewer reads
  // of the store; 1 ms (the queue's precision) makes it read more often. A production cluster keeps its default
  // and needs no change for timers of a second or more; there, deadlines under a second end after about 1 s.
  'history.timerProcessorMaxTimeShift': '1ms',
} as const satisfies Record<string, DynamicConfigValue>;

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
      ...Object.entries(options.dynamicConfig ?? EMBEDDED_DYNAMIC_CONFIG).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
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
