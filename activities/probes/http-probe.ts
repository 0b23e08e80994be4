import type { ProbeRecord } from '../../common/run-status.js';
import type { ProbeInput } from '../contract.js';

/**
 * One HTTP probe of a StatusCheck, as Chaos Mesh's: success when the status code is in the criteria range;
 * a transport error or a timeout is a failure. Never throws for a failed probe: the outcome is the result.
 */
export async function httpProbe(input: ProbeInput, signal?: AbortSignal): Promise<ProbeRecord> {
  const { http, timeoutSeconds } = input;
  const started = Date.now();
  const at = new Date(started).toISOString();
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const headers = new Headers();
  for (const [name, values] of Object.entries(http.headers))
    for (const value of values) headers.append(name, value);
  try {
    const response = await fetch(http.url, {
      method: http.method,
      headers,
      ...(http.body !== undefined && http.method !== 'GET' ? { body: http.body } : {}),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      redirect: 'manual',
    });
    await response.body?.cancel();
    const { min, max } = http.criteria.statusCode;
    const ok = response.status >= min && response.status <= max;
    return {
      at,
      outcome: ok ? 'Success' : 'Failure',
      detail: String(response.status),
      durationMs: Date.now() - started,
    };
  } catch (err) {
    const detail = timeout.aborted
      ? `timed out after ${timeoutSeconds}s`
      : err instanceof Error
        ? describeFetchError(err)
        : String(err);
    return { at, outcome: 'Failure', detail, durationMs: Date.now() - started };
  }
}

function describeFetchError(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message}: ${cause}` : err.message;
}
