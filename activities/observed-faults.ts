/**
 * Inject and recover as the worker sees them: each execution is timed into the fault metrics (per kind and
 * outcome), and each target's result is logged on its own line with its `target` key, a warning when it
 * failed or came back with a message ("target gone: counted as recovered").
 */
import type { Logger } from 'pino';
import type { FaultMetrics, FaultOp } from '../telemetry/fault-metrics.js';
import type { FaultBatch, FaultBatchResult } from './contract.js';

const DONE = { inject: 'fault injected', recover: 'fault recovered' } as const;
const FAILED = { inject: 'inject failed', recover: 'recover failed' } as const;

export async function observeFaultCall(
  op: FaultOp,
  batch: FaultBatch,
  metrics: FaultMetrics,
  log: Logger,
  call: () => Promise<FaultBatchResult>,
): Promise<FaultBatchResult> {
  const { kind } = batch.chaos;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let result: FaultBatchResult;
  try {
    result = await call();
  } catch (err) {
    metrics.observe(op, kind, seconds(), { outcome: 'failure', succeeded: [], failed: batch.targets.length });
    log.warn({ err, targets: batch.targets.map((t) => t.target.key) }, FAILED[op]);
    throw err;
  }
  const succeeded = result.results.filter((r) => r.ok).map((r) => r.key);
  const failed = result.results.length - succeeded.length;
  metrics.observe(op, kind, seconds(), {
    outcome: failed === 0 ? 'success' : 'failure',
    succeeded,
    failed,
  });
  const targetOf = new Map(batch.targets.map((t) => [t.key, t.target.key]));
  for (const r of result.results) {
    const fields = {
      target: targetOf.get(r.key) ?? r.key,
      ...(r.message ? { reason: r.message } : {}),
      ...(r.ok ? {} : { retryable: r.retryable !== false }),
    };
    if (r.ok && !r.message) log.info(fields, DONE[op]);
    else log.warn(fields, r.ok ? DONE[op] : FAILED[op]);
  }
  return result;
}
