/**
 * The one way a probe writes its result: started when the probe starts, each verdict timed from then, the
 * observed value kept when there is one.
 */
import type { ProbeRecord } from '../../common/run-status.js';

export type RecordProbe = (ok: boolean, detail: string, value?: string) => ProbeRecord;

export function startProbeRecord(): RecordProbe {
  const started = Date.now();
  const at = new Date(started).toISOString();
  return (ok, detail, value) => ({
    at,
    outcome: ok ? 'Success' : 'Failure',
    detail,
    durationMs: Date.now() - started,
    ...(value === undefined ? {} : { value }),
  });
}
