/**
 * Performance at scale (issue 16): N concurrent game days on ONE chaosflow worker process, then the same on TWO
 * worker processes sharing the task queue, each configuration on a fresh Temporal dev server. A game day is a
 * Serial of a StatusCheck (two HTTP probes 1 s apart, against a server in this process) -> a Parallel of 3
 * StressChaos nodes (2 targets each) held for `hold` -> the same StatusCheck. The workers
 * (`scale-worker-process.ts`) are the real worker with FAKE targets, FAKE fault effects and FAKE agents that hold
 * every lease: the point is the worker and Temporal side (workflow tasks, activities, the per-run lease renewal
 * and its queries), not an agent, so faults cost nothing.
 *
 * What throughput means here: every run sleeps by its plan for hold + 4 s (the plan's time), whatever the
 * machine. So besides N / wall (runs/s, first start -> last close), the bench prints N / (wall - plan's time):
 * the runs per second the system orchestrated beyond the fixed sleep. With a fixed hold that is long against the
 * per-run work, wall = plan's time + the time the work of N runs took, so this second figure is the worker's and
 * Temporal's capacity, and the 2-worker/1-worker ratio is computed on it (N / wall is printed too).
 *
 * Per configuration: wall, throughput, run length, peak RSS of each worker process (VmHWM of /proc/PID/status;
 * also the part of it reached at start-up, when the worker, run from source with tsx, bundles the workflows with
 * webpack as the real worker does, and the highest VmRSS sampled while the runs went), inject latency (the
 * injectFaults activity's ActivityTaskScheduled -> ActivityTaskCompleted), workflow task latency
 * (WorkflowTaskScheduled -> WorkflowTaskStarted), workflow tasks per worker (all from every run's history, read
 * after the clock stopped), and the machine's CPU (busy share of all cores, CPU seconds of the workers, the dev
 * server, this client and every other process, load average): they share the machine's cores, which can bound
 * the ratio, and the output says when they did.
 * Goals: peak RSS under 400 MB on one worker; ratio >= 1.7.
 *
 *   npx tsx scripts/bench/scale-workers.ts [runs=200] [hold-seconds=15]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { startRun, type RunHandle } from '../../client/start-run.js';
import { PLAN_VERSION, type Plan, type PlanTemplate } from '../../common/plan.js';
import { dieWithParent } from '../../embedded/parent-death.js';
import { startTestTemporal, type TestTemporal } from '../../test/harness/temporal.js';

const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const runCount = Number(process.argv[2] ?? 200);
const holdMs = Number(process.argv[3] ?? 15) * 1000;
const PROBES = 2;
const PROBE_INTERVAL_S = 1;
/** What every run sleeps by its plan: two StatusChecks of PROBES probes an interval apart, and the hold. */
const planMs = 2 * PROBES * PROBE_INTERVAL_S * 1000 + holdMs;
const START_CONCURRENCY = 20;
const FETCH_CONCURRENCY = 10;
const workerScript = fileURLToPath(new URL('./scale-worker-process.ts', import.meta.url));
const say = (text: string) => process.stdout.write(`${text}\n`);

const probeServer = createServer((_req, res) => res.end('ok'));
await new Promise<void>((resolve) => probeServer.listen(0, '127.0.0.1', resolve));
const probeUrl = `http://127.0.0.1:${(probeServer.address() as AddressInfo).port}/`;

const check = (name: string): PlanTemplate => ({
  type: 'StatusCheck',
  name,
  check: {
    type: 'HTTP',
    mode: 'Synchronous',
    timeoutSeconds: 1,
    intervalSeconds: PROBE_INTERVAL_S,
    failureThreshold: 3,
    successThreshold: PROBES,
    recordsHistoryLimit: 10,
    http: { url: probeUrl, method: 'GET', headers: {}, criteria: { statusCode: { min: 200, max: 200 } } },
  },
  abortWithStatusCheck: true,
});
const stress = (run: number, c: number): PlanTemplate => ({
  type: 'Chaos',
  name: `stress-${c}`,
  deadlineMs: holdMs,
  chaos: {
    kind: 'StressChaos',
    oneShot: false,
    spec: {
      // FAKE targets (test/fakes/fake-target-resolver.ts): `<node>.<pod>`, both on one node, so one batch.
      selector: { pods: { default: [`node-${c}.r${run}-a`, `node-${c}.r${run}-b`] } },
      mode: 'all',
      stressors: { cpu: { workers: 1, load: 0 } },
    },
  },
});
function gameDay(run: number): Plan {
  const templates: PlanTemplate[] = [
    { type: 'Serial', name: 'game-day', children: ['before', 'faults', 'after'] },
    check('before'),
    { type: 'Parallel', name: 'faults', children: ['stress-0', 'stress-1', 'stress-2'] },
    stress(run, 0),
    stress(run, 1),
    stress(run, 2),
    check('after'),
  ];
  return {
    planVersion: PLAN_VERSION,
    source: {
      kind: 'Workflow',
      apiVersion: 'chaosflow.dev/v1alpha1',
      namespace: 'default',
      name: `scale-${run}`,
    },
    entry: 'game-day',
    templates: Object.fromEntries(templates.map((t) => [t.name, t])),
  };
}

