/**
 * prom-client counters, gauges and histograms whose labels are bounded (`bounded-labels.ts`): the label names
 * come from the spec, and every value passes through it before it reaches the metric.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { boundLabels, type LabelInput, type LabelSpec } from './bounded-labels.js';

interface Definition<S extends LabelSpec> {
  name: string;
  help: string;
  labels: S;
}

export interface BoundedCounter<S extends LabelSpec> {
  inc(labels: LabelInput<S>, by?: number): void;
}

export interface BoundedGauge<S extends LabelSpec> {
  set(labels: LabelInput<S>, value: number): void;
}

export interface BoundedHistogram<S extends LabelSpec> {
  observe(labels: LabelInput<S>, value: number): void;
}

export function boundedCounter<S extends LabelSpec>(
  registry: Registry,
  { name, help, labels }: Definition<S>,
): BoundedCounter<S> {
  const counter = new Counter({ name, help, labelNames: Object.keys(labels), registers: [registry] });
  return { inc: (input, by = 1) => counter.inc(boundLabels(labels, input), by) };
}

export function boundedGauge<S extends LabelSpec>(
  registry: Registry,
  { name, help, labels }: Definition<S>,
): BoundedGauge<S> {
  const gauge = new Gauge({ name, help, labelNames: Object.keys(labels), registers: [registry] });
  return { set: (input, value) => gauge.set(boundLabels(labels, input), value) };
}

export function boundedHistogram<S extends LabelSpec>(
  registry: Registry,
  { name, help, labels, buckets }: Definition<S> & { buckets: number[] },
): BoundedHistogram<S> {
  const histogram = new Histogram({
    name,
    help,
    buckets,
    labelNames: Object.keys(labels),
    registers: [registry],
  });
  return { observe: (input, value) => histogram.observe(boundLabels(labels, input), value) };
}
