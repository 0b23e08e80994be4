/**
 * What every activity execution leaves behind besides its result: log lines from a child logger carrying the
 * run, the node and the target, and the worker's metrics. The driver is the FAKE one (the point is the
 * instrumentation around it); the HTTP probe hits a real server on loopback.
 */
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosflowActivities, FaultBatch } from '../../../activities/contract.js';
import { createActivities } from '../../../activities/create-activities.js';
import type { ProbeRecord } from '../../../common/run-status.js';
import type { Target } from '../../../common/target.js';
import { createMetricRegistry } from '../../../telemetry/metric-registry.js';
import { createWorkerMetrics } from '../../../telemetry/worker-metrics.js';
import { FakeFaultDriver, sameDriverForEveryKind } from '../../fakes/fake-fault-driver.js';
import { FakeTargetResolver } from '../../fakes/fake-target-resolver.js';
import { FakeTargetStateApplier } from '../../fakes/fake-target-state-applier.js';

const workflowExecution = {
  workflowId: 'chaosflow/default/day/1',
  runId: '0d6e3c57-1d5e-4d4e-9a43-2d9f1bb0c0de',
};

function target(pod: string): Target {
  return {
    key: `default/${pod}/server`,
    namespace: 'default',
    pod,
    container: 'server',
    containerId: 'pid://1',
    node: 'local',
  };
}

function batch(pods: string[]): FaultBatch {
  return {
    run: { workflowId: workflowExecution.workflowId, namespace: 'default', name: 'day' },
    nodeId: 'day/partition',
    chaos: { kind: 'NetworkChaos', action: 'partition', oneShot: false, spec: {} } as FaultBatch['chaos'],
    endpoint: '127.0.0.1:31767',
    targets: pods.map((pod) => ({
      target: target(pod),
      key: `${workflowExecution.workflowId}/day/partition/default/${pod}/server`,
    })),
  };
}

let server: Server;
let url: string;

