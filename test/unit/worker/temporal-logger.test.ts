import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { temporalLogger } from '../../../worker/temporal-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, sink) };
}

describe("the Temporal SDK's log lines", () => {
  it("carry the run's ids where chaosflow's own lines have them, activity and workflow lines alike", () => {
    const { lines, logger } = capture();
    const sdk = temporalLogger(logger);
    sdk.debug('Activity completed', {
      workflowId: 'chaosflow/default/day/1',
      workflowRunId: 'r-1',
      activityType: 'injectFaults',
    });
    sdk.info('Workflow started', { workflowId: 'chaosflow/default/day/2', runId: 'r-2' });
    sdk.warn('Worker state changed', { state: 'STOPPING' });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'Activity completed',
        workflowId: 'chaosflow/default/day/1',
        runId: 'r-1',
        temporal: expect.objectContaining({ activityType: 'injectFaults' }) as unknown,
      }),
      expect.objectContaining({
        msg: 'Workflow started',
        workflowId: 'chaosflow/default/day/2',
        runId: 'r-2',
      }),
      expect.objectContaining({ msg: 'Worker state changed', temporal: { state: 'STOPPING' } }),
    ]);
    expect(lines[2]).not.toHaveProperty('runId');
  });
});
