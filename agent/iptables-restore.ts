/**
 * One `iptables-restore --noflush` per change instead of one `iptables` process per rule: the whole change of a
 * request (chains created or flushed, rules, hooks, deletions) goes to the namespace as one restore input on
 * stdin, in one `nsenter`. Each table's part is committed at its `COMMIT` as one transaction, so a change
 * that fails halfway leaves that table as it was (the legacy backend replaces the table's blob at once, the nft
 * backend sends one netlink batch); the journal's `applying` entry already lists everything the change may
 * leave, so recovery is the same either way.
 *
 * In restore input a chain line `:<name> - [0:0]` creates the user chain or, with `--noflush`, flushes it when
 * it exists: that is how a chain is (re)made empty. Every other line is an `iptables` command without the
 * `iptables -t <table>` prefix.
 *
 * The input is text, so the one thing that must hold is that no token can carry a blank, a quote, a comment
 * sign or a line break (which would change how the line is split). Every name and value has passed the strict
 * checks of `request-validation.ts` before it gets here; `restoreLine` checks again and refuses (INTERNAL)
 * rather than build a line that would be read otherwise.
 */
import { AgentError } from './agent-error.js';
import type { NetnsRunner } from './netns-runner.js';

export type IptablesTable = 'filter' | 'mangle' | 'nat';

const SAFE_TOKEN = /^[^\s"'\\#]+$/u;

/** The restore line of one `iptables` command (its arguments after `-t <table>`). */
export function restoreLine(args: readonly string[]): string {
  for (const token of args) {
    if (!SAFE_TOKEN.test(token)) {
      throw new AgentError(
        'INTERNAL',
        `refusing to write ${JSON.stringify(token.slice(0, 40))} into iptables-restore input`,
      );
    }
  }
  return args.join(' ');
}

/** The restore line that creates user chain `name`, or flushes it when it exists. */
export function chainLine(name: string): string {
  return restoreLine([`:${name}`, '-', '[0:0]']);
}

/**
 * The restore input for `changes` (restore lines per table); tables without lines are left out, and the
 * result is empty when nothing changes.
 */
export function restoreInput(changes: Partial<Record<IptablesTable, readonly string[]>>): string {
  const parts: string[] = [];
  for (const [table, lines] of Object.entries(changes)) {
    if (!lines || lines.length === 0) continue;
    parts.push(`*${table}`, ...lines, 'COMMIT');
  }
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}

/**
 * Runs the change in the namespace as one `iptables-restore -w 5 --noflush` (waiting for the xtables lock as
 * the single commands did); no process at all when nothing changes.
 */
export async function iptablesRestore(
  ns: NetnsRunner,
  changes: Partial<Record<IptablesTable, readonly string[]>>,
): Promise<void> {
  const input = restoreInput(changes);
  if (input === '') return;
  await ns.run(['iptables-restore', '-w', '5', '--noflush'], { input });
}
