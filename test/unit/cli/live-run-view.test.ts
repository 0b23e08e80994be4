/**
 * `chaosflow run` following a run: it returns the run's final status as soon as the run closes, and leaves no
 * timer of its redraw loop behind (one held the process up to the redraw interval after the run had ended).
 * The run is a FAKE handle: its result resolves when the test says so.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunHandle } from '../../../client/start-run.js';
import type { RunStatus } from '../../../common/run-status.js';
import { followRun } from '../../../cli/live-run-view.js';

const status = (phase: RunStatus['phase']): RunStatus => ({
  workflowId: 'w',
  source: { kind: 'Workflow', namespace: 'default', name: 'w' },
  phase,
  paused: false,
  startedAt: '2026-01-01T00:00:00Z',
  entry: 'root',
  nodes: {},
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('following a run', () => {
  it('returns when the run closes, mid-wait, with no redraw timer left running', async () => {
    let close: (s: RunStatus) => void = () => undefined;
    const result = new Promise<RunStatus>((resolve) => (close = resolve));
    let queries = 0;
    const handle = {
      result: () => result,
      query: () => {
        queries += 1;
        return Promise.resolve(status('Running'));
      },
    } as unknown as RunHandle;
    const before = timers();
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    // A redraw interval far longer than the test: only the run's end can end the wait.
    const followed = followRun(handle, { out, redraw: false, intervalMs: 600_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queries).toBe(1);
    close(status('Succeeded'));
    expect((await followed)?.phase).toBe('Succeeded');
    expect(timers()).toBe(before);
  });
});
