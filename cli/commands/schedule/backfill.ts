/**
 * `chaosflow schedule backfill NAME --from TIME --to TIME`: take every tick of the window now. The overlap policy
 * is explicit: the default BUFFER_ALL runs the backfilled ticks one after another (under SKIP all but the first
 * would be dropped, since they all fall "now").
 */
import { Option, type Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import type { OverlapPolicyName } from '../../../client/schedules/schedule-settings.js';
import { OVERLAP_POLICIES } from '../../../client/schedules/schedule-settings.js';
import { parseCliTime } from './parse-time.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface BackfillFlags extends ScheduleFlags {
  from: string;
  to: string;
  overlap?: OverlapPolicyName;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('backfill')
      .description('run the ticks of a past window now (both ends included)')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .requiredOption('--from <time>', 'window start: ISO time, now, or -<duration> (e.g. -1h)')
      .requiredOption('--to <time>', 'window end: ISO time, now, or -<duration>')
      .addOption(
        new Option(
          '--overlap <policy>',
          'overlap policy of the backfilled ticks (default BUFFER_ALL: one after another)',
        ).choices([...OVERLAP_POLICIES]),
      )
      .addOption(outputOption()),
  ).action(async (name: string, flags: BackfillFlags) => {
    process.exitCode = await scheduleBackfillAction(name, flags, processIo);
  });
}

export async function scheduleBackfillAction(
  name: string,
  flags: BackfillFlags,
  io: CommandIo,
): Promise<number> {
  const { backfillSchedule } = await import('../../../client/schedules/schedule-operations.js');
  return withScheduleClient(flags, async (client) => {
    const now = Date.now();
    const result = await backfillSchedule(client, name, {
      from: parseCliTime(flags.from, '--from', now),
      to: parseCliTime(flags.to, '--to', now),
      ...(flags.overlap ? { overlap: flags.overlap } : {}),
    });
    if (flags.output === 'json') io.stdout(renderJson(result));
    else if (flags.output === 'yaml') io.stdout(renderYaml([result]));
    else
      io.stdout(
        `backfilling ${name}: the ticks from ${result.from} to ${result.to}, overlap ${result.overlap}\n`,
      );
    return EXIT.ok;
  });
}
