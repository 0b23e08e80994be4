/**
 * One Temporal dev server and one chaosflow worker per test file, with the real interpreter and HTTP probe and
 * the FAKE fault driver and target resolver (the point of these tests is orchestration).
 */
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ChaosflowActivities } from '../../activities/contract.js';
import { createActivities } from '../../activities/create-activities.js';
import { startRun, type RunHandle } from '../../client/start-run.js';
import type { Plan } from '../../common/plan.js';
import type { RunStatus } from '../../common/run-status.js';
import { statusQuery } from '../../workflows/messages.js';
import { createChaosflowWorker } from '../../worker/create-worker.js';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';
import { FakeFaultDriver, sameDriverForEveryKind } from '../fakes/fake-fault-driver.js';
import { FakeTargetResolver } from '../fakes/fake-target-resolver.js';
import { FakeTargetStateApplier } from '../fakes/fake-target-state-applier.js';
import {
  connectTestTemporal,
  startTestTemporal,
  type TemporalConnections,
  type TestTemporalOptions,
} from '../harness/temporal.js';

export interface InterpreterEnv {
  temporal: TemporalConnections;
  driver: FakeFaultDriver;
  targets: FakeTargetResolver;
  applier: FakeTargetStateApplier;
  taskQueue: string;
  start(plan: Plan): Promise<RunHandle>;
  /** Polls the `status` query until `predicate` holds (default timeout 30 s). */
  waitForStatus(
    handle: RunHandle,
    predicate: (s: RunStatus) => boolean,
    timeoutMs?: number,
  ): Promise<RunStatus>;
  /** Stops the worker (or a replacement passed to `replaceWorker`). */
  stopWorker(): Promise<void>;
  /**
   * Starts a new worker on the same server and task queue (after `stopWorker`), with the chaosflow workflows or
   * another bundle of them (a changed version joining while runs are open).
   */
  startWorker(workflows?: WorkflowBundleWithSourceMap): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

export interface InterpreterEnvOptions {
  /** Activities in place of the real ones (FAKEs of a test). */
  activities?: Partial<ChaosflowActivities>;
  /** The worker's activity slots; default the worker's own. */
  maxConcurrentActivities?: number;
  /** A Temporal something else runs (the tests' Temporal cluster) instead of a dev server of this env's own. */
  server?: { address: string; namespace: string };
}

export async function startInterpreterEnv(
  options: TestTemporalOptions = {},
  envOptions: InterpreterEnvOptions = {},
): Promise<InterpreterEnv> {
  const temporal = envOptions.server
    ? await connectTestTemporal(envOptions.server.address, envOptions.server.namespace)
    : await startTestTemporal(options);
  const bundle = await bundleWorkflows();
  const driver = new FakeFaultDriver();
  const targets = new FakeTargetResolver();
  const applier = new FakeTargetStateApplier();
  const taskQueue = `interpreter-${process.pid}-${++counter}`;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const env: InterpreterEnv = {
    temporal,
    driver,
    targets,
    applier,
    taskQueue,
    start: (plan) => startRun(temporal.client, { plan, taskQueue }),
    async waitForStatus(handle, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: RunStatus | undefined;
      while (Date.now() < deadline) {
        last = await handle.query(statusQuery);
        if (predicate(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `status did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      );
    },
    async startWorker(workflows = bundle) {
      worker = await createChaosflowWorker({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        activities: {
          ...createActivities({
            targets,
            drivers: sameDriverForEveryKind(driver),
            applyTargetState: applier.apply,
          }),
          ...envOptions.activities,
        },
        bundle: workflows,
        shutdownGraceMs: 1_000,
        ...(envOptions.maxConcurrentActivities
          ? { maxConcurrentActivities: envOptions.maxConcurrentActivities }
          : {}),
      });
      running = worker.run();
    },
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async stop() {
      await env.stopWorker();
      await temporal.stop();
    },
  };
  await env.startWorker();
  return env;
}
