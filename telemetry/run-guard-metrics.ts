/**
 * What the worker's run guards record (stop conditions and notifications, `activities/run-guards/`):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_stop_conditions_fired_total` | counter | `watch` (Alert, PromQL), `reason` (fired, unavailable: Prometheus unreadable with `onUnavailable: Stop`) |
 * | `chaosflow_notifications_total` | counter | `event` (Started, Aborted, Failed, Recovered, Finished), `outcome` (success, failure) |
 * | `chaosflow_notification_duration_seconds` | histogram | `outcome` |
 *
 * A condition's or a webhook's name is the manifest's, so it is never a label: the run's status and report
 * say which one stopped the run.
 */
import type { Registry } from 'prom-client';
import { RUN_EVENTS } from '../common/plan.js';
import { boundedCounter, boundedHistogram } from './bounded-metrics.js';
import { OUTCOMES, type Outcome } from './fault-metrics.js';
import { DURATION_BUCKETS } from './metric-registry.js';

export const STOP_WATCHES = ['Alert', 'PromQL'] as const;
export const STOP_REASONS = ['fired', 'unavailable'] as const;

export class RunGuardMetrics {
  readonly #stops;
  readonly #notifications;
  readonly #notificationDuration;

  constructor(registry: Registry) {
    this.#stops = boundedCounter(registry, {
      name: 'chaosflow_stop_conditions_fired_total',
      help: 'Stop conditions that stopped a run, by what they watch and why',
      labels: { watch: STOP_WATCHES, reason: STOP_REASONS },
    });
    this.#notifications = boundedCounter(registry, {
      name: 'chaosflow_notifications_total',
      help: 'Webhook notifications sent (each activity execution, retries included), by run event and outcome',
      labels: { event: RUN_EVENTS, outcome: OUTCOMES },
    });
    this.#notificationDuration = boundedHistogram(registry, {
      name: 'chaosflow_notification_duration_seconds',
      help: 'Time of one notification activity execution, by outcome',
      labels: { outcome: OUTCOMES },
      buckets: DURATION_BUCKETS,
    });
  }

  stopped(watch: string, reason: (typeof STOP_REASONS)[number]): void {
    this.#stops.inc({ watch, reason });
  }

  notified(event: string, outcome: Outcome, seconds: number): void {
    this.#notifications.inc({ event, outcome });
    this.#notificationDuration.observe({ outcome }, seconds);
  }
}
