/**
 * The whole fault path for integration tests: a Temporal dev server; a worker whose activities are the real
 * ones (`createActivities` with the real target resolver over a host inventory the test writes, the real fault
 * drivers and the real per-family state appliers, so network faults go through the per-target entity
 * workflow); and a real chaosflow agent on a loopback port. Runs are started from manifests, as the CLI does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { stringify } from 'yaml';
import { createActivities } from '../../../activities/create-activities.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { createDaemonConnector } from '../../../activities/faults/daemon-connector.js';
import { createFaultDrivers } from '../../../activities/faults/drivers.js';
import { createTargetStateApplier } from '../../../activities/faults/per-target-state/apply-target-state.js';
import { createTargetStateClient } from '../../../activities/faults/per-target-state/entity-client.js';
import { InventoryTargetSource } from '../../../activities/targets/inventory.js';
import { createTargetExpanders } from '../../../activities/faults/target-expanders.js';
import { createTargetResolver } from '../../../activities/targets/resolve-targets.js';
import { startRun, type RunHandle } from '../../../client/start-run.js';
import type { FaultEntry } from '../../../common/run-status.js';
import { readManifestText } from '../../../manifests/read-manifests.js';
import { createChaosflowWorker } from '../../../worker/create-worker.js';
import { bundleWorkflows } from '../../../worker/workflow-bundle.js';
import { faultsQuery } from '../../../workflows/messages.js';
import { startAgentFixture, type AgentFixture } from '../agent/agent-fixture.js';
import { toolPath } from '../../../embedded/installed-tools.js';
import { startTestTemporal, type TestTemporal } from '../../harness/temporal.js';

export interface InventoryPod {
  name: string;
  labels: Record<string, string>;
  ips?: string[];
  containers: { name: string; pid: number }[];
}

export interface FaultEnv {
  readonly temporal: TestTemporal;
  readonly agent: AgentFixture;
  readonly inventoryFile: string;
  /** Replaces the inventory: one node `local` served by the agent, these pods in namespace `default`. */
  writeInventory(pods: readonly InventoryPod[]): Promise<void>;
  /** Compiles one manifest and starts its run. */
  run(yaml: string): Promise<RunHandle>;
  /** Polls the run's fault ledger until `predicate` holds (default timeout 30 s). */
  waitForFaults(
    handle: RunHandle,
    predicate: (faults: FaultEntry[]) => boolean,
    timeoutMs?: number,
  ): Promise<FaultEntry[]>;
  stop(): Promise<void>;
}

export async function startFaultEnv(): Promise<FaultEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-faults-'));
  const inventoryFile = join(dir, 'inventory.yaml');
  const agent = await startAgentFixture({ iofs: toolPath('chaosflow-iofs') });
  const temporal = await startTestTemporal();
  const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
  const source = new InventoryTargetSource(inventoryFile);
  const daemons = createDaemonConnector(pool, source);
  const taskQueue = `faults-${process.pid}`;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let version = 0;

  const env: FaultEnv = {
    temporal,
    agent,
    inventoryFile,
    async writeInventory(pods) {
      version += 1;
      const document = {
        apiVersion: 'chaosflow.dev/v1alpha1',
        kind: 'Inventory',
        nodes: [
          { name: 'local', labels: { version: String(version) }, daemon: { address: agent.agent.address } },
        ],
        pods: pods.map((p) => ({
          namespace: 'default',
          name: p.name,
          labels: p.labels,
          node: 'local',
          ...(p.ips ? { ips: p.ips } : {}),
          containers: p.containers.map((c) => ({ name: c.name, id: `pid://${c.pid}` })),
        })),
      };
      await writeFile(inventoryFile, stringify(document));
    },
    async run(yaml) {
      const result = readManifestText(yaml, 'test.yaml');
      const plan = result.plans[0];
      if (result.errors.length > 0 || !plan)
        throw new Error(`bad manifest: ${JSON.stringify(result.errors)}`);
      return startRun(temporal.client, { plan, taskQueue });
    },
    async waitForFaults(handle, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: FaultEntry[] = [];
      while (Date.now() < deadline) {
        last = await handle.query(faultsQuery);
        if (predicate(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `the fault ledger did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(last)}`,
      );
    },
    async stop() {
      worker?.shutdown();
      await running;
      pool.close();
      await temporal.stop();
      await agent.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    worker = await createChaosflowWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      activities: createActivities({
        targets: createTargetResolver(source, Math.random, createTargetExpanders(source)),
        drivers: createFaultDrivers({
          pool,
          source,
          connector: daemons,
          targetState: createTargetStateClient(temporal.client, taskQueue),
        }),
        applyTargetState: createTargetStateApplier({ pool, source }),
        // As the worker has them: the lease renewal and the halt guard run in these tests too.
        client: temporal.client,
        daemons,
      }),
      bundle: await bundleWorkflows(),
      shutdownGraceMs: 2_000,
    });
    running = worker.run();
  } catch (err) {
    await env.stop();
    throw err;
  }
  return env;
}