interface Figures {
  workers: number;
  wallMs: number;
  throughput: number;
  throughputBeyondPlan: number;
  succeeded: number;
  runP50Ms: number;
  runP95Ms: number;
  /** VmHWM at the end: the peak over the process's life (the goal's figure). */
  peakRssMb: number[];
  /** VmHWM when the worker said it was ready: start-up (tsx, bundling the workflows with webpack). */
  readyRssMb: number[];
  /** The highest VmRSS sampled every 250 ms from the first start to the last close: the runs' own peak. */
  runRssMb: number[];
  injectP50Ms: number;
  injectP95Ms: number;
  /** injectFaults activities completed (the latencies' sample), of those scheduled. */
  injects: number;
  injectsScheduled: number;
  workflowTaskP50Ms: number;
  workflowTaskP95Ms: number;
  workflowTasks: number;
  workflowTasksPerWorker: number[];
  historiesRead: number;
  cpuBusyPct: number;
  cpuSeconds: { workers: number; devServer: number; bench: number; other: number };
  loadAverage: { before: number; after: number };
}

const ms = (event: HistoryEvent | undefined): number | undefined => {
  const t = event?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;
};
const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
/** Runs `fn` on every item, at most `limit` at once, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Busy and total clock ticks of all cores (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1);
  const ticks = fields.map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
}
/** utime + stime of a process, in clock ticks (/proc/PID/stat). */
function processTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(after[11] ?? 0) + Number(after[12] ?? 0);
  } catch {
    return 0;
  }
}
/** A memory figure of /proc/PID/status (VmHWM: peak resident set; VmRSS: resident now), in MB. */
function memoryMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) / 1024;
}
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
/** Clock ticks per second (USER_HZ): 100 on Linux. */
const HZ = 100;

let temporal: TestTemporal | undefined;
const workers: ChildProcess[] = [];

