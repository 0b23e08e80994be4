/**
 * Follows a run until it closes. On a terminal the node tree is redrawn in place every half second; otherwise
 * (pipes, CI logs, NO_COLOR) one line is printed per node phase change, so logs stay readable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStatus } from '../common/run-status.js';
import { finalStatus } from '../client/runs.js';
import type { RunHandle } from '../client/start-run.js';
import { statusQuery } from '../workflows/messages.js';
import { renderRunHeader, renderRunTree } from './output/run-tree.js';

export interface LiveViewOptions {
  out: NodeJS.WriteStream;
  redraw: boolean;
  intervalMs?: number;
}

export async function followRun(handle: RunHandle, options: LiveViewOptions): Promise<RunStatus | undefined> {
  const closed = finalStatus(handle).then(
    (status) => ({ status }),
    () => ({ status: undefined }),
  );
  let done: { status: RunStatus | undefined } | undefined;
  // The wait between two redraws ends when the run does: a pending timer would hold the process up to 500 ms.
  const ended = new AbortController();
  void closed.then((d) => {
    done = d;
    ended.abort();
  });
  let drawnLines = 0;
  const seen = new Map<string, string>();
  while (!done) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    if (status) {
      if (options.redraw) drawnLines = redraw(options.out, render(status), drawnLines);
      else printChanges(options.out, status, seen);
    }
    await sleep(options.intervalMs ?? 500, undefined, { signal: ended.signal }).catch(() => undefined);
  }
  if (done.status) {
    if (options.redraw) redraw(options.out, render(done.status), drawnLines);
    else {
      printChanges(options.out, done.status, seen);
      options.out.write(`\n${render(done.status)}`);
    }
  }
  return done.status;
}

function render(status: RunStatus): string {
  return `${renderRunHeader(status)}\n${renderRunTree(status)}`;
}

function redraw(out: NodeJS.WriteStream, text: string, previousLines: number): number {
  if (previousLines > 0) out.write(`\x1b[${previousLines}F\x1b[J`);
  out.write(text);
  return text.split('\n').length - 1;
}

function printChanges(out: NodeJS.WriteStream, status: RunStatus, seen: Map<string, string>): void {
  for (const node of Object.values(status.nodes)) {
    const state = `${node.phase}${node.awaitingApproval ? ' (awaiting approval)' : ''}`;
    if (seen.get(node.id) === state) continue;
    seen.set(node.id, state);
    const error = node.phase !== 'Succeeded' && node.errors.length ? `: ${node.errors.at(-1)}` : '';
    const n = node.targets?.length ?? 0;
    const targets = node.targets && node.phase === 'Running' ? ` (${n} target${n === 1 ? '' : 's'})` : '';
    out.write(`${new Date().toISOString()}  ${node.id}  ${state}${targets}${error}\n`);
  }
}
