/**
 * `chaosflow schedule describe NAME`: the mapping, the next 10 fire times in the schedule's zone, the last runs
 * with their outcomes, the skipped/missed counters and the pause note.
 */
import type { Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface DescribeFlags extends ScheduleFlags {
  runs?: string;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('describe')
      .description('show a schedule: mapping, next fire times, last runs and their outcomes, counters')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .option('--runs <n>', "how many finished runs to show (default: the manifest's historyLimit, else 10)")
      .addOption(outputOption()),
  ).action(async (name: string, flags: DescribeFlags) => {
    process.exitCode = await scheduleDescribeAction(name, flags, processIo);
  });
}

export async function scheduleDescribeAction(
  name: string,
  flags: DescribeFlags,
  io: CommandIo,
): Promise<number> {
  const { describeSchedule } = await import('../../../client/schedules/describe-schedule.js');
  const { renderScheduleReport } = await import('./render-schedule.js');
  const runs = flags.runs === undefined ? undefined : Math.max(0, Math.floor(Number(flags.runs)) || 0);
  return withScheduleClient(flags, async (client) => {
    const report = await describeSchedule(client, name, runs === undefined ? {} : { runs });
    if (flags.output === 'json') io.stdout(renderJson(report));
    else if (flags.output === 'yaml') io.stdout(renderYaml([report]));
    else io.stdout(renderScheduleReport(report));
    return EXIT.ok;
  });
}
