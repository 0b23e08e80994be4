/**
 * End to end through `chaosflow run` on the embedded stack with the real agent and a real service in a network
 * namespace: aborting the game day while its partition is held leaves no rule behind, and a fault held while
 * the agent is killed and restarted is still recovered.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunStatus } from '../../common/run-status.js';
import type { RunReport } from '../../report/report-model.js';
import { finalStatus } from '../../client/runs.js';
import { faultsQuery, statusQuery } from '../../workflows/messages.js';
import type { RunHandle } from '../../client/start-run.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { runCli, startCli } from '../harness/cli.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

let env: GameDayEnv;

async function waitFor(
  handle: RunHandle,
  predicate: (s: RunStatus) => boolean,
  timeoutMs = 60_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    if (status && predicate(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`run did not reach the state in time: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function newestRun(name: string): Promise<RunHandle> {
  for (let i = 0; i < 100; i++) {
    for await (const run of env.client.workflow.list({ query: `ChaosflowName = '${name}'` })) {
      return env.client.workflow.getHandle(run.workflowId);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no run of ${name}`);
}

describeWithNetns('game day end to end', () => {
  beforeAll(async () => {
    env = await startGameDayEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('leaves no rule behind when the game day is aborted (Ctrl-C in chaosflow run) while the partition is held', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'chaosflow-game-day-report-'));
    const reportFile = join(reports, 'aborted.json');
    const cli = startCli(['run', 'examples/game-day.yaml', '--report', reportFile, ...env.cliFlags]);
    const handle = await newestRun('game-day');
    await waitFor(handle, (s) => s.nodes['game-day/partition-and-observe/partition']?.targets?.length === 1);
    await expect
      .poll(async () => (await env.host.snapshot()).iptables, { timeout: 20_000 })
      .toMatch(/CHAOS-OUTPUT/);

    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.stderr).toMatch(/aborting: recovering every injected fault/);
    expect(result.code).toBe(130);
    const status = await finalStatus(handle);
    expect(status?.phase).toBe('Aborted');
    expect(status?.nodes['game-day/cpu-stress']).toBeUndefined();
    const faults = await handle.query(faultsQuery);
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((f) => f.state === 'Recovered')).toBe(true);
    expect(await env.host.snapshot()).toEqual(env.before);
    // The report of the aborted run: the abort on its timeline, the partition recovered in its ledger.
    expect(result.stderr).toContain(`report: ${reportFile}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
    expect(report.markers.map((m) => [m.kind, m.label])).toEqual([
      ['abort', 'abort: interrupted in chaosflow run'],
    ]);
    expect(report.faults.map((f) => [f.fault, f.state])).toContainEqual([
      'NetworkChaos/partition',
      'Recovered',
    ]);
    expect(report.verdict.passed).toBe(false);
    await rm(reports, { recursive: true, force: true });
  });

  it('recovers a fault held across a SIGKILL and restart of the agent', async () => {
    const started = await runCli(['run', 'examples/network-partition.yaml', '--detach', ...env.cliFlags]);
    expect(started.code).toBe(0);
    const handle: RunHandle = env.client.workflow.getHandle(started.stdout.trim());
    await waitFor(handle, (s) => Object.values(s.nodes).some((n) => n.targets?.length === 1));
    await expect
      .poll(async () => (await env.host.snapshot()).iptables, { timeout: 20_000 })
      .toMatch(/CHAOS-OUTPUT/);

    await env.killAgent();
    // Its journal keeps the fault (the target still runs); the rules stay in the namespace meanwhile.
    expect((await env.host.snapshot()).iptables).toMatch(/CHAOS-OUTPUT/);
    await env.restartAgent();

    const aborted = await runCli(['abort', handle.workflowId, ...env.cliFlags]);
    expect(aborted.code).toBe(0);
    expect(aborted.stderr).toMatch(/every fault recovered/);
    expect((await finalStatus(handle))?.phase).toBe('Aborted');
    expect(await env.host.snapshot()).toEqual(env.before);
  });
});
