import { JSONPath } from 'jsonpath-plus';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { ProbeRecord } from '../../common/run-status.js';
import type { ProbeInput } from '../contract.js';
import { asText, checkValue } from './value-criteria.js';
import { startProbeRecord } from './probe-record.js';

/** The body is read only when a criterion needs it, and at most this much of it. */
const BODY_LIMIT = 1024 * 1024;

/**
 * One HTTP probe of a StatusCheck, as Chaos Mesh's: success when the status code is in the criteria range;
 * a transport error or a timeout is a failure. chaosflow's criteria add what the body must hold (contains, a
 * regular expression, a JSONPath's value) and a response-time limit. Never throws for a failed probe: the
 * outcome is the result, with what was measured as its `value`.
 */
export async function httpProbe(input: ProbeInput, signal?: AbortSignal): Promise<ProbeRecord> {
  const { http, timeoutSeconds } = input;
  const started = Date.now();
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const headers = new Headers();
  for (const [name, values] of Object.entries(http.headers))
    for (const value of values) headers.append(name, value);
  const record = startProbeRecord();
  try {
    const response = await fetch(http.url, {
      method: http.method,
      headers,
      ...(http.body !== undefined && http.method !== 'GET' ? { body: http.body } : {}),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      redirect: 'manual',
    });
    const { criteria } = http;
    const code = String(response.status);
    const body = criteria.body ? (await response.text()).slice(0, BODY_LIMIT) : undefined;
    if (body === undefined) await response.body?.cancel();
    const elapsedMs = Date.now() - started;
    const { min, max } = criteria.statusCode;
    if (response.status < min || response.status > max) return record(false, code, code);
    if (criteria.maxResponseMs !== undefined && elapsedMs > criteria.maxResponseMs) {
      return record(false, `${code} in ${elapsedMs} ms, over the ${criteria.maxResponseMs} ms limit`, code);
    }
    if (criteria.body && body !== undefined) {
      const verdict = checkBody(body, criteria.body);
      if (!verdict.ok) return record(false, `${code}: ${verdict.why}`, code);
    }
    return record(true, code, code);
  } catch (err) {
    const detail = timeout.aborted
      ? `timed out after ${timeoutSeconds}s`
      : err instanceof Error
        ? describeFetchError(err)
        : String(err);
    return record(false, detail);
  }
}

function checkBody(
  body: string,
  criteria: NonNullable<ProbeInput['http']['criteria']['body']>,
): { ok: true } | { ok: false; why: string } {
  const text = checkValue(body, {
    ...(criteria.contains === undefined ? {} : { contains: criteria.contains }),
    ...(criteria.matches === undefined ? {} : { matches: criteria.matches }),
  });
  if (!text.ok || !criteria.json) return text;
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch (err) {
    return { ok: false, why: `the body is not JSON (${errorMessage(err)})` };
  }
  const found = JSONPath<unknown[]>({ path: criteria.json.path, json: json as object, wrap: true });
  if (found.length === 0) return { ok: false, why: `nothing at ${criteria.json.path}` };
  return checkValue(asText(found[0]), { equals: criteria.json.equals });
}

function describeFetchError(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message}: ${cause}` : err.message;
}
