/**
 * Recovery layer 3: a worker killed with SIGKILL while a fault is held. Temporal replays the run on a new worker,
 * which holds the fault to its deadline and recovers it. The worker runs in its own process with the
 * file-backed FAKE fault driver, so what each process injected and recovered is visible after the kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRun } from '../../client/start-run.js';
import { faultsQuery, statusQuery } from '../../workflows/messages.js';
import { readFaultLog, stillInjected } from '../fakes/file-fault-driver.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal.js';
import { chaos, plan, serial, suspend } from './plan-builder.js';

const workerScript = fileURLToPath(new URL('../fixtures/fake-worker-process.ts', import.meta.url));
let temporal: TestTemporal;
let dir: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  temporal = await startTestTemporal();
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-crash-'));
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await temporal?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function startWorkerProcess(taskQueue: string, log: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, temporal.address, taskQueue, log], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
  });
  return child;
}

it('recovers a held fault after the worker is killed with SIGKILL and a new one takes over', async () => {
  const taskQueue = 'crash-test';
  const log = join(dir, 'faults.jsonl');
  const first = await startWorkerProcess(taskQueue, log);
  const handle = await startRun(temporal.client, {
    taskQueue,
    plan: plan(
      'main',
      serial('main', ['net', 'after']),
      chaos('net', ['pod-a', 'pod-b'], { deadlineMs: 6000 }),
      suspend('after', 200),
    ),
  });
  // Kill only once the run has recorded both injects: a kill between the driver's write and the activity's
  // completion would make Temporal retry the inject on the new worker (harmless, but not what this test is about).
  const injected = async () => (await handle.query(faultsQuery)).filter((f) => f.state === 'Injected').length;
  for (let i = 0; i < 100 && (await injected()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await injected()).toBe(2);
  expect(stillInjected(readFaultLog(log))).toHaveLength(2);

  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const second = await startWorkerProcess(taskQueue, log);

  const status = await handle.result();
  expect(status.phase).toBe('Succeeded');
  const lines = readFaultLog(log);
  expect(stillInjected(lines)).toEqual([]);
  // The killed worker injected; the new one recovered; nothing was injected twice.
  expect(lines.filter((l) => l.op === 'inject').every((l) => l.pid === first.pid)).toBe(true);
  expect(lines.filter((l) => l.op === 'recover').every((l) => l.pid === second.pid)).toBe(true);
  expect(lines.filter((l) => l.op === 'inject')).toHaveLength(2);
  expect((await handle.query(statusQuery)).nodes['main/after']?.phase).toBe('Succeeded');
});
