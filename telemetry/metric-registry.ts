/**
 * One prom-client registry per process (never prom-client's global one, so that several workers or agents in
 * one process, as in tests and the embedded stack, do not collide), with the process and Node.js metrics
 * (`process_*`, `nodejs_*`) when asked for.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Buckets of chaosflow's duration histograms, seconds: daemon calls take milliseconds, pod-kill seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetricRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}
