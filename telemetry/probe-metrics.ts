/**
 * What the worker's probe activities record:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_probe_results_total` | counter | `type` (HTTP, Command, Prometheus, Kubernetes), `verdict` (success, failure, error) |
 * | `chaosflow_probe_duration_seconds` | histogram | `type` |
 *
 * `failure` is a probe that ran and did not pass; `error` one that could not run (a bad setting, a missing
 * Prometheus), thrown by the activity.
 */
import type { Registry } from 'prom-client';
import { PROBE_TYPES } from '../common/plan.js';
import { boundedCounter, boundedHistogram } from './bounded-metrics.js';
import { DURATION_BUCKETS } from './metric-registry.js';

export const VERDICTS = ['success', 'failure', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

export class ProbeMetrics {
  readonly #results;
  readonly #duration;

  constructor(registry: Registry) {
    this.#results = boundedCounter(registry, {
      name: 'chaosflow_probe_results_total',
      help: 'Probe executions by probe type and verdict',
      labels: { type: PROBE_TYPES, verdict: VERDICTS },
    });
    this.#duration = boundedHistogram(registry, {
      name: 'chaosflow_probe_duration_seconds',
      help: 'Time of one probe execution, by probe type',
      labels: { type: PROBE_TYPES },
      buckets: DURATION_BUCKETS,
    });
  }

  observe(type: string, verdict: Verdict, seconds: number): void {
    this.#results.inc({ type, verdict });
    this.#duration.observe({ type }, seconds);
  }
}
