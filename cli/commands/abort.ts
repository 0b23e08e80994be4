/** `chaosflow abort RUN`: ends every active node and recovers every injected fault; waits unless --no-wait. */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { openRun } from '../open-run.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('abort')
      .description('abort a run: every active node ends and every injected fault is recovered')
      .argument('<run>', 'workflow id, or namespace/name of a manifest (its newest run)')
      .option('--reason <text>', 'recorded in the run status', 'aborted with chaosflow abort')
      .option('--no-wait', 'return once the abort is delivered, without waiting for recovery'),
  ).action(async (ref: string, options: TemporalFlags & { reason: string; wait: boolean }) => {
    const handle = await openRun(ref, options);
    const { abortSignal } = await import('../../workflows/messages.js');
    await handle.signal(abortSignal, { reason: options.reason });
    process.stderr.write(`abort sent to ${handle.workflowId}\n`);
    if (options.wait) {
      const { finalStatus } = await import('../../client/runs.js');
      const status = await finalStatus(handle);
      const open = status
        ? Object.values(status.nodes).filter((n) => n.phase === 'RecoveryFailed').length
        : 0;
      process.stderr.write(
        `run ${status?.phase ?? 'closed'}${open ? `; ${open} nodes failed to recover` : '; every fault recovered'}\n`,
      );
    }
    process.exitCode = EXIT.ok;
  });
}
