/**
 * `chaosflow schedule apply FILE`: every Schedule manifest of the file becomes a Temporal Schedule, created or
 * updated in place; prints created/updated/unchanged, the mapping choices and the next fire times.
 */
import type { Command } from 'commander';
import { CliError } from '../../cli-error.js';
import { withTemporalOptions } from '../../config.js';
import { EXIT } from '../../exit-codes.js';
import { outputOption } from '../../output/output-format.js';
import { renderJson, renderYaml } from '../../output/render-data.js';
import { processIo, withScheduleClient, type CommandIo, type ScheduleFlags } from './schedule-context.js';

export interface ApplyFlags extends ScheduleFlags {
  name?: string;
}

export function register(schedule: Command): void {
  withTemporalOptions(
    schedule
      .command('apply')
      .description('create or update the Temporal Schedule of each Schedule manifest in FILE')
      .argument('<file>', 'YAML file with one or more Schedule manifests (Chaos Mesh or chaosflow)')
      .option('--name <name>', 'apply only the Schedule with this metadata.name')
      .addOption(outputOption()),
  ).action(async (file: string, flags: ApplyFlags) => {
    process.exitCode = await scheduleApplyAction(file, flags, processIo);
  });
}

export async function scheduleApplyAction(file: string, flags: ApplyFlags, io: CommandIo): Promise<number> {
  const { readManifestFile, formatManifestErrors } = await import('../../../manifests/index.js');
  const result = await readManifestFile(file);
  if (result.errors.length > 0) {
    io.stderr(formatManifestErrors(result.errors));
    return EXIT.failed;
  }
  const plans = flags.name
    ? result.schedulePlans.filter((p) => p.source.name === flags.name)
    : result.schedulePlans;
  if (plans.length === 0) {
    const names = result.schedulePlans.map((p) => p.source.name).join(', ');
    throw new CliError(
      flags.name
        ? `${file} has no Schedule named '${flags.name}' (it has: ${names || 'none'})`
        : `${file} has no Schedule manifest (Workflows and chaos manifests run with \`chaosflow run\`)`,
      EXIT.usage,
    );
  }
  const { applySchedule } = await import('../../../client/schedules/apply-schedule.js');
  const { renderApplyResult } = await import('./render-schedule.js');
  return withScheduleClient(flags, async (client, taskQueue) => {
    const results = [];
    for (const plan of plans) {
      const applied = await applySchedule(client, plan, { taskQueue });
      results.push(applied);
      if ((flags.output ?? 'table') === 'table') io.stdout(renderApplyResult(applied));
    }
    if (flags.output === 'json') io.stdout(renderJson(results));
    if (flags.output === 'yaml') io.stdout(renderYaml(results));
    return EXIT.ok;
  });
}
