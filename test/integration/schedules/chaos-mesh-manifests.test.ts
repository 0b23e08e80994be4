/**
 * Schedule manifests exactly as Chaos Mesh users write them (examples/chaos-mesh/, apiVersion chaos-mesh.org,
 * label selectors) run on Temporal Schedules: applied from the file with the CLI action, targets picked from
 * FAKE pods by their labels, faults injected and recovered by the FAKE driver.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunStatus } from '../../../client/runs.js';
import { describeSchedule } from '../../../client/schedules/describe-schedule.js';
import { scheduleApplyAction } from '../../../cli/commands/schedule/apply.js';
import { scheduleDeleteAction } from '../../../cli/commands/schedule/delete.js';
import { scheduleTriggerAction } from '../../../cli/commands/schedule/trigger.js';
import type { PodInfo } from '../../../common/selection/pod-info.js';
import {
  captureIo,
  startScheduleTestEnv,
  waitFor,
  type ScheduleTestEnv,
  type Tick,
} from './schedule-test-env.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'chaos-mesh');
let t: ScheduleTestEnv;

function pod(name: string, labels: Record<string, string>, node = 'node-1'): PodInfo {
  return {
    namespace: 'default',
    name,
    uid: `uid-${name}`,
    labels,
    annotations: {},
    nodeName: node,
    phase: 'Running',
    containers: [{ name: 'main', containerId: `containerd://${name}` }],
  };
}

beforeAll(async () => {
  t = await startScheduleTestEnv();
  t.env.targets.inventory.push(
    pod('web-show-0', { app: 'web-show' }),
    pod('hello-0', { app: 'hello-kubernetes' }),
    pod('hello-1', { app: 'hello-kubernetes' }, 'node-2'),
    pod('tikv-0', { 'app.kubernetes.io/component': 'tikv' }),
    pod('other-0', { app: 'other' }),
  );
});
afterAll(async () => {
  await t?.stop();
});

const finished = (tick: Tick) => tick.injects.length > 0 && tick.recovers.length >= tick.injects.length;
const targetsOf = (workflowId: string, op: 'inject' | 'recover') =>
  t.env.driver.calls
    .filter((c) => c.op === op && c.key.startsWith(`${workflowId}/`))
    .map((c) => c.key.split('/').slice(-3, -1).join('/'))
    .sort();

async function apply(file: string): Promise<string> {
  const io = captureIo();
  expect(await scheduleApplyAction(join(examples, file), { ...t.flags, output: 'table' }, io)).toBe(0);
  expect(io.out()).toMatch(/^created /);
  return io.out();
}

describe('Chaos Mesh Schedule manifests, unchanged', () => {
  it('type NetworkChaos: hourly at minute 5 in UTC, and a triggered tick delays the web-show pod for 12 s', async () => {
    const output = await apply('schedule-network-delay.yaml');
    expect(output).toMatch(/NetworkChaos on "5 \* \* \* \*" \(UTC, the default\)/);
    expect(output).toMatch(/concurrencyPolicy Allow -> Temporal overlap ALLOW_ALL/);
    const report = await describeSchedule(t.env.temporal.client, 'schedule-delay-example');
    expect(report.nextFireTimes).toHaveLength(10);
    for (const iso of report.nextFireTimes) expect(iso).toMatch(/T\d\d:05:00\.000Z$/);

    const io = captureIo();
    expect(await scheduleTriggerAction('schedule-delay-example', t.flags, io)).toBe(0);
    const workflowId = /started (\S+)/.exec(io.out())?.[1];
    expect(workflowId).toMatch(/^chaosflow\/default\/schedule-delay-example-/);
    await waitFor('the delay injected', () => targetsOf(workflowId!, 'inject').length > 0);
    expect(targetsOf(workflowId!, 'inject')).toEqual(['default/web-show-0']);
    const handle = t.run(workflowId!);
    const final = await handle.result();
    expect(final.phase).toBe('Succeeded');
    expect(final.scheduledAt).toBeDefined();
    expect(targetsOf(workflowId!, 'recover')).toEqual(['default/web-show-0']);
    const node = final.nodes[final.entry];
    expect(Date.parse(node!.endedAt!) - Date.parse(node!.startedAt!)).toBeGreaterThanOrEqual(12_000);
    expect(await scheduleDeleteAction('schedule-delay-example', t.flags, captureIo())).toBe(0);
  });

  it('type Workflow: an @every schedule fires on its own and each tick runs the serial workflow', async () => {
    await apply('schedule-workflow.yaml');
    const scheduleId = 'chaosflow/default/schedule-workflow-example';
    const tick = await waitFor('a finished tick', () => t.ticks(scheduleId).find(finished), 20_000);
    const handle = t.run(tick.workflowId);
    const status = await waitFor('the run closed', async () => {
      const s = await readRunStatus(handle);
      return s.phase !== 'Running' && s;
    });
    expect(status.phase).toBe('Succeeded');
    expect(Date.parse(status.scheduledAt!)).toBe(tick.scheduledAt);
    expect(status.source.kind).toBe('Workflow');
    const delay = Object.values(status.nodes).find((n) => n.template === 'workflow-network-chaos');
    const stress = Object.values(status.nodes).find((n) => n.template === 'workflow-stress-chaos');
    expect(delay?.targets).toEqual(['default/hello-0/main', 'default/hello-1/main']);
    expect(stress?.targets).toHaveLength(1);
    expect(targetsOf(tick.workflowId, 'recover')).toEqual(targetsOf(tick.workflowId, 'inject'));
    expect([...t.env.driver.active].filter((k) => k.startsWith(`${tick.workflowId}/`))).toEqual([]);
    expect(
      await scheduleDeleteAction(
        'schedule-workflow-example',
        { ...t.flags, abortRunning: true },
        captureIo(),
      ),
    ).toBe(0);
  });

  it('type PodChaos (Chaos Mesh examples/schedule-podchaos.yaml): kills one labelled pod every 5 s', async () => {
    await apply('schedule-pod-kill.yaml');
    const scheduleId = 'chaosflow/default/schedule-pod-kill-example';
    const [first] = await waitFor(
      'a tick',
      () => t.ticks(scheduleId).length >= 1 && t.ticks(scheduleId),
      10_000,
    );
    expect(targetsOf(first!.workflowId, 'inject')).toEqual(['default/tikv-0']);
    const handle = t.run(first!.workflowId);
    expect((await handle.result()).phase).toBe('Succeeded');
    expect(await scheduleDeleteAction('schedule-pod-kill-example', t.flags, captureIo())).toBe(0);
  });
});
