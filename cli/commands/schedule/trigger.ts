/** `chaosflow schedule trigger NAME`: run one tick now (by default even while another run is going). */
import { Option, type Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import type { OverlapPolicyName } from '../../../client/schedules/schedule-settings.js';
import { OVERLAP_POLICIES } from '../../../client/schedules/schedule-settings.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface TriggerFlags extends ScheduleFlags {
  overlap?: OverlapPolicyName;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('trigger')
      .description('start one tick of a schedule now')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .addOption(
        new Option(
          '--overlap <policy>',
          'what to do if a run is active (default ALLOW_ALL: run now regardless)',
        ).choices([...OVERLAP_POLICIES]),
      )
      .addOption(outputOption()),
  ).action(async (name: string, flags: TriggerFlags) => {
    process.exitCode = await scheduleTriggerAction(name, flags, processIo);
  });
}

export async function scheduleTriggerAction(
  name: string,
  flags: TriggerFlags,
  io: CommandIo,
): Promise<number> {
  const { triggerSchedule } = await import('../../../client/schedules/schedule-operations.js');
  return withScheduleClient(flags, async (client) => {
    const result = await triggerSchedule(client, name, flags.overlap ? { overlap: flags.overlap } : {});
    if (flags.output === 'json') io.stdout(renderJson(result));
    else if (flags.output === 'yaml') io.stdout(renderYaml([result]));
    else {
      io.stdout(
        result.workflowId
          ? `triggered ${name}: started ${result.workflowId}\n`
          : `triggered ${name} (overlap ${result.overlap}); no run showed up yet: see \`chaosflow schedule describe ${name}\`\n`,
      );
    }
    return EXIT.ok;
  });
}
