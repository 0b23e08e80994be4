/** `chaosflow pause RUN`: no new node starts and nothing new is injected; held faults stay until resume/abort. */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { openRun } from '../open-run.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('pause')
      .description('pause a run: nothing new starts or is injected until resume; held faults stay')
      .argument('<run>', 'workflow id, or namespace/name of a manifest (its newest run)')
      .option('--reason <text>', 'why (logged)'),
  ).action(async (ref: string, options: TemporalFlags & { reason?: string }) => {
    const handle = await openRun(ref, options);
    const { pauseUpdate } = await import('../../workflows/messages.js');
    const result = await handle.executeUpdate(pauseUpdate, {
      args: [{ ...(options.reason ? { reason: options.reason } : {}) }],
    });
    process.stderr.write(
      result.changed ? `paused ${handle.workflowId}\n` : `${handle.workflowId} was already paused\n`,
    );
  });
}
