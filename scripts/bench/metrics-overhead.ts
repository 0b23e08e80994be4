/**
 * Micro-benchmark of the worker's telemetry: (1) what the instrumentation adds to one inject activity execution
 * (child logger, per-target log lines to a file, histogram, held-fault gauge), against the same activity without
 * it, both in a mock activity context over a driver that does nothing; (2) the size and render time of a
 * scrape with every series of every worker family present (the most the bounded labels allow).
 * Prints a table and JSON on stdout.
 *
 *   npx tsx scripts/bench/metrics-overhead.ts [iterations=2000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { pino } from 'pino';
import type { FaultBatch, FaultBatchResult } from '../../activities/contract.js';
import { createActivities } from '../../activities/create-activities.js';
import { callDriver, type FaultDriver, type FaultDrivers } from '../../activities/faults/fault-driver.js';
import { SUPPORTED_CHAOS_KINDS, type ChaosKind } from '../../common/chaos-kinds.js';
import { PROBE_TYPES, RUN_EVENTS } from '../../common/plan.js';
import { TERMINAL_PHASES } from '../../common/run-status.js';
import { createMetricRegistry } from '../../telemetry/metric-registry.js';
import { STOP_REASONS, STOP_WATCHES } from '../../telemetry/run-guard-metrics.js';
import { createWorkerMetrics } from '../../telemetry/worker-metrics.js';

const iterations = Math.max(200, Number(process.argv[2] ?? 2000));

const noop: FaultDriver<ChaosKind> = {
  inject: (batch) => Promise.resolve({ results: batch.targets.map(({ key }) => ({ key, ok: true })) }),
  recover: (batch) => Promise.resolve({ results: batch.targets.map(({ key }) => ({ key, ok: true })) }),
};
const drivers = Object.fromEntries(SUPPORTED_CHAOS_KINDS.map((k) => [k, noop])) as FaultDrivers;

function batch(i: number): FaultBatch {
  return {
    run: { workflowId: `bench/${i}`, namespace: 'default', name: 'bench' },
    nodeId: 'bench/partition',
    chaos: { kind: 'NetworkChaos', action: 'partition', oneShot: false, spec: {} } as FaultBatch['chaos'],
    endpoint: '127.0.0.1:31767',
    targets: [0, 1, 2].map((t) => ({
      key: `bench/${i}/bench/partition/default/pod-${t}/c`,
      target: {
        key: `default/pod-${t}/c`,
        namespace: 'default',
        pod: `pod-${t}`,
        container: 'c',
        containerId: 'pid://1',
        node: 'n',
      },
    })),
  };
}

async function timeEach(run: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations + 50; i++) {
    const t0 = performance.now();
    await run(i);
    if (i >= 50) samples.push((performance.now() - t0) * 1000);
  }
  return samples.sort((a, b) => a - b);
}

const median = (s: readonly number[]): number => Math.round((s[Math.floor(s.length / 2)] ?? NaN) * 10) / 10;
const p95 = (s: readonly number[]): number => Math.round((s[Math.floor(s.length * 0.95)] ?? NaN) * 10) / 10;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-metrics-'));
  try {
    const env = new MockActivityEnvironment(
      { workflowExecution: { workflowId: 'bench', runId: 'run' }, activityType: 'injectFaults' },
      { logger: new DefaultLogger('ERROR') },
    );
    const signal = new AbortController().signal;
    const raw = await timeEach((i) =>
      env.run((): Promise<FaultBatchResult> => callDriver(drivers, 'inject', batch(i), signal)),
    );
    const registry = createMetricRegistry();
    const activities = createActivities({
      targets: { resolve: () => Promise.resolve({ groups: [] }) },
      drivers,
      applyTargetState: () => Promise.resolve({}),
      logger: pino({ level: 'info' }, pino.destination({ dest: join(dir, 'log.json'), sync: false })),
      metrics: createWorkerMetrics(registry),
    });
    const observed = await timeEach((i) => env.run(() => activities.injectFaults(batch(i))));

    // Every series the bounded labels allow, then one scrape.
    const full = createMetricRegistry({ processMetrics: true });
    const metrics = createWorkerMetrics(full);
    for (const kind of [...SUPPORTED_CHAOS_KINDS, 'other']) {
      for (const outcome of ['success', 'failure'] as const) {
        metrics.faults.observe('inject', kind, 0.1, { outcome, succeeded: [kind], failed: 1 });
        metrics.faults.observe('recover', kind, 0.1, { outcome, succeeded: [kind], failed: 1 });
      }
    }
    for (const type of [...PROBE_TYPES, 'other'])
      for (const verdict of ['success', 'failure', 'error'] as const)
        metrics.probes.observe(type, verdict, 0.1);
    for (const phase of [...TERMINAL_PHASES, 'other']) metrics.runs.finished(phase);
    for (const watch of [...STOP_WATCHES, 'other'])
      for (const reason of STOP_REASONS) metrics.guards.stopped(watch, reason);
    for (const event of [...RUN_EVENTS, 'other'])
      for (const outcome of ['success', 'failure'] as const) metrics.guards.notified(event, outcome, 0.1);
    const renders: number[] = [];
    let text = '';
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      text = await full.metrics();
      renders.push(performance.now() - t0);
    }
    renders.sort((a, b) => a - b);
    const chaosflowBytes = text
      .split('\n')
      .filter((l) => /^(# (HELP|TYPE) )?chaosflow_/.test(l))
      .reduce((n, l) => n + l.length + 1, 0);

    const figures = {
      iterations,
      injectActivityMicros: {
        withoutTelemetry: { median: median(raw), p95: p95(raw) },
        withTelemetry: { median: median(observed), p95: p95(observed) },
        addedMedian: Math.round((median(observed) - median(raw)) * 10) / 10,
      },
      fullScrape: {
        bytes: text.length,
        chaosflowBytes,
        lines: text.split('\n').length,
        renderMsMedian: Math.round((renders[25] ?? NaN) * 100) / 100,
      },
    };
    process.stdout.write(
      [
        `inject activity, 3 targets, µs   median   p95`,
        `  without telemetry            ${String(figures.injectActivityMicros.withoutTelemetry.median).padStart(7)} ${String(figures.injectActivityMicros.withoutTelemetry.p95).padStart(6)}`,
        `  with telemetry               ${String(figures.injectActivityMicros.withTelemetry.median).padStart(7)} ${String(figures.injectActivityMicros.withTelemetry.p95).padStart(6)}`,
        `scrape with every worker series: ${figures.fullScrape.bytes} bytes (${chaosflowBytes} of chaosflow_*), ` +
          `${figures.fullScrape.lines} lines, rendered in ${figures.fullScrape.renderMsMedian} ms (median)`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
