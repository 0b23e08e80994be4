/**
 * The interpreter against the real Temporal dev server: one test per template type, and the ways a run can end.
 * Fault injection is the FAKE driver (in memory); probes and tasks are real.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  abortSignal,
  faultsQuery,
  pauseUpdate,
  resumeUpdate,
  statusQuery,
} from '../../workflows/messages.js';
import { startProbeTarget, type ProbeTarget } from '../fakes/probe-target.js';
import { startInterpreterEnv, type InterpreterEnv } from './interpreter-env.js';
import { chaos, cronNode, parallel, plan, serial, statusCheck, suspend, task } from './plan-builder.js';

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
  env.driver.failRecover.clear();
  env.driver.failInject.clear();
  env.driver.failInjectTimes.clear();
});

/** The run's failure type (`RUN_ABORTED`, ...) or 'Succeeded'. */
async function outcome(handle: Awaited<ReturnType<InterpreterEnv['start']>>): Promise<string> {
  try {
    await handle.result();
    return 'Succeeded';
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause as { type?: string; name?: string } | undefined;
      return cause?.type ?? cause?.name ?? 'unknown';
    }
    throw err;
  }
}

function expectAllRecovered(workflowId: string): void {
  const leftovers = [...env.driver.active].filter((key) => key.startsWith(`${workflowId}/`));
  expect(leftovers).toEqual([]);
}

