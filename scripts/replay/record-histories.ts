/**
 * Records the histories that `test/replay/replay.test.ts` replays: the main interpreter scenarios run once
 * against a real dev server (FAKE fault driver and targets, real probes and tasks). Re-record only when a
 * workflow change is meant to be incompatible, and then guard old runs with `patched()`.
 *
 *   npx tsx scripts/replay/record-histories.ts [NAME...]
 *
 * With names, only those histories are recorded (the others keep the older code paths they replay).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Plan, PlanTemplate } from '../../common/plan.js';
import { abortSignal, resumeUpdate } from '../../workflows/messages.js';
import { startProbeTarget } from '../../test/fakes/probe-target.js';
import { workflowRuns } from '../../test/harness/workflow-runs.js';
import { startInterpreterEnv } from '../../test/workflows/interpreter-env.js';
import { createTargetStateClient } from '../../activities/faults/per-target-state/entity-client.js';
import { targetStateWorkflowId } from '../../common/target-state.js';
import {
  chaos,
  cronNode,
  parallel,
  plan,
  serial,
  statusCheck,
  suspend,
  task,
} from '../../test/workflows/plan-builder.js';

const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);
const env = await startInterpreterEnv();
const probe = await startProbeTarget();
const out = (name: string) =>
  fileURLToPath(new URL(`../../test/replay/histories/${name}.json`, import.meta.url));

type Scenario = {
  name: string;
  plan: Plan;
  drive?: (h: Awaited<ReturnType<typeof env.start>>) => Promise<void>;
};

const scenarios: Scenario[] = [
  {
    name: 'serial-chaos-and-check',
    plan: plan(
      'main',
      serial('main', ['check', 'net', 'kill']),
      statusCheck('check', probe.url),
      chaos('net', ['pod-a', 'n2.pod-b'], { deadlineMs: 500 }),
      chaos('kill', ['pod-c'], { action: 'pod-kill' }),
    ),
  },
  {
    name: 'parallel-abort',
    plan: plan(
      'p',
      parallel('p', ['a', 'b']),
      chaos('a', ['pod-a'], { deadlineMs: 60_000 }),
      chaos('b', ['pod-b'], { deadlineMs: 60_000 }),
    ),
    drive: async (h) => {
      await env.waitForStatus(
        h,
        (s) => (s.nodes['p/a']?.targets?.length ?? 0) > 0 && (s.nodes['p/b']?.targets?.length ?? 0) > 0,
      );
      await h.signal(abortSignal, { reason: 'recording' });
    },
  },
  {
    name: 'deadline-cascade',
    plan: plan(
      'main',
      serial('main', ['long'], { deadlineMs: 1000 }),
      chaos('long', ['pod-a'], { deadlineMs: 60_000 }),
    ),
  },
  {
    name: 'task-branches-and-approval',
    plan: plan(
      'main',
      serial('main', ['gate', 'task']),
      suspend('gate', 60_000, true),
      task(
        'task',
        ['sh', '-c', 'echo a'],
        [
          { target: 'a', expression: 'stdout == "a"' },
          { target: 'b', expression: 'exitCode != 0' },
        ],
      ),
      suspend('a', 100),
      suspend('b', 100),
    ),
    drive: async (h) => {
      await env.waitForStatus(h, (s) => s.nodes['main/gate']?.awaitingApproval === true);
      await h.executeUpdate(resumeUpdate, { args: [{ node: 'gate' }] });
    },
  },
  {
    name: 'schedule-node',
    plan: plan(
      'cron',
      cronNode('cron', '@every 1s', ['pod-a'], { deadlineMs: 2500, tickMs: 300, policy: 'Allow' }),
    ),
  },
];

for (const scenario of scenarios.filter((s) => wanted(s.name))) {
  const handle = await env.start(scenario.plan);
  await scenario.drive?.(handle);
  await handle.result().catch(() => undefined);
  // The workflow id is part of the replayed state (fault keys), so it is stored beside the history.
  const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as unknown;
  await writeFile(out(scenario.name), `${JSON.stringify({ workflowId: handle.workflowId, history })}\n`);
  process.stdout.write(`recorded ${scenario.name}\n`);
}
// A long StatusCheck (5 probes, 2 per history: 2 in the run, 2 + 1 in its workflow): the run with its child, and
// the child's first history (the one that continues as new).
if (wanted('long-status-check')) {
  const check = statusCheck('check', probe.url, { mode: 'Continuous', durationMs: 5_500 });
  const handle = await env.start(plan('check', { ...check, probesPerHistory: 2 } as PlanTemplate));
  await handle.result();
  const childId = `${handle.workflowId}/status-check/check/1`;
  const [first] = await workflowRuns(env.temporal.client, childId);
  for (const [name, h] of [
    ['long-status-check', handle],
    ['long-status-check-probing', env.temporal.client.workflow.getHandle(childId, first!.runId)],
  ] as const) {
    const history = JSON.parse(historyToJSON(await h.fetchHistory())) as unknown;
    await writeFile(out(name), `${JSON.stringify({ workflowId: h.workflowId, history })}\n`);
    process.stdout.write(`recorded ${name}\n`);
  }
}
// The per-target entity: two faults merged on one pod, then both removed; and changes grouped into one send.
const states = createTargetStateClient(env.temporal.client, env.taskQueue);
const replayPod = (name: string) => ({
  key: `default/${name}/main`,
  namespace: 'default',
  pod: name,
  container: 'main',
  containerId: 'pid://1',
  node: 'n1',
});
const saveEntity = async (name: string, pod: ReturnType<typeof replayPod>) => {
  const entity = env.temporal.client.workflow.getHandle(targetStateWorkflowId('network', pod));
  const entityHistory = JSON.parse(historyToJSON(await entity.fetchHistory())) as unknown;
  await writeFile(
    out(name),
    `${JSON.stringify({ workflowId: entity.workflowId, history: entityHistory })}\n`,
  );
  process.stdout.write(`recorded ${name}\n`);
};
const chain = (name: string) => ({ chains: [{ name, direction: 'OUTPUT' as const }] });
if (wanted('target-state')) {
  const pod = replayPod('replay-pod');
  await states.set('network', 'fake://n1', pod, 'a', chain('A'));
  await states.set('network', 'fake://n1', pod, 'b', chain('B'));
  await states.remove('network', pod, 'a');
  await states.remove('network', pod, 'b');
  await saveEntity('target-state', pod);
}
if (wanted('target-state-grouped')) {
  const pod = replayPod('replay-grouped-pod');
  env.applier.delayMs = 300;
  const first = states.set('network', 'fake://n1', pod, 'a', chain('A'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all([
    first,
    ...['b', 'c', 'd'].map((k) => states.set('network', 'fake://n1', pod, k, chain(k))),
  ]);
  await Promise.all(['a', 'b', 'c', 'd'].map((k) => states.remove('network', pod, k)));
  env.applier.delayMs = 20;
  await saveEntity('target-state-grouped', pod);
}

await probe.close();
await env.stop();
