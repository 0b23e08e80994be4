/**
 * A probe as the worker sees it: timed into the probe metrics by type and verdict (`error` when it could not
 * run at all; a cancelled one is not counted), and logged with its type, outcome and duration.
 */
import type { Logger } from 'pino';
import type { ProbeRecord } from '../common/run-status.js';
import type { ProbeMetrics } from '../telemetry/probe-metrics.js';

export async function observeProbe(
  type: string,
  metrics: ProbeMetrics,
  log: Logger,
  signal: AbortSignal,
  probe: () => Promise<ProbeRecord>,
): Promise<ProbeRecord> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let record: ProbeRecord;
  try {
    record = await probe();
  } catch (err) {
    // Cancelled (a Continuous or OnChaos probe when its fault ends): neither a verdict nor an error.
    if (signal.aborted) throw err;
    metrics.observe(type, 'error', seconds());
    log.warn({ err }, 'probe could not run');
    throw err;
  }
  if (signal.aborted) {
    // A probe cut short reports a failure it did not measure.
    log.debug({ detail: record.detail }, 'probe cancelled');
    return record;
  }
  metrics.observe(type, record.outcome === 'Success' ? 'success' : 'failure', seconds());
  log.info(
    { outcome: record.outcome, detail: record.detail, durationMs: record.durationMs },
    'probe finished',
  );
  return record;
}
