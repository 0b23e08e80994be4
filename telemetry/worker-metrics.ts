/** The worker's metrics, on one registry: faults, probes, runs, run guards (see each file for names and labels). */
import type { Registry } from 'prom-client';
import { FaultMetrics } from './fault-metrics.js';
import { ProbeMetrics } from './probe-metrics.js';
import { RunGuardMetrics } from './run-guard-metrics.js';
import { RunMetrics } from './run-metrics.js';

export interface WorkerMetrics {
  readonly faults: FaultMetrics;
  readonly probes: ProbeMetrics;
  readonly runs: RunMetrics;
  readonly guards: RunGuardMetrics;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  return Object.freeze({
    faults: new FaultMetrics(registry),
    probes: new ProbeMetrics(registry),
    runs: new RunMetrics(registry),
    guards: new RunGuardMetrics(registry),
  });
}
