/**
 * chaosflow on a production-shaped Temporal cluster (`test/harness/temporal-cluster.ts`: four services in four
 * processes, PostgreSQL, 4 history shards, SQL visibility) with two `chaosflow worker` processes, the real agent
 * and a real service in a network namespace. Nothing in chaosflow knows it is not the dev server: the CLI gets
 * `--address` and `--namespace`, the workers `TEMPORAL_ADDRESS` and `TEMPORAL_NAMESPACE`, and nothing else.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finalStatus } from '../../client/runs.js';
import type { RunHandle } from '../../client/start-run.js';
import type { RunStatus } from '../../common/run-status.js';
import { netnsUnavailableReason } from '../../embedded/netns-host.js';
import { faultsQuery, statusQuery } from '../../workflows/messages.js';
import { runCli, type CliProcess } from '../harness/cli.js';
import { describeUnless } from '../harness/describe-unless.js';
import {
  TEMPORAL_CLUSTER_TOOLS,
  startTemporalCluster,
  type TemporalCluster,
} from '../harness/temporal-cluster.js';
import { missingTools } from '../../embedded/installed-tools.js';
import { startGameDayEnv, type GameDayEnv } from './game-day-env.js';

let cluster: TemporalCluster;
let env: GameDayEnv;
let manifests: string;

const unavailable =
  [netnsUnavailableReason(), missingTools(TEMPORAL_CLUSTER_TOOLS)].filter(Boolean).join('; ') || undefined;

/** A partition of the demo service held for `duration`, written to a file of its own. */
async function partitionManifest(name: string, duration: string): Promise<string> {
  const file = join(manifests, `${name}.yaml`);
  await writeFile(
    file,
    [
      'apiVersion: chaos-mesh.org/v1alpha1',
      'kind: NetworkChaos',
      'metadata:',
      `  name: ${name}`,
      '  namespace: default',
      'spec:',
      '  action: partition',
      '  mode: all',
      '  direction: to',
      '  externalTargets: [10.200.0.1]',
      '  selector:',
      '    labelSelectors: { app: demo }',
      `  duration: ${duration}`,
      '',
    ].join('\n'),
  );
  return file;
}

async function startDetached(file: string): Promise<RunHandle> {
  const started = await runCli(['run', file, '--detach', ...env.cliFlags]);
  expect(started.code, started.stderr).toBe(0);
  return env.client.workflow.getHandle(started.stdout.trim());
}

