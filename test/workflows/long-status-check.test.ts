/**
 * A StatusCheck still going after its budget of probes in the run goes on in a `chaosflowStatusCheck` workflow that
 * continues as new (`workflows/status-check-workflow.ts`), so a long check does not grow the run's history towards
 * Temporal's limit. Real dev server, real interpreter and HTTP probes; `probesPerHistory` is lowered so that a
 * few seconds of probing cross several histories.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlanTemplate } from '../../common/plan.js';
import type { RunStatus } from '../../common/run-status.js';
import { pauseUpdate, resumeUpdate } from '../../workflows/messages.js';
import { startProbeTarget, type ProbeTarget } from '../fakes/probe-target.js';
import { workflowRuns } from '../harness/workflow-runs.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { plan, statusCheck } from './plan-builder.js';

let env: InterpreterEnv;
let probe: ProbeTarget;

beforeAll(async () => {
  env = await startInterpreterEnv();
  probe = await startProbeTarget();
});
afterAll(async () => {
  await probe?.close();
  await env?.stop();
});
beforeEach(() => {
  probe.status = 200;
});

function longCheck(o: Parameters<typeof statusCheck>[2], probesPerHistory = 2): PlanTemplate {
  return { ...statusCheck('check', probe.url, o), probesPerHistory } as PlanTemplate;
}

async function runsOf(workflowId: string): Promise<string[]> {
  return (await workflowRuns(env.temporal.client, workflowId)).map((r) => r.status);
}

async function probeActivitiesInHistory(workflowId: string): Promise<number> {
  const history = await env.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'probeHttp',
  ).length;
}

describe('a long StatusCheck', () => {
  it('probes in a workflow of its own that continues as new, and the run gets every count and its progress', async () => {
    const requestsBefore = probe.requests;
    const handle = await env.start(
      plan('check', longCheck({ mode: 'Continuous', durationMs: 7_500, successThreshold: 2 })),
    );
    const midway = await env.waitForStatus(
      handle,
      (s) => (s.nodes['check']?.probes?.length ?? 0) >= 2,
      20_000,
    );
    expect(midway.nodes['check']?.phase).toBe('Running');
    const status = await handle.result();
    const node = status.nodes['check']!;
    expect(node.phase).toBe('Succeeded');
    expect(node.passed).toBe(true);
    expect(node.probes?.map((p) => p.outcome)).toEqual(Array(7).fill('Success'));
    expect(probe.requests - requestsBefore).toBe(7);
    expect(node.probeWorkflowId).toBe(`${handle.workflowId}/status-check/check/1`);
    // 7 probes, 2 per history: 2 in the run, then 2 + 2 + 1 in the check's workflow (continued as new twice).
    expect(await probeActivitiesInHistory(handle.workflowId)).toBe(2);
    expect(await runsOf(node.probeWorkflowId!)).toEqual([
      'CONTINUED_AS_NEW',
      'CONTINUED_AS_NEW',
      'COMPLETED',
    ]);
  });

  it('keeps probing in the run when the check ends within its budget', async () => {
    const handle = await env.start(plan('check', longCheck({ mode: 'Continuous', durationMs: 2_500 }, 5)));
    const status = await handle.result();
    expect(status.nodes['check']?.probes).toHaveLength(2);
    expect(status.nodes['check']?.probeWorkflowId).toBeUndefined();
    expect(await probeActivitiesInHistory(handle.workflowId)).toBe(2);
  });

  it('ends at the failure threshold across histories and aborts the run with abortWithStatusCheck', async () => {
    probe.status = 500;
    const handle = await env.start(
      plan('check', longCheck({ mode: 'Continuous', durationMs: 60_000, failureThreshold: 3, abort: true })),
    );
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const status: RunStatus = await handle.query('status');
    expect(status.nodes['check']?.passed).toBe(false);
    expect(status.nodes['check']?.probes?.map((p) => p.outcome)).toEqual(Array(3).fill('Failure'));
    // Two failures in the run, the third in the check's workflow.
    expect(await runsOf(status.nodes['check']!.probeWorkflowId!)).toEqual(['COMPLETED']);
  });

  it('stops probing while the run is paused and goes on after resume', async () => {
    const handle = await env.start(plan('check', longCheck({ mode: 'Continuous', durationMs: 8_500 })));
    await env.waitForStatus(handle, (s) => (s.nodes['check']?.probes?.length ?? 0) >= 2, 20_000);
    await handle.executeUpdate(pauseUpdate, { args: [{}] });
    const pausedAt = probe.requests;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // At most one probe that was already on its way when the pause arrived.
    expect(probe.requests - pausedAt).toBeLessThanOrEqual(1);
    await handle.executeUpdate(resumeUpdate, { args: [{}] });
    const status = await handle.result();
    expect(status.nodes['check']?.phase).toBe('Succeeded');
    expect(status.nodes['check']?.probes?.length).toBeGreaterThanOrEqual(3);
  });

  it('is cancelled with the run on abort', async () => {
    const handle = await env.start(plan('check', longCheck({ mode: 'Continuous', durationMs: 60_000 })));
    const running = await env.waitForStatus(
      handle,
      (s) => s.nodes['check']?.probeWorkflowId !== undefined,
      20_000,
    );
    await handle.signal('abort', { reason: 'test' });
    await handle.result().catch(() => undefined);
    const child = env.temporal.client.workflow.getHandle(running.nodes['check']!.probeWorkflowId!);
    expect((await child.describe()).status.name).toBe('CANCELLED');
  });
});
