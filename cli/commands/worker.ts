/**
 * `chaosflow worker`: the Temporal worker that runs experiments (the interpreter workflows and the activities
 * that inject, probe and recover). Settings and their environment variables are documented in
 * `worker/config.ts`. Stops cleanly on SIGINT/SIGTERM, letting running inject/recover calls finish. With
 * `--cluster NAME` it is the worker of one cluster among many: activities only, on that cluster's task queue.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import type { WorkerFlags } from '../../worker/config.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('worker')
      .description('run the chaosflow Temporal worker (interpreter workflows and fault activities)')
      .option(
        '--cluster <name>',
        "serve one cluster of many: run only the activities of chaos nodes with remoteCluster: NAME, on that cluster's queue",
      )
      .option('--inventory <file>', 'host inventory: the processes chaos may target and their agents')
      .option(
        '--kubeconfig <file>',
        "Kubernetes mode: the cluster's pods are the targets (in a pod: its service account)",
      )
      .option(
        '--daemon-tls-dir <dir>',
        'Kubernetes mode: ca.crt, tls.crt and tls.key for mutual TLS to the daemons',
      )
      .option(
        '--daemon-selector <selector...>',
        "Kubernetes mode: label selectors of daemon pods (default: Chaos Mesh's chaos-daemon and chaosflow's agent)",
      )
      .option(
        '--namespace-filter',
        'Kubernetes mode: only namespaces annotated chaos-mesh.org/inject=enabled',
      )
      .option('--pause-image <image>', 'Kubernetes mode: the image pod-failure switches containers to')
      .option('--dns-server <address>', "Chaos Mesh's DNS server, for DNSChaos")
      .option(
        '--prometheus-url <url>',
        'the Prometheus of Prometheus probes and stop conditions without an endpoint',
      )
      .option('--daemon-timeout <ms>', 'deadline of each daemon call')
      .option('--shutdown-grace <ms>', 'time running activities get on shutdown')
      .option('--janitor-interval <ms>', 'how often to look for terminated runs to recover (0: never)')
      .option('--log-level <level>', 'pino level (default info)')
      .option('--run-as <user>', 'user host-mode Tasks and Command probes run as (default nobody when root)')
      .option('--metrics-address <host:port>', 'serve Prometheus /metrics there (default off)')
      .option('--no-register-search-attributes', "do not register chaosflow's search attributes at start"),
  ).action(async (flags: WorkerFlags) => {
    const [{ parseWorkerConfig, WorkerConfigError }, { startWorker }, { buildActivityDeps }, { pino }] =
      await Promise.all([
        import('../../worker/config.js'),
        import('../../worker/run-worker.js'),
        import('../../worker/activity-deps.js'),
        import('pino'),
      ]);
    let config;
    try {
      config = parseWorkerConfig(flags, process.env);
    } catch (err) {
      if (err instanceof WorkerConfigError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    const logger = pino(
      { level: config.logLevel, base: { component: 'chaosflow-worker' } },
      pino.destination(2),
    );
    const worker = await startWorker(config, logger, buildActivityDeps).catch((err: unknown) => {
      throw new CliError(`the worker could not start: ${errorMessage(err)}`, EXIT.unavailable);
    });
    await worker.done;
  });
}
