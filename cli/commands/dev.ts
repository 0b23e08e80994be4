/**
 * `chaosflow dev`: the embedded default on this machine — a Temporal dev server with its Web UI (runs kept in a
 * SQLite file across restarts), the chaosflow agent (as root) and a worker reading the host inventory, each its
 * own supervised process (embedded/supervised-stack.ts). Prints where everything is, with pids, once every part
 * answers; restarts a part that dies; Ctrl-C stops all of it and the agent undoes every fault on its way out.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { toolPath } from '../../embedded/installed-tools.js';
import { dataDir } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { firstStopSignal } from '../stop-signal.js';

interface DevOptions {
  dataDir?: string;
  port: string;
  uiPort?: string;
  agent: boolean;
  agentListen: string;
  inventory?: string;
  runAs?: string;
  prometheusUrl?: string;
  metricsAddress?: string;
  agentMetricsAddress?: string;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('dev')
    .description('run the embedded stack: Temporal dev server + Web UI, chaosflow agent and worker')
    .option('--data-dir <dir>', 'where runs, logs, the agent journal and the inventory live')
    .option('--port <port>', 'Temporal gRPC port', '7233')
    .option('--ui-port <port>', 'Temporal Web UI port (default: port + 1000)')
    .option('--no-agent', 'do not start the agent (no fault injection into host processes)')
    .option('--agent-listen <host:port>', 'agent gRPC address', '127.0.0.1:31767')
    .option('--inventory <file>', 'host inventory (default <data-dir>/inventory.yaml, created if missing)')
    .option('--run-as <user>', 'user Tasks and Command probes run as (default nobody when root)')
    .option(
      '--prometheus-url <url>',
      'the Prometheus of Prometheus probes and stop conditions without an endpoint',
    )
    .option(
      '--metrics-address <host:port>',
      "the worker's Prometheus /metrics, with the Temporal SDK's (default off)",
    )
    .option('--agent-metrics-address <host:port>', "the agent's Prometheus /metrics (default off)")
    .option('--log-level <level>', 'log level of the worker and agent (stderr, JSON)', 'warn')
    .action(async (options: DevOptions) => {
      const [{ SupervisedStack }, { existsSync }] = await Promise.all([
        import('../../embedded/supervised-stack.js'),
        import('node:fs'),
      ]);
      const temporal = toolPath('temporal');
      if (!existsSync(temporal)) {
        throw new CliError(
          `the Temporal CLI is not installed at ${temporal}; run \`npm run tools\` (scripts/tools/install.sh)`,
          EXIT.unavailable,
        );
      }
      const root = process.getuid?.() === 0;
      if (options.agent && !root)
        process.stderr.write(
          'chaosflow dev: not root, so no agent: faults cannot be injected into host processes\n',
        );
      const port = Number(options.port);
      const stack = await SupervisedStack.start({
        temporalExecutable: temporal,
        dataDir: options.dataDir ?? join(dataDir(), 'dev'),
        port,
        uiPort: options.uiPort ? Number(options.uiPort) : port + 1000,
        agentListen: options.agent && root ? options.agentListen : false,
        ...(options.inventory ? { inventoryFile: options.inventory } : {}),
        ...(options.runAs ? { runAs: options.runAs } : {}),
        ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
        ...(options.metricsAddress ? { metricsAddress: options.metricsAddress } : {}),
        ...(options.agentMetricsAddress ? { agentMetricsAddress: options.agentMetricsAddress } : {}),
        logLevel: options.logLevel,
        onEvent: (line) => process.stderr.write(`chaosflow dev: ${line}\n`),
      }).catch((err: unknown) => {
        throw new CliError(`the embedded stack could not start: ${errorMessage(err)}`, EXIT.unavailable);
      });
      const pid = (part: 'temporal' | 'agent' | 'worker') => `pid ${stack.pid(part) ?? '?'}`;
      process.stdout.write(
        [
          `chaosflow dev is running (Ctrl-C to stop)`,
          `  Temporal   ${stack.temporalAddress} (namespace ${stack.namespace}, ${pid('temporal')})`,
          `  Web UI     ${stack.uiUrl ?? 'off'}`,
          `  agent      ${stack.agentAddress ? `${stack.agentAddress} (${pid('agent')})` : 'off'}`,
          `  worker     ${pid('worker')} (kill it to try a worker crash: dev starts another, the run recovers)`,
          `  inventory  ${stack.inventoryFile}`,
          `  logs       ${dirname(stack.logFile('worker'))}`,
          `  metrics    ${options.metricsAddress ? `http://${options.metricsAddress}/metrics` : 'off'}`,
          `  next       add your processes to the inventory, then: chaosflow run examples/serial.yaml`,
          '',
        ].join('\n'),
      );
      const signal = await Promise.race([
        firstStopSignal(),
        stack.failed.then(
          () => 'SIGTERM' as const,
          (err: unknown) => {
            process.stderr.write(`chaosflow dev: ${errorMessage(err)}\n`);
            process.exitCode = EXIT.unavailable;
            return 'SIGTERM' as const;
          },
        ),
      ]);
      process.stderr.write(`chaosflow dev: ${signal}, stopping\n`);
      await stack.stop();
      process.exitCode ??= signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
    });
}
