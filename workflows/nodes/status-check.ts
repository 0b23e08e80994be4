import { sleep } from '@temporalio/workflow';
import type { StatusCheckTemplate } from '../../common/plan.js';
import type { ProbeRecord } from '../../common/run-status.js';
import { probeStub } from '../activity-stubs.js';
import { probeActivitySummary } from '../activity-summaries.js';
import type { NodeBody } from '../node-runner.js';

/**
 * Chaos Mesh's StatusCheck (any probe type: HTTP, Command, Prometheus, Kubernetes): a probe every `intervalSeconds` (the first after one interval, like its ticker),
 * counting consecutive successes and failures. Synchronous ends at the success threshold, the failure threshold
 * or `duration`; Continuous only at the failure threshold or `duration`. It passes when its last
 * `successThreshold` probes all succeeded; with `abortWithStatusCheck` a check that did not pass aborts the run.
 */
export const runStatusCheck: NodeBody<StatusCheckTemplate> = async ({ run, id, template }) => {
  const { check } = template;
  const node = run.node(id);
  const records: ProbeRecord[] = [];
  node.probes = records;
  const { probeHttp, runProbe } = probeStub(check.timeoutSeconds);
  const { timeoutSeconds } = check;
  // HTTP, Chaos Mesh's only type, keeps its own activity (recorded histories call it); the others share one.
  const options = { summary: probeActivitySummary(template.name, check) };
  const probeOnce = (): Promise<ProbeRecord> =>
    check.type === 'HTTP'
      ? probeHttp.executeWithOptions(options, [{ http: check.http, timeoutSeconds }])
      : runProbe.executeWithOptions(options, [
          { probe: check, timeoutSeconds, namespace: run.ref.namespace },
        ]);
  const startedAt = Date.now();
  const endsAt = check.durationMs === undefined ? undefined : startedAt + check.durationMs;
  let successes = 0;
  let failures = 0;
  let probes = 0;

  for (;;) {
    const nextProbeAt = startedAt + (probes + 1) * check.intervalSeconds * 1000;
    if (endsAt !== undefined && nextProbeAt > endsAt) {
      await sleep(Math.max(0, endsAt - Date.now()));
      break;
    }
    await sleep(Math.max(0, nextProbeAt - Date.now()));
    await run.whileUnpaused();
    const record = await probeOnce();
    probes += 1;
    records.push(record);
    if (records.length > check.recordsHistoryLimit)
      records.splice(0, records.length - check.recordsHistoryLimit);
    if (record.outcome === 'Success') {
      successes += 1;
      failures = 0;
    } else {
      failures += 1;
      successes = 0;
    }
    if (failures >= check.failureThreshold) break;
    if (check.mode === 'Synchronous' && successes >= check.successThreshold) break;
  }

  const passed = successes >= check.successThreshold;
  node.passed = passed;
  if (!passed && template.abortWithStatusCheck) {
    const reason = `status check '${template.name}' did not reach its success threshold`;
    run.abort(reason, 'StatusCheckNotExceedSuccessThreshold');
    return { phase: 'Aborted', reason: 'StatusCheckNotExceedSuccessThreshold', error: reason };
  }
  return { phase: 'Succeeded' };
};
