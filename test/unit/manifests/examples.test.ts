/**
 * Examples are tests: every file in examples/ (read from the folder, no list here) validates and compiles (the
 * host inventory validates; the worker compiles it), and a few compiled plans are checked field by field for the
 * defaults Chaos Mesh's webhook would apply.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChaosTemplate, Plan, StatusCheckTemplate } from '../../../common/plan.js';
import type { SchedulePlan } from '../../../common/schedule-plan.js';
import { readInventoryFile } from '../../../manifests/read-inventory.js';
import { readManifestFile } from '../../../manifests/read-manifests.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples');

// The top folder and k8s/ (the Kubernetes demo's); chaos-mesh/ holds Chaos Mesh's own, tested on their own.
const files = [...readdirSync(dir), ...readdirSync(join(dir, 'k8s')).map((f) => `k8s/${f}`)]
  .filter((f) => f.endsWith('.yaml'))
  .sort();

async function onlyPlan(file: string): Promise<Plan> {
  const result = await readManifestFile(join(dir, file));
  expect(result.errors).toEqual([]);
  expect(result.plans).toHaveLength(1);
  return result.plans[0] as Plan;
}

async function onlySchedule(file: string): Promise<SchedulePlan> {
  const result = await readManifestFile(join(dir, file));
  expect(result.errors).toEqual([]);
  expect(result.schedulePlans).toHaveLength(1);
  return result.schedulePlans[0] as SchedulePlan;
}

function chaosOf(plan: Plan, name: string): ChaosTemplate {
  const t = plan.templates[name];
  if (t?.type !== 'Chaos') throw new Error(`${name} is not a chaos template`);
  return t;
}

describe('examples', () => {
  it('holds the examples the README and the demo rely on', () => {
    const required = [
      'serial',
      'parallel',
      'status-check',
      'task-branches',
      'schedule',
      'schedule-workflow',
      'game-day',
    ];
    const perKind = [
      'pod-kill',
      'network-partition',
      'network-bandwidth',
      'network-delay',
      'stress-cpu',
      'io-latency',
    ];
    const more = ['time-offset', 'http-abort', 'dns-error', 'k8s/game-day'];
    for (const name of [...required, ...perKind, ...more]) expect(files).toContain(`${name}.yaml`);
  });

  it.each(files)('%s validates and compiles', async (file) => {
    const result = await readManifestFile(join(dir, file));
    expect(result.errors).toEqual([]);
    expect(result.documents.length).toBeGreaterThan(0);
    const experiments = result.documents.filter((d) => d.kind !== 'Inventory');
    expect(result.compiled).toHaveLength(experiments.length);
    // Plans are plain JSON: they survive a JSON round trip unchanged.
    for (const compiled of result.compiled) expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
  });

  it('inventory.yaml is a valid Inventory, which the worker reads with the same checks', async () => {
    const result = await readManifestFile(join(dir, 'inventory.yaml'));
    expect(result.documents).toMatchObject([{ kind: 'Inventory', valid: true }]);
    expect(result.compiled).toEqual([]);
    const worker = await readInventoryFile(join(dir, 'inventory.yaml'));
    expect(worker.errors).toEqual([]);
    expect(worker.inventory?.pods.map((p) => p.labels)).toEqual([{ app: 'demo' }]);
  });

  it('game-day checks, partitions and delays HTTP while probing, stresses and checks again, with a deadline on every node', async () => {
    const plan = await onlyPlan('game-day.yaml');
    expect(plan.source).toMatchObject({ kind: 'Workflow', namespace: 'default', name: 'game-day' });
    expect(plan.source.location).toMatch(/game-day\.yaml:\d+$/);
    const root = plan.templates[plan.entry];
    expect(root).toMatchObject({
      type: 'Serial',
      children: [
        'steady-state',
        'partition-and-observe',
        'http-delay-and-observe',
        'cpu-stress',
        'recovered',
      ],
    });
    expect(plan.templates['http-delay-and-observe']).toMatchObject({
      type: 'Parallel',
      children: ['http-delay', 'observe-http-delay'],
    });
    expect(plan.templates['partition-and-observe']).toMatchObject({
      type: 'Parallel',
      children: ['partition', 'observe-partition'],
    });
    expect(plan.templates['observe-partition']).toMatchObject({
      type: 'StatusCheck',
      abortWithStatusCheck: false,
      check: { mode: 'Continuous', durationMs: 5_000 },
    });
    for (const t of Object.values(plan.templates)) expect(t.deadlineMs).toBeGreaterThan(0);
    const partition = chaosOf(plan, 'partition');
    expect(partition.deadlineMs).toBe(10_000);
    expect(partition.chaos).toMatchObject({ kind: 'NetworkChaos', action: 'partition', oneShot: false });
    expect(partition.chaos.spec).toMatchObject({
      direction: 'to',
      selector: { labelSelectors: { app: 'demo' } },
    });
    expect(chaosOf(plan, 'cpu-stress')).toMatchObject({ deadlineMs: 10_000, chaos: { kind: 'StressChaos' } });
    expect(chaosOf(plan, 'cpu-stress').chaos.action).toBeUndefined();
    const check = plan.templates['steady-state'] as StatusCheckTemplate;
    expect(check.abortWithStatusCheck).toBe(true);
    expect(check.check.type === 'HTTP' && check.check.http).toEqual({
      url: 'http://10.200.0.2:8080/',
      method: 'GET',
      headers: {},
      criteria: { statusCode: { min: 200, max: 200 } },
    });
  });

  it('status-check gets the StatusCheck defaults for the fields it leaves out', async () => {
    const plan = await onlyPlan('status-check.yaml');
    const watch = plan.templates.watch as StatusCheckTemplate;
    expect(watch.check).toMatchObject({
      mode: 'Continuous',
      type: 'HTTP',
      durationMs: 20_000,
      timeoutSeconds: 1,
      intervalSeconds: 2,
      failureThreshold: 5,
      successThreshold: 1,
      recordsHistoryLimit: 100,
    });
    expect(watch.check.type === 'HTTP' && watch.check.http.method).toBe('GET');
    expect(watch.abortWithStatusCheck).toBe(false);
    const before = plan.templates['healthy-before'] as StatusCheckTemplate;
    expect(before.check.type === 'HTTP' && before.check.http.criteria.statusCode).toEqual({
      min: 200,
      max: 399,
    });
  });

  it('a standalone chaos becomes a one-template plan held for its duration, without duration in the spec', async () => {
    const plan = await onlyPlan('network-delay.yaml');
    expect(plan.entry).toBe('network-delay');
    expect(Object.keys(plan.templates)).toEqual(['network-delay']);
    const t = chaosOf(plan, 'network-delay');
    expect(t.deadlineMs).toBe(30_000);
    expect(t.chaos.spec).not.toHaveProperty('duration');
    expect(t.chaos.spec).toMatchObject({
      direction: 'to',
      selector: { namespaces: ['default'] },
      delay: { latency: '100ms', jitter: '10ms', correlation: '25' },
    });
  });

  it('pod-kill is one-shot: no deadline needed, grace period defaulted', async () => {
    const plan = await onlyPlan('pod-kill.yaml');
    const t = chaosOf(plan, 'pod-kill');
    expect(t.deadlineMs).toBeUndefined();
    expect(t.chaos).toMatchObject({
      kind: 'PodChaos',
      action: 'pod-kill',
      oneShot: true,
      spec: { gracePeriod: 0 },
    });
  });

  it('time-offset keeps its clock ids and io-latency its percent', async () => {
    expect(chaosOf(await onlyPlan('time-offset.yaml'), 'time-offset').chaos.spec).toMatchObject({
      timeOffset: '-10m',
      clockIds: ['CLOCK_REALTIME'],
    });
    expect(chaosOf(await onlyPlan('io-latency.yaml'), 'io-latency').chaos).toMatchObject({
      action: 'latency',
      spec: { percent: 50, delay: '100ms', volumePath: '/var/lib/demo' },
    });
  });

  it('task-branches compiles the task with empty args and every branch, the empty expression as ""', async () => {
    const plan = await onlyPlan('task-branches.yaml');
    const task = plan.templates['check-then-act'];
    if (task?.type !== 'Task') throw new Error('not a task');
    expect(task.task.container).toEqual({
      name: 'probe',
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo healthy'],
      args: [],
      env: [],
    });
    expect(task.branches.map((b) => b.target)).toEqual([
      'partition-when-healthy',
      'wait-when-unhealthy',
      'always-log',
    ]);
    expect(task.branches[2]?.expression).toBe('');
  });

  it('approval-gate compiles the extensions: approval and retry with backoff', async () => {
    const plan = await onlyPlan('approval-gate.yaml');
    expect(plan.templates['wait-for-approval']).toMatchObject({
      type: 'Suspend',
      approval: true,
      deadlineMs: 900_000,
    });
    expect(plan.templates['healthy-again']?.retry).toEqual({
      limit: 3,
      backoff: { initialMs: 5000, factor: 2, maxMs: 30_000 },
    });
    expect(plan.templates['kill-one']?.deadlineMs).toBeUndefined();
  });

  it('schedule runs its chaos each tick for the chaos duration, with Chaos Mesh schedule fields', async () => {
    const schedule = await onlySchedule('schedule.yaml');
    expect(schedule).toMatchObject({
      source: { kind: 'Schedule', name: 'cpu-every-minute', namespace: 'default' },
      schedule: '@every 1m',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 30,
      historyLimit: 5,
      suspend: false,
      type: 'StressChaos',
    });
    expect(schedule.timezone).toBeUndefined();
    expect(schedule.run.source.kind).toBe('StressChaos');
    expect(chaosOf(schedule.run, 'cpu-every-minute')).toMatchObject({
      deadlineMs: 10_000,
      chaos: { kind: 'StressChaos' },
    });
  });

  it('schedule-workflow runs the embedded workflow each tick', async () => {
    const schedule = await onlySchedule('schedule-workflow.yaml');
    expect(schedule).toMatchObject({
      type: 'Workflow',
      timezone: 'UTC',
      schedule: '*/5 * * * MON-FRI',
      historyLimit: 3,
    });
    expect(schedule.run.source).toMatchObject({ kind: 'Workflow', name: 'partition-drill' });
    expect(schedule.run.entry).toBe('drill');
    expect(Object.keys(schedule.run.templates).sort()).toEqual(['after', 'before', 'drill', 'partition']);
  });
});
