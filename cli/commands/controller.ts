/**
 * `chaosflow controller`: the Kubernetes operator for chaosflow's CRDs (Workflow, Schedule and the seven chaos
 * kinds of group chaosflow.dev). Settings and their environment variables are documented in
 * `controller/config.ts`. Stops cleanly on SIGINT/SIGTERM: the keys in progress finish, the Lease is given up;
 * runs go on in Temporal.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { ControllerFlags } from '../../controller/config.js';
import { CliError } from '../cli-error.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { firstStopSignal } from '../stop-signal.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('controller')
      .description("run the Kubernetes controller for chaosflow's Workflow, Schedule and chaos objects")
      .option('--kubeconfig <file>', "the cluster (default: the pod's service account)")
      .option('--ui-url <url>', 'Temporal UI base URL for the run links in status (none: no link)')
      .option('--lease-namespace <namespace>', 'namespace of the leader-election Lease')
      .option('--lease-name <name>', 'name of the leader-election Lease')
      .option('--identity <name>', "this replica's name in the Lease")
      .option('--refresh <ms>', "how often a running object's status is refreshed")
      .option('--log-level <level>', 'pino level (default info)')
      .option('--metrics-address <host:port>', 'serve Prometheus /metrics there (default off)'),
  ).action(async (flags: ControllerFlags) => {
    const [{ parseControllerConfig, ControllerConfigError }, { startController }, { pino }] =
      await Promise.all([
        import('../../controller/config.js'),
        import('../../controller/run-controller.js'),
        import('pino'),
      ]);
    let config;
    try {
      config = parseControllerConfig(flags, process.env);
    } catch (err) {
      if (err instanceof ControllerConfigError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    const logger = pino(
      { level: config.logLevel, base: { component: 'chaosflow-controller' } },
      pino.destination(2),
    );
    const controller = await startController(config, logger).catch((err: unknown) => {
      throw new CliError(`the controller could not start: ${errorMessage(err)}`, EXIT.unavailable);
    });
    void firstStopSignal((signal) => logger.warn({ signal }, 'already stopping')).then(() =>
      controller.stop(),
    );
    await controller.done;
  });
}
