/**
 * The command registry: one line per command. Each command module exports `register(program)`, which adds the
 * command, its options and an action that loads whatever heavy code it needs on demand.
 */
import type { Command } from 'commander';
import { register as plan } from './plan.js';
import { register as validate } from './validate.js';
import { register as abort } from './abort.js';
import { register as agent } from './agent.js';
import { register as controller } from './controller.js';
import { register as dev } from './dev.js';
import { register as get } from './get.js';
import { register as halt } from './halt.js';
import { register as list } from './list.js';
import { register as pause } from './pause.js';
import { register as report } from './report.js';
import { register as resume } from './resume.js';
import { register as run } from './run.js';
import { register as worker } from './worker.js';
import { register as schedule } from './schedule.js';
import { register as status } from './status.js';

type Register = (program: Command) => void;

const commands: readonly Register[] = [
  validate,
  plan,
  run,
  get,
  list,
  report,
  abort,
  pause,
  resume,
  schedule,
  halt,
  status,
  dev,
  worker,
  controller,
  agent,
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
