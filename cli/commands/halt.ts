/**
 * `chaosflow halt` and `chaosflow unhalt`: the safety lever. `halt` aborts every running chaosflow run (each
 * recovers its faults), pauses every chaosflow schedule with the reason as its note, and refuses every inject and
 * new run until `unhalt`, which resumes the schedules the halt paused. `chaosflow status` shows the state.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { temporalConfig, withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { openClient } from '../open-run.js';

/** Who pulled the lever, as the halt records it: `user@host` unless `--by` says. */
function operator(by: string | undefined): string {
  return by ?? `${userInfo().username}@${hostname()}`;
}

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('halt')
      .description('abort every chaosflow run, pause every schedule, and refuse every inject until unhalt')
      .option(
        '--reason <text>',
        'why: shown on every refusal and as the schedules’ note',
        'halted by an operator',
      )
      .option('--by <name>', 'who halts (default user@host)')
      .option(
        '--wait <ms>',
        'wait this long for every aborted run to recover and close (0: do not wait)',
        '60000',
      ),
  ).action(async (options: TemporalFlags & { reason: string; by?: string; wait: string }) => {
    const client = await openClient(options);
    const { halt, waitForNoRuns } = await import('../../client/halt.js');
    const started = Date.now();
    const result = await halt(client, {
      reason: options.reason,
      by: operator(options.by),
      taskQueue: temporalConfig(options).taskQueue,
    });
    process.stderr.write(
      `${result.changed ? 'halted' : 'already halted'}: ${result.halt.reason} (by ${result.halt.by} since ${result.halt.since})\n` +
        `aborted ${result.abortedRuns.length} run(s), paused ${result.pausedSchedules.length} schedule(s)\n`,
    );
    const waitMs = Number(options.wait) || 0;
    if (waitMs > 0 && result.abortedRuns.length > 0) {
      const open = await waitForNoRuns(client, waitMs);
      process.stderr.write(
        open.length === 0
          ? `every run recovered and closed in ${Date.now() - started} ms\n`
          : `still closing after ${waitMs} ms: ${open.join(', ')}\n`,
      );
      process.exitCode = open.length === 0 ? EXIT.ok : EXIT.failed;
      return;
    }
    process.exitCode = EXIT.ok;
  });

  withTemporalOptions(
    program
      .command('unhalt')
      .description('lift a halt: runs and injects are allowed again, and the schedules it paused resume')
      .option('--by <name>', 'who lifts it (default user@host)'),
  ).action(async (options: TemporalFlags & { by?: string }) => {
    const client = await openClient(options);
    const { unhalt } = await import('../../client/halt.js');
    const result = await unhalt(client, { by: operator(options.by) });
    process.stderr.write(
      result.lifted
        ? `unhalted (the halt was: ${result.lifted.reason}, by ${result.lifted.by} since ${result.lifted.since}); ` +
            `resumed ${result.resumedSchedules.length} schedule(s)\n`
        : `not halted; resumed ${result.resumedSchedules.length} schedule(s)\n`,
    );
    process.exitCode = EXIT.ok;
  });
}
