/**
 * `chaosflow dev`'s stack as supervised processes. The Temporal dev server, the chaosflow agent (as root) and the
 * worker each run as a child of `chaosflow dev`, so that each can fail alone, as they do in production: a user
 * can `kill -9` the worker in the middle of a held fault and watch the run recover on its replacement, which is
 * the case the recovery layers are built for.
 *
 * - Every part is started through embedded/managed-process.ts: an argv array, a log file under `<dataDir>/logs`
 *   (the Temporal server's under `<dataDir>/temporal`), and the kernel's parent-death signal (SIGTERM; SIGKILL
 *   for the worker), so no part outlives `chaosflow dev`, even when it is SIGKILLed.
 * - A fixed port that is already taken stops start-up with the process that holds it (embedded/port-holder.ts).
 * - The stack counts as started only when every part answers: the Temporal frontend describes its namespace,
 *   the agent accepts connections, the worker polls its task queue.
 * - A part that exits on its own is restarted after `restartDelayMs` (the worker resumes the runs, the agent
 *   reloads its journal, the dev server keeps runs in its SQLite file); five exits in a minute end the stack.
 * - The agent runs with `--recover-on-exit`: it undoes every fault before it exits when `chaosflow dev` stops
 *   or dies (test/e2e/dev-supervision.test.ts SIGKILLs dev during a held partition).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { agentClientTls, defaultInventory } from './dev-stack.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortFree } from './port-holder.js';
import { TemporalDevServer } from './temporal-dev-server.js';

export type PartName = 'temporal' | 'agent' | 'worker' | 'controller';

export interface SupervisedStackOptions {
  temporalExecutable: string;
  dataDir: string;
  /** Temporal gRPC port. */
  port: number;
  /** Web UI port; `false` for none. */
  uiPort: number | false;
  /** Agent gRPC address; `false` for no agent. */
  agentListen: string | false;
  inventoryFile?: string;
  /**
   * Kubernetes mode: the worker's targets are this cluster's pods and its daemons the agent pods (reached with
   * the agent's client certificate), and a controller part runs the cluster's chaosflow objects. No inventory.
   */
  kubeconfigFile?: string;
  taskQueue?: string;
  runAs?: string;
  prometheusUrl?: string;
  /** The worker's `/metrics` (with the Temporal SDK's). */
  metricsAddress?: string;
  /** The agent's `/metrics`. */
  agentMetricsAddress?: string;
  logLevel: string;
  /** argv prefix that runs the chaosflow CLI; default: this process's own (node, its flags, its script). */
  cli?: readonly string[];
  /** What the supervisor has to say (a part exited, restarting it), one line each. */
  onEvent: (line: string) => void;
  /** Default 1000 ms. */
  restartDelayMs?: number;
  /** Exits of one part within a minute that end the stack; default 5. */
  crashesTolerated?: number;
}

const CRASH_WINDOW_MS = 60_000;
const CRASHES_TOLERATED = 5;

function ownCli(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1] ?? ''];
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at) || '127.0.0.1', port: Number(address.slice(at + 1)) };
}

/** Polls `ready` until it holds; kills the part and throws (with its log) when it exits or times out. */
async function waitUntil(
  what: string,
  part: ManagedProcess,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!part.alive) throw new Error(`${what} exited during start-up:\n${await part.tail()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await part.stop(2_000);
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s:\n${await part.tail()}`);
}

