/**
 * Fault calls heartbeat while they run (every 2 s, well inside the 10 s heartbeat timeout of their stubs in
 * workflows/activity-stubs.ts and workflows/target-state-workflow.ts): an abort reaches an inject (its calls
 * stop), and a worker that dies under a call is noticed after the heartbeat timeout, not the 90 s
 * start-to-close, so the retry on another worker, or the recover after it, comes at once.
 */
import { heartbeat } from '@temporalio/activity';

export const FAULT_CALL_HEARTBEAT_MS = 2_000;

export async function whileHeartbeating<T>(call: () => Promise<T>): Promise<T> {
  const beat = setInterval(() => heartbeat(), FAULT_CALL_HEARTBEAT_MS);
  try {
    return await call();
  } finally {
    clearInterval(beat);
  }
}
