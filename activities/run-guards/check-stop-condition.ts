/**
 * `checkStopCondition`: reads one stop condition from Prometheus once. An alert fires when Prometheus reports it
 * firing with every given label; a PromQL condition when a sample satisfies its criteria (or, without criteria,
 * when there is any sample). Prometheus being unreachable or answering an error is an answer too
 * (`unavailable`), so the workflow decides by the condition's `onUnavailable` instead of retrying blindly.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { PlanStopCondition } from '../../common/plan.js';
import type { StopConditionCheck } from '../contract.js';
import { instantQuery } from '../probes/prometheus-probe.js';
import { checkValue } from '../probes/value-criteria.js';

interface AlertsAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { alerts?: { labels?: Record<string, string>; state?: string; value?: string }[] };
}

const TIMEOUT_SECONDS = 10;

export async function checkStopCondition(
  condition: PlanStopCondition,
  defaultEndpoint: string | undefined,
  signal?: AbortSignal,
): Promise<StopConditionCheck> {
  const at = new Date().toISOString();
  const endpoint = condition.endpoint ?? defaultEndpoint;
  if (!endpoint) {
    return {
      at,
      fired: false,
      unavailable: true,
      detail: 'no Prometheus: give the stop condition an endpoint or the worker --prometheus-url',
    };
  }
  try {
    return { at, unavailable: false, ...(await read(condition.watch, endpoint, signal)) };
  } catch (err) {
    return { at, fired: false, unavailable: true, detail: `Prometheus at ${endpoint}: ${errorMessage(err)}` };
  }
}

async function read(
  watch: PlanStopCondition['watch'],
  endpoint: string,
  signal: AbortSignal | undefined,
): Promise<{ fired: boolean; detail: string }> {
  if (watch.type === 'PromQL') {
    const values = await instantQuery(endpoint, watch.query, TIMEOUT_SECONDS, signal);
    if (!watch.criteria) {
      return values.length > 0
        ? { fired: true, detail: `${watch.query} returned ${values.join(',')}` }
        : { fired: false, detail: `${watch.query} returned no sample` };
    }
    const hit = values.find((value) => checkValue(value, watch.criteria).ok);
    return hit === undefined
      ? { fired: false, detail: `${watch.query} = ${values.join(',') || 'no sample'}` }
      : { fired: true, detail: `${watch.query} = ${hit}` };
  }
  const url = new URL('api/v1/alerts', endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const timeout = AbortSignal.timeout(TIMEOUT_SECONDS * 1000);
  const response = await fetch(url, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
  const answer = (await response.json()) as AlertsAnswer;
  if (answer.status !== 'success') throw new Error(answer.error ?? `HTTP ${response.status}`);
  const firing = (answer.data?.alerts ?? []).find(
    (alert) =>
      alert.state === 'firing' &&
      alert.labels?.['alertname'] === watch.alert &&
      Object.entries(watch.labels).every(([key, value]) => alert.labels?.[key] === value),
  );
  if (!firing) return { fired: false, detail: `alert ${watch.alert} is not firing` };
  const labels = Object.entries(firing.labels ?? {})
    .filter(([key]) => key !== 'alertname')
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return {
    fired: true,
    detail: `alert ${watch.alert}{${labels}} is firing${firing.value ? ` (value ${readableValue(firing.value)})` : ''}`,
  };
}

/** Prometheus's alerts API writes values as Go's %e ("9e+00"); a person reads 9. */
function readableValue(value: string): string {
  const n = Number(value);
  return Number.isFinite(n) ? String(n) : value;
}
