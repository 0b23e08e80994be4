import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHAOSFLOW_SEARCH_ATTRIBUTES } from '../../common/search-attributes.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal.js';
import type { fixtureGreeting } from '../fixtures/workflows/greeting.js';

const workflowsPath = fileURLToPath(new URL('../fixtures/workflows/greeting.ts', import.meta.url));

async function registeredSearchAttributes(temporal: TestTemporal): Promise<Record<string, number>> {
  const response = await temporal.connection.operatorService.listSearchAttributes({
    namespace: temporal.namespace,
  });
  return response.customAttributes ?? {};
}

function expectChaosflowSearchAttributes(registered: Record<string, number>): void {
  for (const key of CHAOSFLOW_SEARCH_ATTRIBUTES) {
    expect(registered[key.name], key.name).toBe(encodeSearchAttributeIndexedValueType(key.type));
  }
}

describeWithTools(['temporal'], 'Temporal dev server harness', () => {
  let temporal: TestTemporal;

  beforeAll(async () => {
    temporal = await startTestTemporal();
    console.info(`Temporal dev server ready in ${temporal.startupMs} ms`);
  });
  afterAll(async () => {
    await temporal?.stop();
  });

  test('registers every chaosflow search attribute as a Keyword', async () => {
    expectChaosflowSearchAttributes(await registeredSearchAttributes(temporal));
  });

  test('runs a workflow on a worker connected through the harness', async () => {
    const taskQueue = 'harness-in-memory';
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowsPath,
    });
    const result = await worker.runUntil(
      temporal.client.workflow.execute<typeof fixtureGreeting>('fixtureGreeting', {
        taskQueue,
        workflowId: 'harness-in-memory',
        args: ['memory'],
      }),
    );
    expect(result).toBe('hello, memory');
  });
});

describeWithTools(['temporal'], 'Temporal dev server with persist', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chaosflow-temporal-persist-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('keeps a completed workflow and its history across a restart on the same data dir', async () => {
    const workflowId = 'survives-restart';
    const taskQueue = 'harness-persist';
    let eventsBefore: number;

    const first = await startTestTemporal({ dataDir, persist: true });
    try {
      const worker = await Worker.create({
        connection: first.nativeConnection,
        namespace: first.namespace,
        taskQueue,
        workflowsPath,
      });
      const result = await worker.runUntil(
        first.client.workflow.execute<typeof fixtureGreeting>('fixtureGreeting', {
          taskQueue,
          workflowId,
          args: ['disk'],
        }),
      );
      expect(result).toBe('hello, disk');
      eventsBefore = (await first.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
      expect(eventsBefore).toBeGreaterThan(5);
    } finally {
      await first.stop();
    }

    const second = await startTestTemporal({ dataDir, persist: true });
    try {
      expect(second.address).not.toBe(first.address);
      const handle = second.client.workflow.getHandle<typeof fixtureGreeting>(workflowId);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(await handle.result()).toBe('hello, disk');
      const history = await handle.fetchHistory();
      expect(history.events?.length).toBe(eventsBefore);
      // Registering the search attributes again on an existing database is harmless.
      expectChaosflowSearchAttributes(await registeredSearchAttributes(second));
    } finally {
      await second.stop();
    }
  });
});
