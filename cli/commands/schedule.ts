/**
 * `chaosflow schedule ...`: Schedule manifests (Chaos Mesh's, or chaosflow's with extensions) as Temporal
 * Schedules whose every tick starts one `chaosflowRun`. One file per subcommand under `schedule/`.
 */
import type { Command } from 'commander';
import { register as apply } from './schedule/apply.js';
import { register as backfill } from './schedule/backfill.js';
import { register as del } from './schedule/delete.js';
import { register as describe } from './schedule/describe.js';
import { register as list } from './schedule/list.js';
import { register as pause } from './schedule/pause.js';
import { register as trigger } from './schedule/trigger.js';

export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .description(
      'run Schedule manifests as Temporal Schedules: apply, list, describe, pause, trigger, backfill, delete',
    );
  for (const add of [apply, list, describe, pause, trigger, backfill, del]) add(schedule);
}
