/**
 * The janitor on real parts (the embedded stack, the real agent, a service in a network namespace): a run
 * terminated with the Temporal CLI while its partition is held, and a run that hits its workflow execution
 * timeout, ran no chaosflow code afterwards — the janitor finds each, recovers what it left injected, and
 * `chaosflow get` says who did. Each case measures from the close to the service answering again.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_TASK_QUEUE, RUN_WORKFLOW_TYPE, type RunInput } from '../../common/run-input.js';
import { SA_KIND, SA_NAME, SA_NAMESPACE } from '../../common/search-attributes.js';
import { readManifestFile } from '../../manifests/read-manifests.js';
import type { Plan } from '../../common/plan.js';
import { faultsQuery } from '../../workflows/messages.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { runCli } from '../harness/cli.js';
import { requireTool } from '../../embedded/installed-tools.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

const run = promisify(execFile);
let env: GameDayEnv;

/** The partition's rules are in the target's namespace. */
async function waitForPartition(): Promise<void> {
  await expect
    .poll(async () => (await env.host.snapshot()).iptables, { timeout: 30_000, interval: 200 })
    .toMatch(/CHAOS-OUTPUT/);
}

/** Milliseconds from `since` until the namespace is as it was before any fault. */
async function msUntilClean(since: number): Promise<number> {
  await expect.poll(() => env.host.snapshot(), { timeout: 30_000, interval: 100 }).toEqual(env.before);
  return Date.now() - since;
}

/** The service answers from the host again. */
async function answers(): Promise<boolean> {
  const response = await fetch('http://10.200.0.2:8080/', { signal: AbortSignal.timeout(2_000) }).catch(
    () => undefined,
  );
  return response?.ok ?? false;
}

describeWithNetns('the janitor recovers runs that closed without recovering', () => {
  beforeAll(async () => {
    env = await startGameDayEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('recovers a partition held by a run terminated with the Temporal CLI, within 15 s', async () => {
    const started = await runCli(['run', 'examples/network-partition.yaml', '--detach', ...env.cliFlags]);
    expect(started.code, started.stderr).toBe(0);
    const workflowId = started.stdout.trim();
    await waitForPartition();

    const terminatedAt = Date.now();
    await run(requireTool('temporal'), [
      'workflow',
      'terminate',
      '--workflow-id',
      workflowId,
      '--reason',
      'clicked Terminate in the UI',
      '--address',
      env.address,
    ]);
    const cleanMs = await msUntilClean(terminatedAt);
    expect(cleanMs).toBeLessThan(15_000);
    expect(await answers()).toBe(true);
    console.log(`terminate → recovered by the janitor in ${cleanMs} ms`);

    // `chaosflow get` tells who recovered it, once the janitor has ended.
    await expect
      .poll(async () => (await runCli(['get', workflowId, ...env.cliFlags])).stdout, { timeout: 20_000 })
      .toMatch(/PHASE\s+Terminated while Running: RecoveredByJanitor/);
    const shown = await runCli(['get', workflowId, '-o', 'json', ...env.cliFlags]);
    const view = JSON.parse(shown.stdout) as {
      orphan: { phase: string; orphan: { closedAs: string }; faults: { state: string }[] };
    };
    expect(view.orphan.phase).toBe('RecoveredByJanitor');
    expect(view.orphan.orphan.closedAs).toBe('Terminated');
    expect(view.orphan.faults.length).toBe(1);
    expect(view.orphan.faults.every((f) => f.state === 'Recovered')).toBe(true);
    const text = await runCli(['get', workflowId, ...env.cliFlags]);
    expect(text.stdout).toMatch(/RECOVERY\s+by the janitor chaosflow-janitor\/\S+ at \S+: 1 of 1 fault/);
    // `list` says the same of it, not the Running its search attribute was left at.
    const list = await runCli(['list', '-o', 'json', ...env.cliFlags]);
    const listed = (JSON.parse(list.stdout) as { id: string; phase: string }[]).find(
      (r) => r.id === workflowId,
    );
    expect(listed?.phase).toBe('Terminated while Running: RecoveredByJanitor');

    // The janitor is findable in the Temporal UI by the orphan's id, and there is exactly one.
    const janitors: string[] = [];
    for await (const j of env.client.workflow.list({ query: `ChaosflowOrphan = '${workflowId}'` })) {
      janitors.push(j.workflowId);
    }
    expect(janitors).toHaveLength(1);
  }, 120_000);

  it('recovers a run that hit its workflow execution timeout', async () => {
    const read = await readManifestFile(join(import.meta.dirname, '../../examples/network-partition.yaml'));
    const plan = read.plans[0] as Plan;
    const input: RunInput = { plan };
    const workflowId = `chaosflow/default/network-partition/timed-out-${Date.now()}`;
    const handle = await env.client.workflow.start(RUN_WORKFLOW_TYPE, {
      taskQueue: DEFAULT_TASK_QUEUE,
      workflowId,
      args: [input],
      workflowExecutionTimeout: '6s',
      typedSearchAttributes: [
        { key: SA_KIND, value: plan.source.kind },
        { key: SA_NAMESPACE, value: plan.source.namespace },
        { key: SA_NAME, value: plan.source.name },
      ],
    });
    await waitForPartition();
    // The partition lasts 30 s; the run times out first, with its fault still injected.
    await expect(handle.result()).rejects.toThrow(/timed out/i);
    const timedOutAt = Date.now();
    expect((await handle.query(faultsQuery)).map((f) => f.state)).toEqual(['Injected']);
    const cleanMs = await msUntilClean(timedOutAt);
    console.log(`timed out → recovered by the janitor in ${cleanMs} ms`);
    await expect
      .poll(async () => (await runCli(['get', workflowId, ...env.cliFlags])).stdout, { timeout: 20_000 })
      .toMatch(/PHASE\s+TimedOut while Running: RecoveredByJanitor/);
    const { orphan } = JSON.parse(
      (await runCli(['get', workflowId, '-o', 'json', ...env.cliFlags])).stdout,
    ) as {
      orphan: {
        orphan: { closedAt: string };
        startedAt: string;
        endedAt: string;
        faults: { recoveredAt: string }[];
      };
    };
    console.log(
      `closed ${orphan.orphan.closedAt}, janitor started ${orphan.startedAt}, recovered ` +
        `${orphan.faults[0]?.recoveredAt}, janitor ended ${orphan.endedAt}`,
    );
    expect(cleanMs).toBeLessThan(15_000);
  }, 120_000);
});
