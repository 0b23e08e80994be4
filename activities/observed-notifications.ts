/** A webhook notification as the worker sees it: counted by event and outcome, timed, and logged. */
import type { Logger } from 'pino';
import type { RunGuardMetrics } from '../telemetry/run-guard-metrics.js';

export async function observeNotification(
  event: string,
  metrics: RunGuardMetrics,
  log: Logger,
  send: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    await send();
  } catch (err) {
    metrics.notified(event, 'failure', seconds());
    log.warn({ err }, 'notification failed');
    throw err;
  }
  metrics.notified(event, 'success', seconds());
  log.info({ ms: Math.round(seconds() * 1000) }, 'notification sent');
}
