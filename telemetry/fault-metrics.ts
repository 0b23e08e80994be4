/**
 * What the worker's inject and recover activities record, per chaos kind:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_fault_inject_duration_seconds` | histogram | `kind`, `outcome` (success, failure) |
 * | `chaosflow_fault_recover_duration_seconds` | histogram | `kind`, `outcome` |
 * | `chaosflow_faults_held` | gauge | `kind`: targets this worker injected and has not yet seen recovered |
 * | `chaosflow_fault_recover_failures_total` | counter | `kind`: targets whose recover call failed (each attempt) |
 *
 * One observation per activity execution (one daemon's batch of targets). `faults_held` counts target keys, so
 * a repeated inject of the same key is counted once; a fault recovered by another worker (after a crash) stays
 * counted here until this process restarts, so sum it across workers with that in mind.
 */
import type { Registry } from 'prom-client';
import { SUPPORTED_CHAOS_KINDS } from '../common/chaos-kinds.js';
import { boundLabel } from './bounded-labels.js';
import { boundedCounter, boundedGauge, boundedHistogram, type BoundedHistogram } from './bounded-metrics.js';
import { DURATION_BUCKETS } from './metric-registry.js';

export const OUTCOMES = ['success', 'failure'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const KIND = { kind: SUPPORTED_CHAOS_KINDS } as const;
const KIND_OUTCOME = { kind: SUPPORTED_CHAOS_KINDS, outcome: OUTCOMES } as const;

export type FaultOp = 'inject' | 'recover';

export class FaultMetrics {
  readonly #duration: Record<FaultOp, BoundedHistogram<typeof KIND_OUTCOME>>;
  readonly #recoverFailures;
  readonly #held;
  /** Keys of the held faults, by bounded kind. */
  readonly #heldKeys = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const histogram = (op: FaultOp) =>
      boundedHistogram(registry, {
        name: `chaosflow_fault_${op}_duration_seconds`,
        help: `Time of one ${op} activity execution (one daemon's batch of targets), by chaos kind and outcome`,
        labels: KIND_OUTCOME,
        buckets: DURATION_BUCKETS,
      });
    this.#duration = { inject: histogram('inject'), recover: histogram('recover') };
    this.#recoverFailures = boundedCounter(registry, {
      name: 'chaosflow_fault_recover_failures_total',
      help: 'Targets whose recover call failed (each attempt counts), by chaos kind',
      labels: KIND,
    });
    this.#held = boundedGauge(registry, {
      name: 'chaosflow_faults_held',
      help: 'Targets this worker injected a fault into and has not yet seen recovered, by chaos kind',
      labels: KIND,
    });
  }

  /** One inject or recover execution: its time, whether it succeeded, and the targets it changed. */
  observe(
    op: FaultOp,
    kind: string,
    seconds: number,
    result: { outcome: Outcome; succeeded: readonly string[]; failed: number },
  ): void {
    this.#duration[op].observe({ kind, outcome: result.outcome }, seconds);
    if (op === 'recover' && result.failed > 0) this.#recoverFailures.inc({ kind }, result.failed);
    const bounded = boundLabel(SUPPORTED_CHAOS_KINDS, kind);
    let keys = this.#heldKeys.get(bounded);
    if (!keys) this.#heldKeys.set(bounded, (keys = new Set()));
    for (const key of result.succeeded) {
      if (op === 'inject') keys.add(key);
      else keys.delete(key);
    }
    this.#held.set({ kind }, keys.size);
  }
}