describe('template types', () => {
  it('runs Serial children one after the other, each fault recovered before the next is injected', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['a', 'b']),
        chaos('a', ['pod-a'], { deadlineMs: 500 }),
        chaos('b', ['pod-b'], { deadlineMs: 500 }),
      ),
    );
    const status = await handle.result();
    const calls = env.driver.calls.filter((c) => c.key.startsWith(handle.workflowId));
    expect(calls.map((c) => `${c.op}:${c.nodeId}`)).toEqual([
      'inject:main/a',
      'recover:main/a',
      'inject:main/b',
      'recover:main/b',
    ]);
    expect(status.phase).toBe('Succeeded');
    expect(status.nodes['main/a']?.phase).toBe('Succeeded');
    expect(status.nodes['main']?.children).toEqual(['main/a', 'main/b']);
    expectAllRecovered(handle.workflowId);
  });

  it('runs Parallel children at once and waits for all of them', async () => {
    const handle = await env.start(
      plan(
        'p',
        parallel('p', ['a', 'b']),
        chaos('a', ['pod-a'], { deadlineMs: 800 }),
        chaos('b', ['pod-b'], { deadlineMs: 1500 }),
      ),
    );
    await handle.result();
    const calls = env.driver.calls
      .filter((c) => c.key.startsWith(handle.workflowId))
      .map((c) => `${c.op}:${c.nodeId}`);
    // Both are injected before either is recovered; the shorter one recovers first.
    expect(calls.slice(0, 2).sort()).toEqual(['inject:p/a', 'inject:p/b']);
    expect(calls.slice(2)).toEqual(['recover:p/a', 'recover:p/b']);
    expectAllRecovered(handle.workflowId);
  });

  it('holds a Suspend until its deadline', async () => {
    const started = Date.now();
    const handle = await env.start(plan('wait', suspend('wait', 1500)));
    const status = await handle.result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(status.nodes['wait']).toMatchObject({ phase: 'Succeeded', reason: 'NodeAccomplished' });
  });

  it('holds a chaos fault until the node deadline, then recovers it', async () => {
    const handle = await env.start(plan('net', chaos('net', ['pod-a', 'pod-b'], { deadlineMs: 1200 })));
    const held = await env.waitForStatus(handle, (s) => s.nodes['net']?.targets?.length === 2);
    expect(held.nodes['net']?.phase).toBe('Running');
    const faults = await handle.query(faultsQuery);
    expect(faults.map((f) => [f.target, f.state])).toEqual([
      ['default/pod-a/main', 'Injected'],
      ['default/pod-b/main', 'Injected'],
    ]);
    const status = await handle.result();
    expect(status.nodes['net']?.phase).toBe('Succeeded');
    const injectedAt = env.driver.calls.find(
      (c) => c.op === 'inject' && c.key.startsWith(handle.workflowId),
    )!.at;
    const recoveredAt = env.driver.calls.find(
      (c) => c.op === 'recover' && c.key.startsWith(handle.workflowId),
    )!.at;
    // The deadline counts from the node's start (Chaos Mesh), so the hold is the deadline less resolve + inject.
    expect(recoveredAt - injectedAt).toBeGreaterThanOrEqual(700);
    expectAllRecovered(handle.workflowId);
  });

  it('finishes a one-shot pod-kill at once instead of hanging until a deadline', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['kill', 'after']),
        chaos('kill', ['pod-a'], { action: 'pod-kill' }),
        suspend('after', 200),
      ),
    );
    const status = await handle.result();
    expect(status.nodes['main/kill']?.phase).toBe('Succeeded');
    expect(status.nodes['main/after']?.phase).toBe('Succeeded');
    expect(env.driver.injected(handle.workflowId, 'main/kill').length).toBe(1);
  });

  it('passes a Synchronous StatusCheck at its success threshold', async () => {
    const handle = await env.start(plan('check', statusCheck('check', probe.url, { successThreshold: 2 })));
    const status = await handle.result();
    expect(status.nodes['check']?.passed).toBe(true);
    expect(status.nodes['check']?.probes?.map((p) => p.outcome)).toEqual(['Success', 'Success']);
  });

  it('runs a Continuous StatusCheck for its whole duration', async () => {
    const handle = await env.start(
      plan('check', statusCheck('check', probe.url, { mode: 'Continuous', durationMs: 3500 })),
    );
    const status = await handle.result();
    expect(status.nodes['check']?.probes?.length).toBe(3);
    expect(status.nodes['check']?.passed).toBe(true);
  });

  it('runs a Task command and takes every branch whose expression is true', async () => {
    const handle = await env.start(
      plan(
        'task',
        task(
          'task',
          ['sh', '-c', 'echo branch-a; exit 3'],
          [
            { target: 'a', expression: 'exitCode == 3 && stdout == "branch-a"' },
            { target: 'b', expression: 'exitCode == 0' },
            { target: 'c', expression: '' },
          ],
        ),
        suspend('a', 100),
        suspend('b', 100),
        suspend('c', 100),
      ),
    );
    const status = await handle.result();
    expect(status.nodes['task']?.task).toEqual({
      exitCode: 3,
      stdout: 'branch-a',
      branches: [
        { target: 'a', result: 'True' },
        { target: 'b', result: 'False' },
        { target: 'c', result: 'True' },
      ],
    });
    expect(status.nodes['task']?.children.sort()).toEqual(['task/a', 'task/c']);
  });
  it('runs a Schedule node tick by tick until its deadline, each tick a run that recovers its fault', async () => {
    const handle = await env.start(
      plan(
        'cron',
        cronNode('cron', '@every 1s', ['pod-a'], { deadlineMs: 3500, tickMs: 300, policy: 'Allow' }),
      ),
    );
    const status = await handle.result();
    const ticks = status.nodes['cron']?.ticks ?? [];
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(4);
    // A tick still holding its fault when the node's deadline passes is cut (Aborted) and recovers too.
    expect(ticks.some((t) => t.outcome === 'Succeeded')).toBe(true);
    expect(ticks.every((t) => t.outcome === 'Succeeded' || t.outcome === 'Aborted')).toBe(true);
    for (const tick of ticks) {
      const ops = env.driver.calls.filter((c) => c.key.startsWith(`${tick.workflowId}/`)).map((c) => c.op);
      // A tick cut before it injected has nothing to recover; every other one injected once and recovered.
      if (tick.outcome === 'Aborted' && ops.length === 0) continue;
      expect(ops).toEqual(['inject', 'recover']);
    }
    expect(ticks.filter((t) => t.outcome === 'Succeeded').length).toBeGreaterThanOrEqual(1);
  });

  it('skips a Schedule tick while the previous one still runs under Forbid', async () => {
    const handle = await env.start(
      plan('cron', cronNode('cron', '@every 1s', ['pod-a'], { deadlineMs: 4500, tickMs: 1800 })),
    );
    const status = await handle.result();
    const outcomes = (status.nodes['cron']?.ticks ?? []).map((t) => t.outcome);
    expect(outcomes).toContain('Skipped');
    expect(outcomes.filter((o) => o !== 'Skipped').length).toBeGreaterThanOrEqual(2);
    const started = (status.nodes['cron']?.ticks ?? []).filter((t) => t.workflowId);
    for (const tick of started) {
      expect([...env.driver.active].filter((k) => k.startsWith(`${tick.workflowId}/`))).toEqual([]);
    }
  });
});

