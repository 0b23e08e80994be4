/** Workflows of the dev-server latency benchmark: a chain of activity round trips, and a series of timers. */
import { proxyActivities, sleep } from '@temporalio/workflow';

interface StampActivities {
  stamp(i: number): Promise<void>;
}

/**
 * `n` activities one after the other; the worker stamps the moment each one starts. Each activity also leaves
 * a timeout timer task on the server's timer queue, fired (as stale) `startToCloseMs` later.
 */
export async function activityChain(n: number, startToCloseMs = 10_000): Promise<void> {
  const { stamp } = proxyActivities<StampActivities>({ startToCloseTimeout: startToCloseMs });
  for (let i = 0; i < n; i++) await stamp(i);
}

/** One timer per entry, one after the other; their lateness is read from the history (TimerStarted/Fired). */
export async function timerSeries(durationsMs: number[]): Promise<void> {
  for (const ms of durationsMs) await sleep(ms);
}
