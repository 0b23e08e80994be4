import { describe, expect, it } from 'vitest';
import { SUPPORTED_CHAOS_KINDS } from '../../../common/chaos-kinds.js';
import { PROBE_TYPES, RUN_EVENTS } from '../../../common/plan.js';
import { TERMINAL_PHASES } from '../../../common/run-status.js';
import { boundLabel, boundLabels, maxSeries, OTHER } from '../../../telemetry/bounded-labels.js';
import { createMetricRegistry } from '../../../telemetry/metric-registry.js';
import { STOP_REASONS, STOP_WATCHES } from '../../../telemetry/run-guard-metrics.js';
import { createWorkerMetrics } from '../../../telemetry/worker-metrics.js';

/** What must never become a label value: run ids, target keys, manifest names, odd characters. */
const hostile = Array.from(
  { length: 500 },
  (_, i) =>
    [
      `chaosflow-default-game-day-${i}`,
      `default/demo-${i}/server`,
      `e2f1c6a0-${i.toString(16)}`,
      `podchaos`,
      `Pod"Chaos\n${i}`,
    ][i % 5]!,
);

describe('bounded labels', () => {
  it('keeps a value of the set and turns anything else into other', () => {
    expect(boundLabel(SUPPORTED_CHAOS_KINDS, 'NetworkChaos')).toBe('NetworkChaos');
    expect(boundLabel(SUPPORTED_CHAOS_KINDS, 'networkchaos')).toBe(OTHER);
    expect(boundLabel(SUPPORTED_CHAOS_KINDS, 'default/demo-0/server')).toBe(OTHER);
    expect(boundLabel(SUPPORTED_CHAOS_KINDS, '')).toBe(OTHER);
    expect(
      boundLabels({ kind: SUPPORTED_CHAOS_KINDS, outcome: ['success'] }, { kind: 'PodChaos', outcome: 'x' }),
    ).toEqual({
      kind: 'PodChaos',
      outcome: OTHER,
    });
  });

  it('bounds the series of every worker metric whatever the input, and no input reaches the scrape', async () => {
    const registry = createMetricRegistry();
    const metrics = createWorkerMetrics(registry);
    const inputs = [
      ...hostile,
      ...SUPPORTED_CHAOS_KINDS,
      ...PROBE_TYPES,
      ...TERMINAL_PHASES,
      ...RUN_EVENTS,
      ...STOP_WATCHES,
    ];
    for (const [i, value] of inputs.entries()) {
      metrics.faults.observe(i % 2 ? 'inject' : 'recover', value, 0.01, {
        outcome: i % 3 ? 'success' : (value as 'success'),
        succeeded: [value],
        failed: 1,
      });
      metrics.probes.observe(value, i % 2 ? 'success' : (value as 'error'), 0.02);
      metrics.runs.finished(value);
      metrics.guards.stopped(value, i % 2 ? 'fired' : (value as 'fired'));
      metrics.guards.notified(value, i % 3 ? 'failure' : (value as 'failure'), 0.03);
    }
    // prom-client's own view of every series (label sets; a histogram's `le` is not a series of its own).
    const series = new Map<string, Set<string>>();
    const allowed = new Set<string>([
      ...SUPPORTED_CHAOS_KINDS,
      ...PROBE_TYPES,
      ...TERMINAL_PHASES,
      ...RUN_EVENTS,
      ...STOP_WATCHES,
      ...STOP_REASONS,
      'success',
      'failure',
      'error',
      OTHER,
    ]);
    for (const metric of await registry.getMetricsAsJSON()) {
      const sets = series.get(metric.name) ?? new Set<string>();
      series.set(metric.name, sets);
      for (const { labels } of metric.values) {
        const { le: _le, ...rest } = labels;
        for (const value of Object.values(rest)) expect(allowed, `${metric.name}: ${value}`).toContain(value);
        sets.add(JSON.stringify(rest));
      }
    }
    const outcome = ['success', 'failure'];
    const limits: Record<string, number> = {
      chaosflow_fault_inject_duration_seconds: maxSeries({ kind: SUPPORTED_CHAOS_KINDS, outcome }),
      chaosflow_fault_recover_duration_seconds: maxSeries({ kind: SUPPORTED_CHAOS_KINDS, outcome }),
      chaosflow_fault_recover_failures_total: SUPPORTED_CHAOS_KINDS.length + 1,
      chaosflow_faults_held: SUPPORTED_CHAOS_KINDS.length + 1,
      chaosflow_probe_results_total: maxSeries({
        type: PROBE_TYPES,
        verdict: ['success', 'failure', 'error'],
      }),
      chaosflow_probe_duration_seconds: PROBE_TYPES.length + 1,
      chaosflow_runs_finished_total: TERMINAL_PHASES.length + 1,
      chaosflow_stop_conditions_fired_total: maxSeries({ watch: STOP_WATCHES, reason: STOP_REASONS }),
      chaosflow_notifications_total: maxSeries({ event: RUN_EVENTS, outcome }),
      chaosflow_notification_duration_seconds: outcome.length + 1,
    };
    expect([...series.keys()].sort()).toEqual(Object.keys(limits).sort());
    for (const [name, sets] of series) {
      expect(sets.size, name).toBeGreaterThan(1);
      expect(sets.size, name).toBeLessThanOrEqual(limits[name]!);
    }
    // The text a scrape gets holds none of the inputs.
    const text = await registry.metrics();
    for (const value of hostile) expect(text).not.toContain(value);
    // Every recover of an unknown kind (each with one failed target) fell into the one `other` series.
    const unknownRecovers = inputs.filter(
      (value, i) => i % 2 === 0 && !(SUPPORTED_CHAOS_KINDS as readonly string[]).includes(value),
    ).length;
    expect(unknownRecovers).toBeGreaterThan(hostile.length / 2 - 1);
    const failures = (await registry.getSingleMetric('chaosflow_fault_recover_failures_total')?.get())
      ?.values;
    expect(failures?.find((v) => v.labels['kind'] === OTHER)?.value).toBe(unknownRecovers);
  });
});
