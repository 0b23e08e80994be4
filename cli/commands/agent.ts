/**
 * `chaosflow agent`: the node agent serving the Chaos Daemon gRPC API for host processes (`pid://<pid>`).
 * It runs as root. Settings and their environment variables are documented in `agent/config.ts`.
 */
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';

interface AgentCommandOptions {
  listen?: string;
  ca?: string;
  cert?: string;
  key?: string;
  allowClient?: string[];
  insecurePlaintextLoopback?: boolean;
  stateDir?: string;
  stressNg?: string;
  iofs?: string;
  recoverAll?: boolean;
  recoverOnExit?: boolean;
  allowHostNetwork?: boolean;
  logLevel?: string;
  metricsAddress?: string;
  lease?: string;
}

export function register(program: Command): void {
  program
    .command('agent')
    .description('Run the chaosflow node agent: the Chaos Daemon gRPC API for host processes (pid://<pid>)')
    .option('--listen <host:port>', 'gRPC address (default 127.0.0.1:31767)', undefined)
    .option(
      '--ca <file>',
      'CA certificate that signs client certificates (default: generated in the state dir)',
    )
    .option('--cert <file>', "the agent's certificate (default: generated)")
    .option('--key <file>', "the agent's private key (default: generated)")
    .option(
      '--allow-client <name>',
      'a client certificate name (CN or DNS SAN) the agent obeys; repeatable (default chaosflow-worker)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--insecure-plaintext-loopback',
      'serve plaintext without authentication on a loopback address: every local user can command the agent',
    )
    .option('--state-dir <dir>', 'journal folder (default /var/lib/chaosflow/agent)')
    .option('--stress-ng <path>', 'stress-ng executable (default: stress-ng from PATH)')
    .option(
      '--iofs <path>',
      "chaosflow-iofs executable, IOChaos's FUSE file system (default: chaosflow-iofs from PATH)",
    )
    .option('--recover-all', 'undo every fault recorded in the journal, then exit')
    .option(
      '--recover-on-exit',
      'undo every fault on SIGINT/SIGTERM (default: leave them to their workflows)',
    )
    .option('--allow-host-network', "allow network faults in the agent's own (the host's) network namespace")
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--metrics-address <host:port>', 'serve Prometheus /metrics there (default off)')
    .option(
      '--lease <duration>',
      'lease of every fault applied with a chaosflow fault key: recovered by the agent when not renewed for ' +
        'that long (1s to 24h, 0 = no leases; default 60s)',
    )
    .action(async (options: AgentCommandOptions) => {
      const [{ parseAgentConfig }, { runAgent }, { AgentConfigError }] = await Promise.all([
        import('../../agent/config.js'),
        import('../../agent/run-agent.js'),
        import('../../agent/agent-error.js'),
      ]);
      let code: number;
      try {
        code = await runAgent(parseAgentConfig(options, process.env));
      } catch (err) {
        if (err instanceof AgentConfigError) throw new CliError(err.message, EXIT.usage, { cause: err });
        throw err;
      }
      if (code !== EXIT.ok) throw new CliError('some faults could not be recovered; see the log', code);
    });
}
