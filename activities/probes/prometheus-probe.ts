/**
 * A Prometheus probe: a PromQL instant query (`/api/v1/query`); success when every sample of the result (a
 * scalar, or each series of a vector) satisfies the criteria. An empty result, an error answer or an unreachable
 * Prometheus fails the probe, saying which.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { PlanPrometheusProbe } from '../../common/plan.js';
import type { ProbeRecord } from '../../common/run-status.js';
import { checkValue } from './value-criteria.js';
import { startProbeRecord } from './probe-record.js';

interface QueryAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown };
}

export async function prometheusProbe(
  probe: PlanPrometheusProbe,
  defaultEndpoint: string | undefined,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<ProbeRecord> {
  const record = startProbeRecord();
  const endpoint = probe.endpoint ?? defaultEndpoint;
  if (!endpoint)
    return record(false, 'no Prometheus: give the probe an endpoint or the worker --prometheus-url');
  let values: string[];
  try {
    values = await instantQuery(endpoint, probe.query, timeoutSeconds, signal);
  } catch (err) {
    return record(false, errorMessage(err));
  }
  if (values.length === 0) return record(false, `the query returned no result`);
  for (const value of values) {
    const verdict = checkValue(value, probe.criteria);
    if (!verdict.ok) return record(false, verdict.why, values.join(','));
  }
  return record(true, values.join(','), values.join(','));
}

/** The sample values of an instant query, as Prometheus writes them (decimal strings, `NaN`, `+Inf`). */
export async function instantQuery(
  endpoint: string,
  query: string,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const url = new URL('api/v1/query', endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  url.searchParams.set('query', query);
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const response = await fetch(url, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout }).catch(
    (err: unknown) => {
      throw new Error(
        timeout.aborted
          ? `Prometheus did not answer in ${timeoutSeconds}s`
          : `cannot reach Prometheus at ${endpoint}: ${errorMessage(err)}`,
      );
    },
  );
  const answer = (await response
    .json()
    .catch(() => ({ status: 'error', error: `HTTP ${response.status}` }))) as QueryAnswer;
  if (answer.status !== 'success' || !answer.data) {
    throw new Error(`Prometheus refused the query: ${answer.error ?? `HTTP ${response.status}`}`);
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar' || resultType === 'string') return [String((result as [number, string])[1])];
  if (resultType === 'vector') return (result as { value: [number, string] }[]).map((s) => s.value[1]);
  throw new Error(`the query gave a ${resultType}; use an instant vector or a scalar`);
}
