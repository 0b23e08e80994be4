/**
 * Upgrading chaosflow with runs in flight (README "Production"): a worker with a changed workflow definition joins
 * while a run the older version started holds a fault. Guarded by `patched()`, the change leaves the old run's
 * replay unchanged (it recovers and succeeds on the new worker) and new runs take the new path; the same change
 * unguarded breaks the old run with a nondeterminism error, which shows that this test can tell them apart.
 * Real dev server and interpreter, FAKE fault driver and targets (the point is orchestration).
 */
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPGRADE_PATCH } from '../fixtures/upgraded-workflows/guarded.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { chaos, plan, serial, suspend } from './plan-builder.js';

const NON_DETERMINISTIC =
  proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

let env: InterpreterEnv;
const bundles: Record<'guarded' | 'unguarded', WorkflowBundleWithSourceMap> = {} as never;

beforeAll(async () => {
  env = await startInterpreterEnv();
  for (const name of ['guarded', 'unguarded'] as const) {
    bundles[name] = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL(`../fixtures/upgraded-workflows/${name}.ts`, import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
  }
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const heldFault = (holdMs: number) =>
  plan(
    'main',
    serial('main', ['net', 'after']),
    chaos('net', ['pod-a'], { deadlineMs: holdMs }),
    suspend('after', 100),
  );

async function injected(workflowId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (env.driver.injected(workflowId, 'main/net').length === 0) {
    if (Date.now() > deadline) throw new Error(`${workflowId} did not inject within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function historyOf(workflowId: string) {
  return (await env.temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The patch ids the run's history records. */
async function patches(workflowId: string): Promise<string[]> {
  return (await historyOf(workflowId)).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(new TextDecoder().decode(data)) as { id: string }).id] : [];
  });
}

async function nondeterminismFailures(workflowId: string): Promise<number> {
  return (await historyOf(workflowId)).filter(
    (e) => e.workflowTaskFailedEventAttributes?.cause === NON_DETERMINISTIC,
  ).length;
}

describe('a changed workflow definition joining while runs are open', () => {
  it('guarded by patched(): the older run recovers and succeeds on the new worker, new runs take the new path', async () => {
    const old = await env.start(heldFault(4_000));
    await injected(old.workflowId);
    await env.stopWorker();
    await env.startWorker(bundles.guarded);
    const status = await old.result();
    expect(status.phase).toBe('Succeeded');
    expect(env.driver.calls.filter((c) => c.key.startsWith(`${old.workflowId}/`)).map((c) => c.op)).toEqual([
      'inject',
      'recover',
    ]);
    expect(await nondeterminismFailures(old.workflowId)).toBe(0);
    expect(await patches(old.workflowId)).not.toContain(UPGRADE_PATCH);

    const fresh = await env.start(heldFault(200));
    expect((await fresh.result()).phase).toBe('Succeeded');
    expect(await patches(fresh.workflowId)).toContain(UPGRADE_PATCH);
  });

  it('unguarded (the control): the older run fails to replay on the new worker', async () => {
    await env.stopWorker();
    await env.startWorker();
    const old = await env.start(heldFault(60_000));
    await injected(old.workflowId);
    await env.stopWorker();
    await env.startWorker(bundles.unguarded);
    // The run holds a 60 s timer: the abort gives it a workflow task, which the new worker must replay.
    await old.signal('abort', { reason: 'test over' });
    const deadline = Date.now() + 45_000;
    while ((await nondeterminismFailures(old.workflowId)) === 0) {
      if (Date.now() > deadline) throw new Error('no nondeterminism failure within 45 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Back to the version that started it: the run replays again, takes the abort and recovers.
    await env.stopWorker();
    await env.startWorker();
    await old.result().catch(() => undefined);
    expect(env.driver.calls.filter((c) => c.key.startsWith(`${old.workflowId}/`)).map((c) => c.op)).toEqual([
      'inject',
      'recover',
    ]);
  });
});
