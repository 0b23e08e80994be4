/**
 * The probe loop of a StatusCheck (Chaos Mesh's semantics, docs in `nodes/status-check.ts`), shared by the node
 * itself and by the child workflow a long check runs in (`status-check-workflow.ts`). The state is plain data so
 * that the child can carry it across continue-as-new.
 */
import { sleep } from '@temporalio/workflow';
import type { PlanStatusCheck } from '../common/plan.js';
import type { ProbeRecord } from '../common/run-status.js';
import { probeStub } from './activity-stubs.js';
import { probeActivitySummary } from './activity-summaries.js';

export interface ProbingState {
  probes: number;
  successes: number;
  failures: number;
  /** The newest records, at most `recordsHistoryLimit`. */
  records: ProbeRecord[];
}

export interface ProbingHooks {
  probeOnce(): Promise<ProbeRecord>;
  whileUnpaused(): Promise<void>;
  /** After a probe that did not end the check: true hands the rest over to a new history. */
  handOver?(record: ProbeRecord): Promise<boolean>;
}

/** One probe of the check, as an activity (HTTP, Chaos Mesh's only type, keeps its own: recorded histories call it). */
export function probeActivity(
  templateName: string,
  check: PlanStatusCheck,
  namespace: string,
): () => Promise<ProbeRecord> {
  const { probeHttp, runProbe } = probeStub(check.timeoutSeconds);
  const { timeoutSeconds } = check;
  const options = { summary: probeActivitySummary(templateName, check) };
  return () =>
    check.type === 'HTTP'
      ? probeHttp.executeWithOptions(options, [{ http: check.http, timeoutSeconds }])
      : runProbe.executeWithOptions(options, [{ probe: check, timeoutSeconds, namespace }]);
}

export function newProbingState(): ProbingState {
  return { probes: 0, successes: 0, failures: 0, records: [] };
}

/** Probes until the check ends ('done') or `handOver` asks for a new history ('hand over'). */
export async function probeUntilDone(
  check: PlanStatusCheck,
  startedAt: number,
  state: ProbingState,
  hooks: ProbingHooks,
): Promise<'done' | 'hand over'> {
  const endsAt = check.durationMs === undefined ? undefined : startedAt + check.durationMs;
  const { records } = state;
  for (;;) {
    const nextProbeAt = startedAt + (state.probes + 1) * check.intervalSeconds * 1000;
    if (endsAt !== undefined && nextProbeAt > endsAt) {
      await sleep(Math.max(0, endsAt - Date.now()));
      return 'done';
    }
    await sleep(Math.max(0, nextProbeAt - Date.now()));
    await hooks.whileUnpaused();
    const record = await hooks.probeOnce();
    state.probes += 1;
    records.push(record);
    if (records.length > check.recordsHistoryLimit)
      records.splice(0, records.length - check.recordsHistoryLimit);
    if (record.outcome === 'Success') {
      state.successes += 1;
      state.failures = 0;
    } else {
      state.failures += 1;
      state.successes = 0;
    }
    if (state.failures >= check.failureThreshold) return 'done';
    if (check.mode === 'Synchronous' && state.successes >= check.successThreshold) return 'done';
    if (hooks.handOver && (await hooks.handOver(record))) return 'hand over';
  }
}

/** Chaos Mesh: a check passes when its last `successThreshold` probes all succeeded. */
export function probingPassed(check: PlanStatusCheck, state: ProbingState): boolean {
  return state.successes >= check.successThreshold;
}
