/**
 * The command registry: one line per command. Each command module exports `register(program)`, which adds the
 * command, its options and an action that loads whatever heavy code it needs on demand.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

const commands: readonly Register[] = [];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
