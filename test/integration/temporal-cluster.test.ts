/**
 * The production-shaped Temporal cluster of the test harness (`test/harness/temporal-cluster.ts`): four services
 * in four processes on PostgreSQL, several history shards, SQL visibility with chaosflow's search attributes,
 * a workflow served end to end, and a teardown that leaves no process, port or folder.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHAOSFLOW_SEARCH_ATTRIBUTES, SA_NAME } from '../../common/search-attributes.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import {
  TEMPORAL_CLUSTER_TOOLS,
  TEMPORAL_SERVICES,
  startTemporalCluster,
  type TemporalCluster,
} from '../harness/temporal-cluster.js';
import type { fixtureGreeting } from '../fixtures/workflows/greeting.js';
import { processRunning } from '../harness/process-running.js';

const workflowsPath = fileURLToPath(new URL('../fixtures/workflows/greeting.ts', import.meta.url));

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describeWithTools(
  TEMPORAL_CLUSTER_TOOLS,
  'Temporal cluster harness (PostgreSQL, one process per service)',
  () => {
    let cluster: TemporalCluster;
    let connection: Connection;

    beforeAll(async () => {
      if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
      cluster = await startTemporalCluster({ historyShards: 4 });
      connection = await Connection.connect({ address: cluster.address });
      const { timings } = cluster;
      const disk = await cluster.diskUsage();
      console.info(
        `Temporal cluster ready in ${timings.totalMs} ms (initdb ${timings.initdbMs} ms, PostgreSQL ${timings.postgresMs} ms, ` +
          `schemas ${timings.schemaMs} ms, services ${timings.servicesMs} ms); PostgreSQL data ` +
          `${(disk.postgresBytes / 1e6).toFixed(1)} MB, logs ${(disk.logBytes / 1e3).toFixed(0)} kB`,
      );
    }, 400_000);
    afterAll(async () => {
      await connection?.close();
      await cluster?.stop();
    });

    test('runs each service in its own process, with 4 history shards and SQL visibility on PostgreSQL', async () => {
      const pids = TEMPORAL_SERVICES.map((name) => cluster.service(name).pid);
      expect(new Set(pids).size).toBe(4);
      for (const name of TEMPORAL_SERVICES) expect(cluster.service(name).alive, name).toBe(true);
      const memory = await cluster.memoryUsage();
      console.info(
        `resident memory: ${TEMPORAL_SERVICES.map((name) => `${name} ${(memory[name] / 1e6).toFixed(0)} MB`).join(', ')}`,
      );
      const info = await connection.workflowService.getClusterInfo({});
      expect(info.historyShardCount).toBe(4);
      expect(info.persistenceStore).toBe('postgres12');
      expect(info.visibilityStore).toBe('postgres12');
    });

    test("registers chaosflow's search attributes as Keywords in the default namespace", async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: cluster.namespace,
      });
      for (const key of CHAOSFLOW_SEARCH_ATTRIBUTES) {
        expect(customAttributes?.[key.name], key.name).toBe(encodeSearchAttributeIndexedValueType(key.type));
      }
    });

    test('serves a workflow, finds it by a chaosflow search attribute, and survives a restart of history', async () => {
      const native = await NativeConnection.connect({ address: cluster.address });
      const client = new Client({ connection, namespace: cluster.namespace });
      try {
        const worker = await Worker.create({
          connection: native,
          namespace: cluster.namespace,
          taskQueue: 'cluster-harness',
          workflowsPath,
        });
        await worker.runUntil(async () => {
          for (const round of ['before', 'after']) {
            const workflowId = `cluster-harness-${round}`;
            const result = await client.workflow.execute<typeof fixtureGreeting>('fixtureGreeting', {
              taskQueue: 'cluster-harness',
              workflowId,
              args: [round],
              typedSearchAttributes: [{ key: SA_NAME, value: workflowId }],
            });
            expect(result).toBe(`hello, ${round}`);
            await expect
              .poll(
                async () => {
                  const found = [];
                  for await (const run of client.workflow.list({ query: `ChaosflowName = '${workflowId}'` }))
                    found.push(run.workflowId);
                  return found;
                },
                { timeout: 20_000 },
              )
              .toEqual([workflowId]);
            if (round === 'before') await cluster.restartService('history', { kill: true });
          }
        });
      } finally {
        await native.close();
      }
    });

    test('stop() leaves no process, port or folder behind', async () => {
      const pids = [
        ...TEMPORAL_SERVICES.map((name) => cluster.service(name).pid!),
        cluster.postgres.process.pid!,
      ];
      const { ports, dir } = cluster;
      await connection.close();
      await cluster.stop();
      expect(pids.filter(processRunning)).toEqual([]);
      const open = [];
      for (const port of ports) if (await accepts(port)) open.push(port);
      expect(open).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    });
  },
);
