/**
 * Schedule latency: the delay from a tick's scheduled time to its first fault injected, for `@every` Schedule
 * manifests on the dev server with the in-process chaosflow worker and the FAKE driver (which timestamps every
 * inject). Split in two: Temporal's scheduler (scheduled time -> the time it took the action, from the
 * schedule's `recentActions`) and chaosflow (action taken -> first inject: run start, first workflow task, target
 * resolution, inject activity). Goal: p95 under 1 s.
 *
 * Measured at 1 s and at 2 s intervals because the dev server fires any workflow timer shorter than 1 s after
 * 1 s: at `@every 1s` Temporal's scheduler sleeps "1 s minus its own lateness", which becomes 1 s, so each tick
 * starts a little later than the one before until the lateness wraps around at 1 s. From 2 s up its sleeps are
 * exact.
 *
 *   npx tsx scripts/bench/schedule-latency.ts [ticks=30] [intervals=1s,2s] [concurrencyPolicy=Allow]
 */
import { deleteSchedule } from '../../client/schedules/schedule-operations.js';
import {
  chaosSchedule,
  sleep,
  startScheduleTestEnv,
  type ScheduleTestEnv,
  type Tick,
} from '../../test/integration/schedules/schedule-test-env.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';

// Only errors from the SDK: runs that end Aborted or Failed on purpose would otherwise log warnings.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const ticks = Number(process.argv[2] ?? 30);
const intervals = (process.argv[3] ?? '1s,2s').split(',');
const policy = process.argv[4] ?? 'Allow';
const WARM_UP = 2;

const t = await startScheduleTestEnv();
try {
  const lines: string[] = [];
  for (const [i, interval] of intervals.entries())
    lines.push(...(await measure(t, `latency-${i}`, interval)));
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await t.stop();
}

async function measure(env: ScheduleTestEnv, name: string, interval: string): Promise<string[]> {
  const { scheduleId } = await env.apply(
    chaosSchedule(name, { schedule: `@every ${interval}`, duration: '100ms', policy }),
  );
  const handle = env.env.temporal.client.schedule.getHandle(scheduleId);
  // `describe` lists only the last 10 actions: poll it while the ticks come in.
  const takenAt = new Map<string, number>();
  const deadline = Date.now() + (ticks + WARM_UP) * 10_000 + 30_000;
  let measured: Tick[] = [];
  while (Date.now() < deadline) {
    for (const action of (await handle.describe()).info.recentActions) {
      takenAt.set(action.action.workflow.workflowId, action.takenAt.getTime());
    }
    measured = env.ticks(scheduleId).filter((k) => k.injects.length > 0 && takenAt.has(k.workflowId));
    if (measured.length >= ticks + WARM_UP) break;
    await sleep(1_000);
  }
  await deleteSchedule(env.env.temporal.client, name, { abortRunning: true });
  const sample = measured.slice(WARM_UP, WARM_UP + ticks);
  if (sample.length < ticks)
    throw new Error(`only ${sample.length} of ${ticks} ticks measured at ${interval}`);
  const total = sample.map((k) => k.injects[0]! - k.scheduledAt);
  const scheduler = sample.map((k) => takenAt.get(k.workflowId)! - k.scheduledAt);
  const chaosflow = sample.map((k) => k.injects[0]! - takenAt.get(k.workflowId)!);
  return [
    `schedule latency, @every ${interval} (${policy}), ${sample.length} ticks after ${WARM_UP} warm-up ticks`,
    `  scheduled time -> first inject:  ${stats(total)}  (goal: p95 < 1000 ms)`,
    `    Temporal scheduler (-> taken): ${stats(scheduler)}`,
    `    chaosflow (taken -> inject):   ${stats(chaosflow)}`,
  ];
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(7);
  return `median ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(sorted.at(-1)!)}`;
}