describe('deadlines, aborts and failures', () => {
  it('cuts a running child when its parent deadline passes, and recovers its fault', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['long', 'never'], { deadlineMs: 1500 }),
        chaos('long', ['pod-a'], { deadlineMs: 60_000 }),
        suspend('never', 100),
      ),
    );
    expect(await outcome(handle)).toBe('RUN_DEADLINE_EXCEEDED');
    const status = await handle.query(statusQuery);
    expect(status.nodes['main']).toMatchObject({ phase: 'DeadlineExceeded', reason: 'NodeDeadlineExceed' });
    expect(status.nodes['main/long']).toMatchObject({
      phase: 'DeadlineExceeded',
      reason: 'ParentNodeDeadlineExceed',
    });
    expect(status.nodes['main/never']).toBeUndefined();
    expectAllRecovered(handle.workflowId);
  });

  it('recovers every injected fault when aborted in the middle of a Parallel', async () => {
    const handle = await env.start(
      plan(
        'p',
        parallel('p', ['a', 'b', 'c']),
        chaos('a', ['pod-1', 'pod-2'], { deadlineMs: 60_000 }),
        chaos('b', ['pod-3'], { deadlineMs: 60_000 }),
        chaos('c', ['n2.pod-4'], { deadlineMs: 60_000 }),
      ),
    );
    await env.waitForStatus(
      handle,
      () => [...env.driver.active].filter((k) => k.startsWith(handle.workflowId)).length === 4,
    );
    await handle.signal(abortSignal, { reason: 'game day stopped' });
    expect(await outcome(handle)).toBe('RUN_ABORTED');
    expectAllRecovered(handle.workflowId);
    const faults = await handle.query(faultsQuery);
    expect(faults).toHaveLength(4);
    expect(faults.every((f) => f.state === 'Recovered')).toBe(true);
  });

  it('aborts the run and recovers everything when a StatusCheck with abortWithStatusCheck fails', async () => {
    probe.status = 503;
    const handle = await env.start(
      plan(
        'p',
        parallel('p', ['net', 'check']),
        chaos('net', ['pod-a'], { deadlineMs: 60_000 }),
        statusCheck('check', probe.url, { failureThreshold: 2, abort: true }),
      ),
    );
    expect(await outcome(handle)).toBe('RUN_ABORTED');
    const status = await handle.query(statusQuery);
    expect(status.nodes['p/check']).toMatchObject({
      phase: 'Aborted',
      reason: 'StatusCheckNotExceedSuccessThreshold',
      passed: false,
    });
    expect(status.nodes['p/net']?.phase).toBe('Aborted');
    expectAllRecovered(handle.workflowId);
  });

  it('recovers everything when the workflow is cancelled', async () => {
    const handle = await env.start(plan('net', chaos('net', ['pod-a', 'pod-b'], { deadlineMs: 60_000 })));
    await env.waitForStatus(handle, (s) => s.nodes['net']?.targets?.length === 2);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expectAllRecovered(handle.workflowId);
  });

  it('shows RecoveryFailed while a recover keeps failing, and succeeds once the fault clears', async () => {
    const handle = await env.start(plan('net', chaos('net', ['pod-a'], { deadlineMs: 500 })));
    env.driver.failRecover.add('net');
    const stuck = await env.waitForStatus(handle, (s) => s.phase === 'RecoveryFailed', 60_000);
    expect(stuck.nodes['net']?.phase).toBe('RecoveryFailed');
    expect(env.driver.active.size).toBeGreaterThan(0);
    env.driver.failRecover.delete('net');
    const status = await handle.result();
    expect(status.phase).toBe('Succeeded');
    const [fault] = await handle.query(faultsQuery);
    expect(fault?.recoverAttempts).toBeGreaterThan(1);
    expectAllRecovered(handle.workflowId);
  });

  it('fails the run when an inject fails, after retrying the node', async () => {
    // A node id of its own: the driver counts failures per node id, and a run of an earlier test still closing
    // on a loaded machine may inject a node named `net` and take the failure meant for this one.
    env.driver.failInjectTimes.set('net-retried', 1);
    const retried = await env.start(
      plan(
        'net-retried',
        chaos('net-retried', ['pod-a'], {
          deadlineMs: 300,
          retry: { limit: 2, backoff: { initialMs: 200, factor: 2 } },
        }),
      ),
    );
    const ok = await retried.result();
    expect(ok.nodes['net-retried']).toMatchObject({ phase: 'Succeeded', attempt: 2 });

    env.driver.failInject.add('net');
    const failing = await env.start(plan('net', chaos('net', ['pod-a'], { deadlineMs: 300 })));
    expect(await outcome(failing)).toBe('RUN_FAILED');
    expectAllRecovered(failing.workflowId);
  });
});

