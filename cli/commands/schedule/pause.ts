/**
 * `chaosflow schedule pause NAME [--note]` and `unpause NAME`: no tick starts while paused (runs already going
 * are not touched); the note shows in `describe` and the Temporal UI.
 */
import type { Command } from 'commander';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface PauseFlags extends ScheduleFlags {
  note?: string;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('pause')
      .description('pause a schedule: no new tick starts until unpause (running ticks go on)')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .option('--note <text>', 'why: shown by describe and in the Temporal UI')
      .addOption(outputOption()),
  ).action(async (name: string, flags: PauseFlags) => {
    process.exitCode = await schedulePauseAction(name, flags, processIo);
  });
  withTemporalOptions(
    schedule
      .command('unpause')
      .description('unpause a schedule: ticks start again from the next fire time')
      .argument('<name>', '[namespace/]name of the Schedule manifest')
      .option('--note <text>', 'why: shown in the Temporal UI')
      .addOption(outputOption()),
  ).action(async (name: string, flags: PauseFlags) => {
    process.exitCode = await scheduleUnpauseAction(name, flags, processIo);
  });
}

export async function schedulePauseAction(name: string, flags: PauseFlags, io: CommandIo): Promise<number> {
  const { pauseSchedule } = await import('../../../client/schedules/schedule-operations.js');
  return withScheduleClient(flags, async (client) => {
    const result = await pauseSchedule(client, name, flags.note);
    report(result, io, flags, result.changed ? `paused ${name}` : `${name} was already paused`);
    return EXIT.ok;
  });
}

export async function scheduleUnpauseAction(name: string, flags: PauseFlags, io: CommandIo): Promise<number> {
  const { unpauseSchedule } = await import('../../../client/schedules/schedule-operations.js');
  return withScheduleClient(flags, async (client) => {
    const result = await unpauseSchedule(client, name, flags.note);
    report(result, io, flags, result.changed ? `unpaused ${name}` : `${name} was not paused`);
    return EXIT.ok;
  });
}

function report(result: object, io: CommandIo, flags: ScheduleFlags, line: string): void {
  if (flags.output === 'json') io.stdout(renderJson(result));
  else if (flags.output === 'yaml') io.stdout(renderYaml([result]));
  else io.stdout(`${line}\n`);
}
