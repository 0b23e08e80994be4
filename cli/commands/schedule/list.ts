/** `chaosflow schedule list`: every chaosflow schedule with its cron, policy, state and next fire time. */
import type { Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface ListFlags extends ScheduleFlags {
  manifestNamespace?: string;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('list')
      .description('list the chaosflow schedules')
      .option('--manifest-namespace <namespace>', 'only schedules of manifests in this namespace')
      .addOption(outputOption()),
  ).action(async (flags: ListFlags) => {
    process.exitCode = await scheduleListAction(flags, processIo);
  });
}

export async function scheduleListAction(flags: ListFlags, io: CommandIo): Promise<number> {
  const { listSchedules } = await import('../../../client/schedules/list-schedules.js');
  const { renderScheduleList } = await import('./render-schedule.js');
  return withScheduleClient(flags, async (client) => {
    const entries = await listSchedules(client, {
      ...(flags.manifestNamespace ? { namespace: flags.manifestNamespace } : {}),
    });
    if (flags.output === 'json') io.stdout(renderJson(entries));
    else if (flags.output === 'yaml') io.stdout(renderYaml([entries]));
    else io.stdout(renderScheduleList(entries));
    return EXIT.ok;
  });
}