function accepts(address: string): Promise<boolean> {
  const { host, port } = hostPort(address);
  return new Promise((resolve) => {
    const socket = connect(port, host, () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export class SupervisedStack {
  #temporal: TemporalDevServer | undefined;
  readonly #parts = new Map<PartName, ManagedProcess>();
  readonly #crashes = new Map<PartName, number[]>();
  readonly #restarts = new Map<PartName, number>();
  #connection: Connection | undefined;
  #stopping = false;
  #giveUp: (err: Error) => void = () => undefined;
  /** Rejects when supervision gives up (a part keeps exiting); never resolves. */
  readonly failed: Promise<never>;
  inventoryFile = '';

  private constructor(readonly options: SupervisedStackOptions) {
    this.failed = new Promise<never>((_, reject) => (this.#giveUp = reject));
    this.failed.catch(() => undefined);
  }

  static async start(options: SupervisedStackOptions): Promise<SupervisedStack> {
    const stack = new SupervisedStack(options);
    try {
      await stack.#start();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  get temporalAddress(): string {
    return this.#temporal?.address ?? '';
  }

  get namespace(): string {
    return this.#temporal?.namespace ?? 'default';
  }

  get uiUrl(): string | undefined {
    return this.#temporal?.uiUrl;
  }

  get agentAddress(): string | undefined {
    return this.options.agentListen || undefined;
  }

  /** The pid of a running part. */
  pid(part: PartName): number | undefined {
    return part === 'temporal' ? this.#temporal?.process.pid : this.#parts.get(part)?.pid;
  }

  /** Where a part logs. */
  logFile(part: PartName): string {
    return part === 'temporal'
      ? join(this.options.dataDir, 'temporal', 'temporal.log')
      : join(this.options.dataDir, 'logs', `${part}.log`);
  }

  /** How often a part has been restarted. */
  restarts(part: PartName): number {
    return this.#restarts.get(part) ?? 0;
  }

  async #start(): Promise<void> {
    const { options } = this;
    await mkdir(join(options.dataDir, 'logs'), { recursive: true });
    const fixed: [string, string, string][] = [];
    if (options.agentListen) fixed.push([options.agentListen, 'chaosflow agent', '--agent-listen']);
    if (options.metricsAddress) fixed.push([options.metricsAddress, 'worker metrics', '--metrics-address']);
    if (options.agentMetricsAddress)
      fixed.push([options.agentMetricsAddress, 'agent metrics', '--agent-metrics-address']);
    for (const [address, what, flag] of fixed) {
      const { host, port } = hostPort(address);
      await assertPortFree(host, port, what, `stop that process, or choose another ${flag}`);
    }
    await this.#startTemporal();
    if (options.agentListen) await this.#startAgent();
    if (!options.kubeconfigFile) {
      this.inventoryFile = options.inventoryFile ?? join(options.dataDir, 'inventory.yaml');
      if (!existsSync(this.inventoryFile)) {
        const tls = options.agentListen ? agentClientTls(options.dataDir) : undefined;
        await writeFile(this.inventoryFile, defaultInventory(this.agentAddress, tls));
      }
    }
    await this.#startWorker();
    if (options.kubeconfigFile) await this.#startController(options.kubeconfigFile);
  }

  async #startTemporal(): Promise<void> {
    const { options } = this;
    this.#temporal = await TemporalDevServer.start({
      executable: options.temporalExecutable,
      dataDir: join(options.dataDir, 'temporal'),
      persist: true,
      port: options.port,
      ...(options.uiPort === false ? {} : { uiPort: options.uiPort }),
    }).catch((err: unknown) => {
      throw new Error(`the Temporal dev server could not start: ${errorMessage(err)}`);
    });
    this.#supervise('temporal', this.#temporal.process);
    await this.#connection?.close().catch(() => undefined);
    this.#connection = await Connection.connect({ address: this.#temporal.address });
  }

  #spawnCli(part: Exclude<PartName, 'temporal'>, args: readonly string[]): ManagedProcess {
    const [command, ...prefix] = this.options.cli ?? ownCli();
    return ManagedProcess.start({
      name: part,
      command: command ?? process.execPath,
      args: [...prefix, ...args],
      logFile: this.logFile(part),
      // When `chaosflow dev` dies the agent gets SIGTERM (it undoes every fault, then exits); the worker and
      // the controller are killed outright: a graceful shutdown would wait on a Temporal server that is going
      // away too, and either may be killed at any moment by design.
      parentDeathSignal: part === 'agent' ? 'SIGTERM' : 'SIGKILL',
    });
  }

  async #startAgent(): Promise<void> {
    const { options } = this;
    const listen = options.agentListen as string;
    const agent = this.#spawnCli('agent', [
      'agent',
      '--listen',
      listen,
      '--state-dir',
      join(options.dataDir, 'agent'),
      '--log-level',
      options.logLevel,
      '--recover-on-exit',
      ...(options.agentMetricsAddress ? ['--metrics-address', options.agentMetricsAddress] : []),
    ]);
    this.#parts.set('agent', agent);
    await waitUntil(`the agent (pid ${agent.pid})`, agent, 30_000, () => accepts(listen));
    this.#supervise('agent', agent);
  }

  async #startWorker(): Promise<void> {
    const { options } = this;
    const taskQueue = options.taskQueue ?? 'chaosflow';
    const worker = this.#spawnCli('worker', [
      'worker',
      '--address',
      this.temporalAddress,
      '--namespace',
      this.namespace,
      '--task-queue',
      taskQueue,
      ...(options.kubeconfigFile
        ? [
            '--kubeconfig',
            options.kubeconfigFile,
            '--daemon-tls-dir',
            dirname(agentClientTls(options.dataDir).caFile),
          ]
        : ['--inventory', this.inventoryFile]),
      '--no-register-search-attributes',
      '--shutdown-grace',
      '10000',
      '--log-level',
      options.logLevel,
      ...(options.runAs ? ['--run-as', options.runAs] : []),
      ...(options.prometheusUrl ? ['--prometheus-url', options.prometheusUrl] : []),
      ...(options.metricsAddress ? ['--metrics-address', options.metricsAddress] : []),
    ]);
    this.#parts.set('worker', worker);
    // Ready when it polls: its default identity is `<pid>@<host>`.
    await waitUntil(`the worker (pid ${worker.pid})`, worker, 60_000, async () => {
      const described = await this.#connection?.workflowService.describeTaskQueue({
        namespace: this.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      return (described?.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.pid}@`));
    });
    this.#supervise('worker', worker);
  }

  async #startController(kubeconfigFile: string): Promise<void> {
    const { options } = this;
    const controller = this.#spawnCli('controller', [
      'controller',
      '--kubeconfig',
      kubeconfigFile,
      '--address',
      this.temporalAddress,
      '--namespace',
      this.namespace,
      '--task-queue',
      options.taskQueue ?? 'chaosflow',
      '--lease-namespace',
      'kube-system',
      '--log-level',
      options.logLevel,
      ...(this.uiUrl ? ['--ui-url', this.uiUrl] : []),
    ]);
    this.#parts.set('controller', controller);
    // It has no port of its own; started is alive a moment after start-up (a bad kubeconfig exits at once).
    await waitUntil(`the controller (pid ${controller.pid})`, controller, 30_000, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return controller.alive;
    });
    this.#supervise('controller', controller);
  }

  #supervise(part: PartName, proc: ManagedProcess): void {
    void proc.exited.then((code) =>
      this.#onExit(
        part,
        `the ${part} (pid ${proc.pid})`,
        code === null ? 'was killed by a signal' : `exited with code ${code}`,
        proc.options.logFile,
      ),
    );
  }

  /** Counts the exit, then restarts the part after the delay, or gives up after too many exits. */
  async #onExit(part: PartName, who: string, how: string, logFile: string): Promise<void> {
    if (this.#stopping) return;
    const now = Date.now();
    const recent = [...(this.#crashes.get(part) ?? []), now].filter((t) => now - t < CRASH_WINDOW_MS);
    this.#crashes.set(part, recent);
    if (recent.length >= (this.options.crashesTolerated ?? CRASHES_TOLERATED)) {
      this.#giveUp(
        new Error(
          `${who} ${how}, its ${recent.length}th exit within a minute; giving up (its log: ${logFile})`,
        ),
      );
      return;
    }
    const delay = this.options.restartDelayMs ?? 1_000;
    this.options.onEvent(`${who} ${how}; restarting it in ${delay / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.#stopping) return;
    try {
      if (part === 'temporal') await this.#startTemporal();
      else if (part === 'agent') await this.#startAgent();
      else if (part === 'worker') await this.#startWorker();
      else await this.#startController(this.options.kubeconfigFile ?? '');
    } catch (err) {
      await this.#onExit(part, `the ${part}`, `could not be restarted (${errorMessage(err)})`, logFile);
      return;
    }
    this.#restarts.set(part, this.restarts(part) + 1);
    this.options.onEvent(`the ${part} is running again (pid ${this.pid(part)})`);
  }

  /**
   * The controller first (it starts nothing more), the worker (its activities finish), then the agent (it undoes
   * every fault), then the dev server.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#parts.get('controller')?.stop(10_000);
    await this.#parts.get('worker')?.stop(20_000);
    await this.#parts.get('agent')?.stop(30_000);
    await this.#connection?.close().catch(() => undefined);
    await this.#temporal?.stop();
  }
}
