/**
 * What the worker records when a run ends:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_runs_finished_total` | counter | `phase` (Succeeded, Failed, Aborted, DeadlineExceeded, RecoveryFailed) |
 *
 * Recorded by the worker that completes the run's last workflow task (through a workflow sink, never during
 * replay), so each run counts once across a fleet of workers.
 */
import type { Registry } from 'prom-client';
import { TERMINAL_PHASES } from '../common/run-status.js';
import { boundedCounter } from './bounded-metrics.js';

export class RunMetrics {
  readonly #finished;

  constructor(registry: Registry) {
    this.#finished = boundedCounter(registry, {
      name: 'chaosflow_runs_finished_total',
      help: 'Runs that ended, by final phase',
      labels: { phase: TERMINAL_PHASES },
    });
  }

  finished(phase: string): void {
    this.#finished.inc({ phase });
  }
}
