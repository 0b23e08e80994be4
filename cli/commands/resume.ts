/** `chaosflow resume RUN [--node NAME]`: resumes a paused run and approves waiting approval gates. */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { openRun } from '../open-run.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('resume')
      .description('resume a paused run, and approve its approval gates (Suspend with approval: true)')
      .argument('<run>', 'workflow id, or namespace/name of a manifest (its newest run)')
      .option(
        '--node <name>',
        'approve only this gate (node id or template name); the run itself stays paused',
      ),
  ).action(async (ref: string, options: TemporalFlags & { node?: string }) => {
    const handle = await openRun(ref, options);
    const { resumeUpdate } = await import('../../workflows/messages.js');
    const result = await handle.executeUpdate(resumeUpdate, {
      args: [options.node ? { node: options.node } : {}],
    });
    const parts = [
      result.unpaused ? 'resumed the run' : '',
      result.approved.length ? `approved ${result.approved.join(', ')}` : '',
    ].filter(Boolean);
    process.stderr.write(
      `${handle.workflowId}: ${parts.join('; ') || 'nothing to resume (not paused, no gate waiting)'}\n`,
    );
  });
}