beforeAll(async () => {
  // `/hang` never answers (a probe cancelled while it waits).
  server = createServer((request, response) => {
    if (request.url !== '/hang') response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function setup() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const registry = createMetricRegistry();
  const driver = new FakeFaultDriver();
  const activities = createActivities({
    targets: new FakeTargetResolver(),
    drivers: sameDriverForEveryKind(driver),
    applyTargetState: new FakeTargetStateApplier().apply,
    logger: pino({ level: 'debug' }, sink),
    metrics: createWorkerMetrics(registry),
  });
  const env = (activityType: string) =>
    new MockActivityEnvironment(
      { workflowExecution, activityType, attempt: 2 },
      { logger: new DefaultLogger('ERROR') },
    );
  /** A sample by name (a histogram's `_count` too) and labels. */
  const value = async (name: string, labels: Record<string, string>) => {
    const family = name.replace(/_count$/, '');
    const values = (await registry.getSingleMetric(family)?.get())?.values ?? [];
    return values.find(
      (v) =>
        ((v as { metricName?: string }).metricName ?? family) === name &&
        Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value;
  };
  /** Runs activity `name` in a mock activity context (the run's ids, attempt 2). */
  const call = <K extends keyof ChaosflowActivities>(
    name: K,
    input: Parameters<ChaosflowActivities[K]>[0],
  ): ReturnType<ChaosflowActivities[K]> =>
    env(name).run(() =>
      (activities[name] as (i: typeof input) => ReturnType<ChaosflowActivities[K]>)(input),
    ) as ReturnType<ChaosflowActivities[K]>;
  return { lines, driver, call, value, env, activities };
}

describe('activity instrumentation', () => {
  it('logs each target of an inject and a recover on its own line with run, node and target, and counts the held faults', async () => {
    const { lines, driver, call, value } = setup();
    driver.failInject.add(batch(['demo-1']).targets[0]!.key);
    const injected = await call('injectFaults', batch(['demo-0', 'demo-1']));
    expect(injected.results.map((r) => r.ok)).toEqual([true, false]);

    const run = { workflowId: workflowExecution.workflowId, runId: workflowExecution.runId, attempt: 2 };
    const scope = {
      node: 'day/partition',
      kind: 'NetworkChaos',
      action: 'partition',
      endpoint: '127.0.0.1:31767',
    };
    expect(lines).toEqual([
      expect.objectContaining({
        ...run,
        ...scope,
        activity: 'injectFaults',
        target: 'default/demo-0/server',
        msg: 'fault injected',
      }),
      expect.objectContaining({
        ...run,
        ...scope,
        target: 'default/demo-1/server',
        msg: 'inject failed',
        reason: 'fake inject failure',
        retryable: false,
      }),
    ]);
    expect(await value('chaosflow_faults_held', { kind: 'NetworkChaos' })).toBe(1);
    expect(
      await value('chaosflow_fault_inject_duration_seconds_count', {
        kind: 'NetworkChaos',
        outcome: 'failure',
      }),
    ).toBe(1);

    // The same target again (an activity retry): still one held fault.
    await call('injectFaults', batch(['demo-0']));
    expect(await value('chaosflow_faults_held', { kind: 'NetworkChaos' })).toBe(1);

    await call('recoverFaults', batch(['demo-0']));
    expect(lines.at(-1)).toEqual(
      expect.objectContaining({
        ...run,
        ...scope,
        activity: 'recoverFaults',
        target: 'default/demo-0/server',
        msg: 'fault recovered',
      }),
    );
    expect(await value('chaosflow_faults_held', { kind: 'NetworkChaos' })).toBe(0);
  });

  it('counts every target of a recover that fails, and logs them with the run', async () => {
    const { lines, driver, call, value } = setup();
    driver.failRecover.add('day/partition');
    await expect(call('recoverFaults', batch(['demo-0', 'demo-1']))).rejects.toThrow(/fake recover failure/);
    expect(await value('chaosflow_fault_recover_failures_total', { kind: 'NetworkChaos' })).toBe(2);
    expect(lines.at(-1)).toEqual(
      expect.objectContaining({
        workflowId: workflowExecution.workflowId,
        runId: workflowExecution.runId,
        node: 'day/partition',
        targets: ['default/demo-0/server', 'default/demo-1/server'],
        msg: 'recover failed',
      }),
    );
  });

  it('measures a probe by type and verdict and logs it with the run and its node', async () => {
    const { lines, call, value } = setup();
    const http = {
      url,
      method: 'GET' as const,
      headers: {},
      criteria: { statusCode: { min: 200, max: 200 } },
    };
    const record = await call('probeHttp', {
      http,
      timeoutSeconds: 2,
      nodeId: 'day/healthy',
    });
    expect(record.outcome).toBe('Success');
    const failed = await call('runProbe', {
      probe: { type: 'HTTP', http: { ...http, criteria: { statusCode: { min: 500, max: 500 } } } },
      timeoutSeconds: 2,
      namespace: 'default',
    });
    expect(failed.outcome).toBe('Failure');
    expect(await value('chaosflow_probe_results_total', { type: 'HTTP', verdict: 'success' })).toBe(1);
    expect(await value('chaosflow_probe_results_total', { type: 'HTTP', verdict: 'failure' })).toBe(1);
    expect(await value('chaosflow_probe_duration_seconds_count', { type: 'HTTP' })).toBe(2);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        workflowId: workflowExecution.workflowId,
        runId: workflowExecution.runId,
        activity: 'probeHttp',
        node: 'day/healthy',
        probeType: 'HTTP',
        outcome: 'Success',
        msg: 'probe finished',
      }),
    );
    expect(lines[1]).toEqual(expect.objectContaining({ runId: workflowExecution.runId, outcome: 'Failure' }));
  });

  it('counts no verdict for a probe cancelled while it runs (a Continuous or OnChaos probe at the end of its fault)', async () => {
    const { env, activities, value } = setup();
    const http = {
      url: `${url}hang`,
      method: 'GET' as const,
      headers: {},
      criteria: { statusCode: { min: 200, max: 200 } },
    };
    const context = env('probeHttp');
    const running: Promise<ProbeRecord> = context.run(() =>
      activities.probeHttp({ http, timeoutSeconds: 30 }),
    );
    setTimeout(() => context.cancel(), 200);
    // The probe returns its (unmeasured) failure; the workflow sees the cancellation.
    expect((await running).outcome).toBe('Failure');
    expect(await value('chaosflow_probe_duration_seconds_count', { type: 'HTTP' })).toBeUndefined();
    for (const verdict of ['success', 'failure', 'error']) {
      expect(await value('chaosflow_probe_results_total', { type: 'HTTP', verdict })).toBeUndefined();
    }
  });
});
