/**
 * A command runner bound to one network namespace: every argv runs as `nsenter --net=<path> -- argv`.
 * iptables gets `-w 5` (wait up to 5 s for the xtables lock, as Chaos Mesh's daemon does).
 */
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';
import { inNetns } from './host-target.js';

export interface NetnsRunner {
  /** Path of the namespace (`/proc/<pid>/ns/net` or `/run/netns/<name>`). */
  readonly path: string;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** `iptables -w 5 [-t table] ...args` in the namespace. */
  iptables(
    table: 'filter' | 'mangle' | 'nat',
    args: readonly string[],
    options?: RunOptions,
  ): Promise<CommandResult>;
}

export function netnsRunner(runner: CommandRunner, path: string): NetnsRunner {
  const run = (argv: readonly string[], options?: RunOptions): Promise<CommandResult> =>
    runner.run(inNetns(path, argv), options);
  return {
    path,
    run,
    iptables: (table, args, options) => run(['iptables', '-w', '5', '-t', table, ...args], options),
  };
}