async function startWorker(address: string, taskQueue: string): Promise<ChildProcess> {
  const argv = dieWithParent(
    process.execPath,
    ['--import', 'tsx', workerScript, address, taskQueue],
    'SIGKILL',
  );
  const child = spawn(argv.command, argv.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker process exited early with ${code}`)));
  });
  return child;
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function stopAll(): Promise<void> {
  await stopWorkers();
  await temporal?.stop();
  temporal = undefined;
}

// On SIGINT the server is stopped under the open connections (closing them first would fail the runs' pending
// long polls with 'Channel has been shut down'), then its folder is removed and the process exits.
process.once('SIGINT', () => {
  say('scale-workers: interrupted, stopping the workers and the dev server');
  void (async () => {
    await stopWorkers();
    await temporal?.server.stop();
    if (temporal) await rm(temporal.dataDir, { recursive: true, force: true });
  })().finally(() => process.exit(130));
});

async function measure(workerCount: number): Promise<Figures> {
  temporal = await startTestTemporal({ workerLogLevel: 'ERROR' });
  const { client } = temporal;
  const taskQueue = `scale-${workerCount}`;
  const started = await Promise.all(
    Array.from({ length: workerCount }, () => startWorker(temporal!.address, taskQueue)),
  );
  const pids = started.map((w) => w.pid);
  const devServerPid = temporal.server.process.pid;
  const readyRss = pids.map((pid) => memoryMb(pid, 'VmHWM'));
  const runRss = pids.map(() => 0);
  const sampler = setInterval(() => {
    try {
      pids.forEach((pid, i) => (runRss[i] = Math.max(runRss[i] ?? 0, memoryMb(pid, 'VmRSS'))));
    } catch {
      // A worker that exited: its runs fail and the table says so.
    }
  }, 250);

  const load = loadAverage();
  const ticks = machineTicks();
  const workerTicks = pids.map(processTicks);
  const serverTicks = processTicks(devServerPid);
  const benchCpu = process.cpuUsage();
  const firstStart = Date.now();
  const ids = Array.from({ length: runCount }, (_, i) => i);
  const handles: RunHandle[] = await mapLimit(ids, START_CONCURRENCY, (i) =>
    startRun(client, { plan: gameDay(i), taskQueue, workflowId: `scale-${workerCount}w-${i}` }),
  );
  const phases: string[] = [];
  for (const handle of handles) {
    phases.push(
      await handle.result().then(
        (s) => s.phase,
        (err: unknown) => `error: ${String(err)}`,
      ),
    );
  }
  const ticksAfter = machineTicks();
  const workerTicksAfter = pids.map(processTicks);
  const serverTicksAfter = processTicks(devServerPid);
  const benchUsed = process.cpuUsage(benchCpu);
  const loadAfter = loadAverage();
  clearInterval(sampler);
  const rss = pids.map((pid) => memoryMb(pid, 'VmHWM'));

  // The histories are read after the clock has stopped (they do not weigh on the figures).
  const histories = await mapLimit(
    handles,
    FETCH_CONCURRENCY,
    async (h) => (await h.fetchHistory()).events ?? [],
  );
  let lastClose = firstStart;
  const runLengths: number[] = [];
  const injects: number[] = [];
  let injectsScheduled = 0;
  const workflowTasks: number[] = [];
  const tasksByIdentity = new Map<string, number>();
  for (const events of histories) {
    const begin = ms(events[0]);
    const end = ms(events.at(-1));
    if (end !== undefined) lastClose = Math.max(lastClose, end);
    if (begin !== undefined && end !== undefined) runLengths.push(end - begin);
    const injectScheduled = new Map<string, number>();
    const taskScheduled = new Map<string, number>();
    for (const e of events) {
      const at = ms(e) ?? 0;
      const id = e.eventId?.toString() ?? '';
      if (
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'injectFaults'
      ) {
        injectScheduled.set(id, at);
        injectsScheduled++;
      } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const from = injectScheduled.get(
          e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() ?? '',
        );
        if (from !== undefined) injects.push(at - from);
      } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        taskScheduled.set(id, at);
      } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        const attributes = e.workflowTaskStartedEventAttributes;
        const from = taskScheduled.get(attributes?.scheduledEventId?.toString() ?? '');
        if (from !== undefined) workflowTasks.push(at - from);
        const identity = attributes?.identity ?? '';
        tasksByIdentity.set(identity, (tasksByIdentity.get(identity) ?? 0) + 1);
      }
    }
  }
  await stopAll();

  const wallMs = lastClose - firstStart;
  const busy = ticksAfter.busy - ticks.busy;
  const cpu = {
    workers: workerTicksAfter.reduce((a, t, i) => a + t - (workerTicks[i] ?? 0), 0) / HZ,
    devServer: (serverTicksAfter - serverTicks) / HZ,
    bench: (benchUsed.user + benchUsed.system) / 1e6,
    other: 0,
  };
  cpu.other = Math.max(0, busy / HZ - cpu.workers - cpu.devServer - cpu.bench);
  return {
    workers: workerCount,
    wallMs,
    throughput: runCount / (wallMs / 1000),
    throughputBeyondPlan: runCount / ((wallMs - planMs) / 1000),
    succeeded: phases.filter((p) => p === 'Succeeded').length,
    runP50Ms: quantile(runLengths, 0.5),
    runP95Ms: quantile(runLengths, 0.95),
    peakRssMb: rss,
    readyRssMb: readyRss,
    runRssMb: runRss,
    injectP50Ms: quantile(injects, 0.5),
    injectP95Ms: quantile(injects, 0.95),
    injects: injects.length,
    injectsScheduled,
    workflowTaskP50Ms: quantile(workflowTasks, 0.5),
    workflowTaskP95Ms: quantile(workflowTasks, 0.95),
    workflowTasks: workflowTasks.length,
    workflowTasksPerWorker: pids.map((pid) =>
      [...tasksByIdentity]
        .filter(([identity]) => identity.startsWith(`${pid}@`))
        .reduce((a, [, n]) => a + n, 0),
    ),
    historiesRead: histories.length,
    cpuBusyPct: (100 * busy) / (ticksAfter.total - ticks.total),
    cpuSeconds: cpu,
    loadAverage: { before: load, after: loadAfter },
  };
}

try {
  const cores = availableParallelism();
  say(
    `scale: ${runCount} concurrent game days (StatusCheck of ${PROBES} HTTP probes ${PROBE_INTERVAL_S} s apart -> ` +
      `Parallel of 3 StressChaos, 2 targets each, held ${holdMs / 1000} s -> StatusCheck) on 1 and on 2 worker ` +
      `processes, one fresh dev server each; FAKE targets, fault effects and agents (the measure is the worker ` +
      `and Temporal, not an agent); ${cores} cores shared by the dev server, the workers and this client`,
  );
  const one = await measure(1);
  const two = await measure(2);
  const s = (x: number) => (x / 1000).toFixed(1);
  const rows: [string, (f: Figures) => string][] = [
    ['runs Succeeded', (f) => `${f.succeeded}/${runCount}`],
    ['wall, first start -> last close (s)', (f) => s(f.wallMs)],
    [`wall beyond the plan's ${s(planMs)} s (s)`, (f) => s(f.wallMs - planMs)],
    ['throughput, N / wall (runs/s)', (f) => f.throughput.toFixed(2)],
    ["throughput beyond the plan's time (runs/s)", (f) => f.throughputBeyondPlan.toFixed(2)],
    ['run length p50 / p95 (s)', (f) => `${s(f.runP50Ms)} / ${s(f.runP95Ms)}`],
    ['peak RSS per worker, VmHWM at the end (MB)', (f) => f.peakRssMb.map((m) => m.toFixed(0)).join(' / ')],
    ['  of which start-up: VmHWM at ready (MB)', (f) => f.readyRssMb.map((m) => m.toFixed(0)).join(' / ')],
    ['  while running: highest VmRSS sampled (MB)', (f) => f.runRssMb.map((m) => m.toFixed(0)).join(' / ')],
    ['inject scheduled -> completed p50 / p95 (ms)', (f) => `${f.injectP50Ms} / ${f.injectP95Ms}`],
    [
      'workflow task scheduled -> started p50 / p95 (ms)',
      (f) => `${f.workflowTaskP50Ms} / ${f.workflowTaskP95Ms}`,
    ],
    ['workflow tasks per worker', (f) => f.workflowTasksPerWorker.join(' / ')],
    ['injects completed / scheduled', (f) => `${f.injects} / ${f.injectsScheduled}`],
    [
      'CPU s per run, workers + dev server',
      (f) => ((f.cpuSeconds.workers + f.cpuSeconds.devServer) / runCount).toFixed(2),
    ],
    [`CPU busy, all ${cores} cores (%)`, (f) => f.cpuBusyPct.toFixed(0)],
    [
      'CPU s: workers / dev server / client / other',
      (f) =>
        [f.cpuSeconds.workers, f.cpuSeconds.devServer, f.cpuSeconds.bench, f.cpuSeconds.other]
          .map((x) => x.toFixed(1))
          .join(' / '),
    ],
    ['load average 1 min, start -> end', (f) => `${f.loadAverage.before} -> ${f.loadAverage.after}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  say(`  ${''.padEnd(width)}  ${'1 worker'.padStart(14)}  ${'2 workers'.padStart(14)}`);
  for (const [label, value] of rows) {
    say(`  ${label.padEnd(width)}  ${value(one).padStart(14)}  ${value(two).padStart(14)}`);
  }
  say(
    `  (latencies from ${one.historiesRead} + ${two.historiesRead} histories: ${one.injects} + ${two.injects} injects, ` +
      `${one.workflowTasks} + ${two.workflowTasks} workflow tasks)`,
  );
  const ratio = two.throughputBeyondPlan / one.throughputBeyondPlan;
  const rawRatio = two.throughput / one.throughput;
  const rss = Math.max(...one.peakRssMb);
  say(
    `  peak RSS of the one worker: ${rss.toFixed(0)} MB VmHWM (goal < 400 MB), ` +
      `${Math.max(...one.readyRssMb).toFixed(0)} MB of it reached at start-up (tsx and the webpack bundle of the ` +
      `workflows), ${Math.max(...one.runRssMb).toFixed(0)} MB at most while running`,
  );
  say(
    `  throughput 2 workers / 1 worker: ${ratio.toFixed(2)} beyond the plan's time (goal >= 1.7), ` +
      `${rawRatio.toFixed(2)} on N / wall`,
  );
  const cpuBound = two.cpuBusyPct >= 90;
  say(
    cpuBound
      ? `  bounded by CPU: the ${cores} cores were ${two.cpuBusyPct.toFixed(0)}% busy with 2 workers ` +
          `(dev server ${two.cpuSeconds.devServer.toFixed(0)} s, workers ${two.cpuSeconds.workers.toFixed(0)} s, ` +
          `other processes ${two.cpuSeconds.other.toFixed(0)} s): a second worker process adds no core`
      : `  not bounded by CPU: the ${cores} cores were ${two.cpuBusyPct.toFixed(0)}% busy with 2 workers`,
  );
  say(
    JSON.stringify({
      bench: 'scale-workers',
      runs: runCount,
      holdMs,
      planMs,
      cores,
      configurations: [one, two],
      ratio: Number(ratio.toFixed(3)),
      ratioOnWall: Number(rawRatio.toFixed(3)),
      cpuBound,
    }),
  );
} finally {
  await stopAll();
  probeServer.close();
}
