/**
 * A standalone chaos without `duration` (valid in Chaos Mesh: it holds until the object is deleted), compiled by
 * the real compiler and run by the real interpreter on the Temporal dev server with the FAKE fault driver: the
 * fault stays injected with no deadline, and the `abort` signal recovers it and ends the run Aborted.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../common/plan.js';
import { readManifestText } from '../../manifests/read-manifests.js';
import { abortSignal, faultsQuery, statusQuery } from '../../workflows/messages.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';

let env: InterpreterEnv;

beforeAll(async () => {
  env = await startInterpreterEnv();
});
afterAll(async () => {
  await env?.stop();
});

const MANIFEST = `apiVersion: chaos-mesh.org/v1alpha1
kind: NetworkChaos
metadata: { name: held }
spec:
  action: partition
  mode: all
  selector: { pods: { default: [pod-a, pod-b] } }
`;

function compiled(): Plan {
  const result = readManifestText(MANIFEST, 'held.yaml');
  expect(result.errors).toEqual([]);
  expect(result.warnings.map((w) => w.code)).toEqual(['CHAOS_HELD_UNTIL_ABORT']);
  const [plan] = result.plans;
  if (!plan) throw new Error('no plan');
  expect(plan.templates['held']?.deadlineMs).toBeUndefined();
  return plan;
}

describe('a standalone chaos without duration', () => {
  it('holds its fault until the run is aborted, then recovers it and ends Aborted', async () => {
    const handle = await env.start(compiled());
    const active = () => [...env.driver.active].filter((key) => key.startsWith(`${handle.workflowId}/`));
    await env.waitForStatus(handle, () => active().length === 2);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const held = await handle.query(statusQuery);
    expect(held.phase).toBe('Running');
    expect(held.nodes['held']).toMatchObject({ phase: 'Running' });
    expect(held.nodes['held']?.deadlineAt).toBeUndefined();
    expect(active()).toHaveLength(2);
    expect((await handle.query(faultsQuery)).map((f) => f.state)).toEqual(['Injected', 'Injected']);
    const recoversBeforeAbort = env.driver.calls.filter(
      (c) => c.op === 'recover' && c.key.startsWith(`${handle.workflowId}/`),
    );
    expect(recoversBeforeAbort).toEqual([]);

    await handle.signal(abortSignal, { reason: 'the game day is over' });
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'RUN_ABORTED' });
    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('Aborted');
    expect(status.nodes['held']?.phase).toBe('Aborted');
    expect(
      env.driver.calls.filter((c) => c.op === 'recover' && c.key.startsWith(`${handle.workflowId}/`)),
    ).toHaveLength(2);
    expect(active()).toEqual([]);
    expect((await handle.query(faultsQuery)).map((f) => f.state)).toEqual(['Recovered', 'Recovered']);
  });

  it('recovers a fault whose inject was still under way when the run was aborted, after that inject ended', async () => {
    // The inject call goes on for 4 s, ignoring the abort (as a daemon call in flight does); the recover is quick.
    env.driver.injectDelayMs = 4_000;
    try {
      const handle = await env.start(compiled());
      const mine = (op: 'inject' | 'recover') =>
        env.driver.calls.filter((c) => c.op === op && c.key.startsWith(`${handle.workflowId}/`));
      await expect
        .poll(async () => (await handle.query(faultsQuery)).map((f) => f.state), { timeout: 30_000 })
        .toEqual(['Injecting', 'Injecting']);
      await handle.signal(abortSignal, { reason: 'aborted mid-inject' });
      await handle.result().catch(() => undefined);
      const injects = mine('inject');
      const recovers = mine('recover');
      expect(injects).toHaveLength(2);
      expect(recovers).toHaveLength(2);
      // Every recover reached the driver after the late inject it undoes, so nothing is left injected.
      for (const inject of injects) {
        expect(recovers.find((r) => r.key === inject.key)?.at).toBeGreaterThanOrEqual(inject.at);
      }
      expect([...env.driver.active].filter((key) => key.startsWith(`${handle.workflowId}/`))).toEqual([]);
      expect((await handle.query(statusQuery)).phase).toBe('Aborted');
    } finally {
      env.driver.injectDelayMs = undefined;
    }
  });
});
