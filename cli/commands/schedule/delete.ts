/**
 * `chaosflow schedule delete NAME`: no tick starts any more. Running ticks are left to finish (they recover
 * their faults at their end), or with `--abort-running` are aborted now (they recover their faults at once).
 */
import type { Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface DeleteFlags extends ScheduleFlags {
  abortRunning?: boolean;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('delete')
      .description('delete a schedule; running ticks finish unless --abort-running')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .option('--abort-running', 'abort the runs still going (each recovers its faults)')
      .addOption(outputOption()),
  ).action(async (name: string, flags: DeleteFlags) => {
    process.exitCode = await scheduleDeleteAction(name, flags, processIo);
  });
}

export async function scheduleDeleteAction(name: string, flags: DeleteFlags, io: CommandIo): Promise<number> {
  const { deleteSchedule } = await import('../../../client/schedules/schedule-operations.js');
  return withScheduleClient(flags, async (client) => {
    const result = await deleteSchedule(client, name, { abortRunning: flags.abortRunning === true });
    if (flags.output === 'json') io.stdout(renderJson(result));
    else if (flags.output === 'yaml') io.stdout(renderYaml([result]));
    else {
      const lines = [`deleted ${name}`];
      if (result.aborted.length > 0) {
        lines.push(
          `aborted ${result.aborted.length} running run(s); each recovers its faults:`,
          ...result.aborted.map((id) => `  ${id}`),
        );
      } else if (result.running.length > 0) {
        lines.push(
          `${result.running.length} run(s) still going will finish and recover on their own:`,
          ...result.running.map((id) => `  ${id}`),
        );
      }
      io.stdout(`${lines.join('\n')}\n`);
    }
    return EXIT.ok;
  });
}