describe('pause, resume and approval gates', () => {
  it('waits at an approval gate until resumed', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['gate', 'net']),
        suspend('gate', 60_000, true),
        chaos('net', ['pod-a'], { deadlineMs: 200 }),
      ),
    );
    await env.waitForStatus(handle, (s) => s.nodes['main/gate']?.awaitingApproval === true);
    expect(env.driver.injected(handle.workflowId, 'main/net')).toEqual([]);
    const result = await handle.executeUpdate(resumeUpdate, { args: [{ node: 'gate' }] });
    expect(result.approved).toEqual(['main/gate']);
    const status = await handle.result();
    expect(status.nodes['main/gate']?.phase).toBe('Succeeded');
    expect(env.driver.injected(handle.workflowId, 'main/net')).toHaveLength(1);
  });

  it('fails an approval gate whose deadline passes without approval', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['gate', 'net']),
        suspend('gate', 800, true),
        chaos('net', ['pod-a'], { deadlineMs: 200 }),
      ),
    );
    expect(await outcome(handle)).toBe('RUN_FAILED');
    expect(env.driver.injected(handle.workflowId, 'main/net')).toEqual([]);
  });

  it('starts nothing new while paused and keeps held faults until resumed', async () => {
    const handle = await env.start(
      plan(
        'main',
        serial('main', ['net', 'next']),
        chaos('net', ['pod-a'], { deadlineMs: 800 }),
        chaos('next', ['pod-b'], { deadlineMs: 200 }),
      ),
    );
    await env.waitForStatus(handle, (s) => s.nodes['main/net']?.targets?.length === 1);
    const paused = await handle.executeUpdate(pauseUpdate, { args: [{}] });
    expect(paused).toEqual({ paused: true, changed: true });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Past its deadline, the fault is still held and the next node has not started.
    expect(env.driver.active.has(`${handle.workflowId}/main/net/default/pod-a/main`)).toBe(true);
    expect(env.driver.injected(handle.workflowId, 'main/next')).toEqual([]);
    const resumed = await handle.executeUpdate(resumeUpdate, { args: [{}] });
    expect(resumed.unpaused).toBe(true);
    const status = await handle.result();
    expect(status.nodes['main/next']?.phase).toBe('Succeeded');
    expectAllRecovered(handle.workflowId);
  });
});
