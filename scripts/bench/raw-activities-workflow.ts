/** Baseline for the interpreter benchmark: `n` plain activity round trips, one after the other. */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10s' });

export async function rawActivities(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await noop();
}