async function waitForStatus(
  handle: RunHandle,
  predicate: (s: RunStatus) => boolean,
  timeoutMs = 60_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    if (status && predicate(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`the run did not reach the state in time: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Until the partition is held: the rules are in the namespace and the ledger says Injected (the inject call returned). */
async function waitForHeldPartition(handle: RunHandle): Promise<void> {
  await waitForStatus(handle, (s) => Object.values(s.nodes).some((n) => n.targets?.length === 1));
  await expect
    .poll(async () => (await env.host.snapshot()).iptables, { timeout: 20_000 })
    .toMatch(/CHAOS-OUTPUT/);
  await expect
    .poll(async () => (await handle.query(faultsQuery)).map((f) => f.state), { timeout: 20_000 })
    .toEqual(['Injected']);
}

/** The identity (`pid@host`) of the worker that completed each workflow task of the run, in order. */
async function workflowTaskWorkers(handle: RunHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const events = (history.events ?? []) as temporal.api.history.v1.IHistoryEvent[];
  return events.flatMap((e) => {
    const completed = e.workflowTaskCompletedEventAttributes;
    return completed ? [completed.identity ?? ''] : [];
  });
}

function workerOf(identity: string | undefined): CliProcess | undefined {
  return env.workers.find((w) => identity?.startsWith(`${w.child.pid}@`) && w.child.exitCode === null);
}

async function expectEverythingRecovered(handle: RunHandle): Promise<void> {
  const faults = await handle.query(faultsQuery);
  expect(faults.length).toBeGreaterThan(0);
  expect(faults.map((f) => f.state)).toEqual(faults.map(() => 'Recovered'));
  expect(await env.host.snapshot()).toEqual(env.before);
}

describeUnless(
  unavailable,
  'game days on a Temporal cluster (PostgreSQL, one process per service, two workers)',
  () => {
    beforeAll(async () => {
      manifests = await mkdtemp(join(tmpdir(), 'chaosflow-cluster-manifests-'));
      cluster = await startTemporalCluster({ historyShards: 4 });
      console.info(`Temporal cluster ready in ${cluster.timings.totalMs} ms`);
      env = await startGameDayEnv({
        server: { address: cluster.address, namespace: cluster.namespace },
        workers: 2,
      });
    }, 600_000);
    afterAll(async () => {
      await env?.stop();
      await cluster?.stop();
      if (manifests) await rm(manifests, { recursive: true, force: true });
    });

    it('runs the README game day to Succeeded and lists it by its search attributes', async () => {
      const result = await runCli(['run', 'examples/game-day.yaml', ...env.cliFlags], { timeoutMs: 240_000 });
      expect(result.code, result.stderr).toBe(0);
      await expect
        .poll(
          async () => {
            const listed = await runCli([
              'list',
              '--name',
              'default/game-day',
              '--phase',
              'Succeeded',
              '-o',
              'json',
              ...env.cliFlags,
            ]);
            return (JSON.parse(listed.stdout || '[]') as { phase: string; kind: string }[]).map((r) => [
              r.kind,
              r.phase,
            ]);
          },
          { timeout: 20_000 },
        )
        .toEqual([['Workflow', 'Succeeded']]);
      expect(await env.host.snapshot()).toEqual(env.before);
    }, 300_000);

    it('approves a gate through an update and fires a Schedule whose runs recover their faults', async () => {
      const gated = join(manifests, 'gated.yaml');
      await writeFile(
        gated,
        [
          'apiVersion: chaosflow.dev/v1alpha1',
          'kind: Workflow',
          'metadata: { name: gated, namespace: default }',
          'spec:',
          '  entry: gated',
          '  templates:',
          '    - { name: gated, templateType: Serial, deadline: 3m, children: [approval, partition] }',
          '    - { name: approval, templateType: Suspend, approval: true, deadline: 2m }',
          '    - name: partition',
          '      templateType: NetworkChaos',
          '      deadline: 3s',
          '      networkChaos:',
          '        action: partition',
          '        mode: all',
          '        direction: to',
          '        externalTargets: [10.200.0.1]',
          '        selector: { labelSelectors: { app: demo } }',
          '',
        ].join('\n'),
      );
      const handle = await startDetached(gated);
      await waitForStatus(handle, (s) => s.nodes['gated/approval']?.awaitingApproval === true);
      expect((await env.host.snapshot()).iptables).not.toMatch(/CHAOS-OUTPUT/);
      const resumed = await runCli(['resume', handle.workflowId, ...env.cliFlags]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/approved/);
      expect((await finalStatus(handle))?.phase).toBe('Succeeded');
      await expectEverythingRecovered(handle);

      const schedule = join(manifests, 'schedule.yaml');
      await writeFile(
        schedule,
        [
          'apiVersion: chaos-mesh.org/v1alpha1',
          'kind: Schedule',
          'metadata: { name: cluster-partition, namespace: default }',
          'spec:',
          "  schedule: '@every 5s'",
          '  type: NetworkChaos',
          '  concurrencyPolicy: Forbid',
          '  startingDeadlineSeconds: 30',
          '  networkChaos:',
          '    action: partition',
          '    mode: all',
          '    direction: to',
          '    externalTargets: [10.200.0.1]',
          '    selector: { labelSelectors: { app: demo } }',
          '    duration: 1s',
          '',
        ].join('\n'),
      );
      const applied = await runCli(['schedule', 'apply', schedule, ...env.cliFlags]);
      expect(applied.code, applied.stderr).toBe(0);
      try {
        await expect
          .poll(
            async () => {
              const listed = await runCli([
                'list',
                '--schedule',
                'default/cluster-partition',
                '--phase',
                'Succeeded',
                '-o',
                'json',
                ...env.cliFlags,
              ]);
              return (JSON.parse(listed.stdout || '[]') as unknown[]).length;
            },
            { timeout: 60_000, interval: 1_000 },
          )
          .toBeGreaterThanOrEqual(2);
      } finally {
        const deleted = await runCli(['schedule', 'delete', 'default/cluster-partition', ...env.cliFlags]);
        expect(deleted.code, deleted.stderr).toBe(0);
      }
      // The tick running at delete time still ends and recovers.
      await expect.poll(async () => env.host.snapshot(), { timeout: 30_000 }).toEqual(env.before);
    }, 300_000);

    it('continues a held fault on the other worker when the worker running it is SIGKILLed, and recovers it', async () => {
      expect(env.workers.filter((w) => w.child.exitCode === null)).toHaveLength(2);
      const handle = await startDetached(await partitionManifest('worker-kill', '15s'));
      await waitForHeldPartition(handle);
      // The run's workflow is cached on (sticky to) the worker that completed its last workflow task: that worker
      // holds the fault's timer and would recover it.
      const before = await workflowTaskWorkers(handle);
      const holder = before.at(-1);
      const victim = workerOf(holder);
      expect(victim, `no worker process has the identity ${holder}`).toBeDefined();
      victim!.child.kill('SIGKILL');
      await victim!.done;
      const killedAt = Date.now();

      expect((await finalStatus(handle))?.phase).toBe('Succeeded');
      await expectEverythingRecovered(handle);
      const after = (await workflowTaskWorkers(handle)).slice(before.length);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((identity) => identity === holder)).toEqual([]);
      console.info(
        `worker SIGKILL → run recovered by the other worker (${after.length} workflow tasks) ${Date.now() - killedAt} ms later`,
      );
      await env.addWorker();
    }, 300_000);

    it('resumes a held fault after a SIGKILL and restart of the history service, and recovers it', async () => {
      const handle = await startDetached(await partitionManifest('history-restart', '15s'));
      await waitForHeldPartition(handle);
      const restartedAt = Date.now();
      await cluster.restartService('history', { kill: true });
      console.info(`history restarted in ${Date.now() - restartedAt} ms`);
      expect((await finalStatus(handle))?.phase).toBe('Succeeded');
      await expectEverythingRecovered(handle);
      const disk = await cluster.diskUsage();
      console.info(
        `after the game days: PostgreSQL data ${(disk.postgresBytes / 1e6).toFixed(1)} MB, logs ${(disk.logBytes / 1e3).toFixed(0)} kB`,
      );
    }, 300_000);

    it('resumes a held fault after a restart of PostgreSQL, and recovers it', async () => {
      const handle = await startDetached(await partitionManifest('postgres-restart', '15s'));
      await waitForHeldPartition(handle);
      const restartedAt = Date.now();
      await cluster.postgres.restart();
      console.info(`PostgreSQL restarted in ${Date.now() - restartedAt} ms`);
      expect((await finalStatus(handle))?.phase).toBe('Succeeded');
      await expectEverythingRecovered(handle);
    }, 300_000);

    it('loses nothing when every worker is replaced one by one (SIGTERM) during the README game day', async () => {
      const started = await runCli(['run', 'examples/game-day.yaml', '--detach', ...env.cliFlags]);
      expect(started.code, started.stderr).toBe(0);
      const handle: RunHandle = env.client.workflow.getHandle(started.stdout.trim());
      await waitForStatus(
        handle,
        (s) => s.nodes['game-day/partition-and-observe/partition']?.targets?.length === 1,
      );
      const old = env.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
      expect(old).toHaveLength(2);
      const rolledAt = Date.now();
      for (const worker of old) {
        await env.addWorker();
        worker.child.kill('SIGTERM');
        const exit = await worker.done;
        expect(exit.stderr).toMatch(/"msg":"worker stopped"/);
      }
      console.info(`rolling restart of 2 workers took ${Date.now() - rolledAt} ms`);
      const status = await finalStatus(handle);
      expect(status?.phase).toBe('Succeeded');
      expect(status?.nodes['game-day/cpu-stress']?.phase).toBe('Succeeded');
      await expectEverythingRecovered(handle);
    }, 300_000);
  },
);
