/**
 * The controller's metrics (served on `--metrics-address`):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_controller_reconcile_duration_seconds` | histogram | `kind` (Workflow, Schedule, the chaos kinds), `outcome` (success, failure) |
 * | `chaosflow_controller_leader` | gauge | — : 1 while this replica holds the Lease |
 *
 * Object names and namespaces are never labels; the reconcile log lines carry them.
 */
import { Gauge, type Registry } from 'prom-client';
import { boundedHistogram } from '../telemetry/bounded-metrics.js';
import { OUTCOMES } from '../telemetry/fault-metrics.js';
import { DURATION_BUCKETS } from '../telemetry/metric-registry.js';
import { RESOURCES } from './resource-kinds.js';
import type { Work } from './work-queue.js';

const KINDS = RESOURCES.map((r) => r.kind);

export class ControllerMetrics {
  readonly #reconcile;

  constructor(
    readonly registry: Registry,
    leading: () => boolean,
  ) {
    this.#reconcile = boundedHistogram(registry, {
      name: 'chaosflow_controller_reconcile_duration_seconds',
      help: 'Time of one reconcile of a chaosflow object, by kind and outcome',
      labels: { kind: KINDS, outcome: OUTCOMES },
      buckets: DURATION_BUCKETS,
    });
    new Gauge({
      name: 'chaosflow_controller_leader',
      help: 'Whether this replica holds the Lease and works the queue (1) or waits (0)',
      registers: [registry],
      collect() {
        this.set(leading() ? 1 : 0);
      },
    });
  }

  /** `work`, timed per key (`<plural>/<namespace>/<name>`: only the plural's kind is recorded). */
  timed(work: Work): Work {
    return async (key) => {
      const kind = RESOURCES.find((r) => r.plural === key.split('/')[0])?.kind ?? '';
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await work(key);
        this.#reconcile.observe({ kind, outcome: 'success' }, seconds());
        return result;
      } catch (err) {
        this.#reconcile.observe({ kind, outcome: 'failure' }, seconds());
        throw err;
      }
    };
  }
}
