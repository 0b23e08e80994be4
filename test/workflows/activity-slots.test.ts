/**
 * Many runs holding faults on one worker: each keeps its lease renewer (`holdFaultLeases`) open until its faults
 * are recovered, so with the SDK's default of 100 activity slots, 100 held runs took every slot, and when they
 * were aborted (a halt) their recovers could never start: every renewer waited for its run's recover, every
 * recover for a slot. 120 runs here hold a fault each and are then aborted; all must inject, recover and close.
 * The renewer is a FAKE that heartbeats until the run cancels it, as the real one does; the rest is the
 * interpreter on a real dev server.
 */
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ACTIVITY_SLOTS } from '../../worker/create-worker.js';
import { abortSignal } from '../../workflows/messages.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { chaos, plan } from './plan-builder.js';

let env: InterpreterEnv;
let renewersOpen = 0;
let mostRenewersOpen = 0;

/** FAKE lease renewer: holds its slot, heartbeating, until cancelled. */
async function holdUntilCancelled(): Promise<void> {
  renewersOpen += 1;
  mostRenewersOpen = Math.max(mostRenewersOpen, renewersOpen);
  try {
    for (;;) {
      Context.current().heartbeat();
      await Context.current().sleep(200);
    }
  } finally {
    renewersOpen -= 1;
  }
}

beforeAll(async () => {
  env = await startInterpreterEnv({}, { activities: { holdFaultLeases: holdUntilCancelled } });
});
afterAll(async () => {
  await env?.stop();
});

it('injects, then recovers on abort, 120 runs holding faults on one worker: none waits for ever for a slot', async () => {
  expect(ACTIVITY_SLOTS).toBeGreaterThan(120);
  const handles = await Promise.all(
    Array.from({ length: 120 }, () =>
      env.start(plan('net', chaos('net', ['pod-a'], { deadlineMs: 600_000 }))),
    ),
  );
  await expect.poll(() => env.driver.active.size, { timeout: 90_000, interval: 500 }).toBe(120);
  // The renewers really were open together (else this test proves nothing about slots).
  expect(mostRenewersOpen).toBeGreaterThan(100);
  await Promise.all(handles.map((h) => h.signal(abortSignal, { reason: 'test: abort all' })));
  const phases = await Promise.all(
    handles.map((h) =>
      h.result().then(
        () => 'closed',
        () => 'closed',
      ),
    ),
  );
  expect(phases).toHaveLength(120);
  expect(env.driver.active.size).toBe(0);
}, 300_000);
