/**
 * What the report reads from a run's Temporal history rather than its status: the plan it was started with
 * (probe types, modes, weights), the fault ledger rebuilt from its inject and recover activities (so a report
 * needs no worker, and shows what a terminated run left injected), and the times of aborts and cancellations.
 * The rebuild follows `workflows/fault-ledger.ts`: an entry exists once its inject was scheduled; a target is
 * Injected when its inject result says ok, Recovered when a recover result does (one-shot kinds settle at once).
 */
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { FaultBatch, FaultBatchResult } from '../activities/contract.js';
import type { RunInput } from '../common/run-input.js';
import type { Plan } from '../common/plan.js';
import type { FaultEntry } from '../common/run-status.js';
import type { ReportMarker } from './report-model.js';

export type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];
type Payloads = { payloads?: Payload[] | null } | null | undefined;

export interface HistoryFacts {
  plan?: Plan;
  faults: FaultEntry[];
  markers: ReportMarker[];
}

const INJECT = 'injectFaults';
const RECOVER = 'recoverFaults';

export function factsFromHistory(
  history: History,
  converter: PayloadConverter = defaultPayloadConverter,
): HistoryFacts {
  const decode = <T>(payloads: Payloads): T | undefined => {
    const first = payloads?.payloads?.[0];
    if (!first) return undefined;
    try {
      return converter.fromPayload<T>(first);
    } catch {
      return undefined;
    }
  };
  let plan: Plan | undefined;
  const entries = new Map<string, FaultEntry>();
  const oneShot = new Set<string>();
  /** Scheduled activities by event id: which call and which batch. */
  const scheduled = new Map<string, { type: string; batch: FaultBatch }>();
  const markers: ReportMarker[] = [];

  for (const event of history.events ?? []) {
    const at = eventTime(event);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) plan = decode<RunInput>(started.input)?.plan;

    const sched = event.activityTaskScheduledEventAttributes;
    const type = sched?.activityType?.name;
    if (sched && (type === INJECT || type === RECOVER)) {
      const batch = decode<FaultBatch>(sched.input);
      if (!batch) continue;
      scheduled.set(String(event.eventId), { type, batch });
      for (const { key, target } of batch.targets) {
        const existing = entries.get(key);
        if (type === INJECT && !existing) {
          entries.set(key, {
            key,
            nodeId: batch.nodeId,
            kind: batch.chaos.kind,
            ...(batch.chaos.action ? { action: batch.chaos.action } : {}),
            target: target.key,
            endpoint: batch.endpoint,
            state: 'Injecting',
            recoverAttempts: 0,
          });
          if (batch.chaos.oneShot) oneShot.add(key);
        } else if (type === RECOVER && existing) {
          existing.state = 'Recovering';
          existing.recoverAttempts += 1;
        }
      }
    }

    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const call = scheduled.get(String(completed.scheduledEventId));
      const result = call && decode<FaultBatchResult>(completed.result);
      for (const r of result?.results ?? []) {
        const entry = entries.get(r.key);
        if (!entry || !call) continue;
        if (!r.ok) {
          entry.lastError = r.message ?? `${call.type === INJECT ? 'inject' : 'recover'} failed`;
          if (call.type === RECOVER) entry.state = 'RecoveryFailed';
          continue;
        }
        if (call.type === INJECT) {
          entry.state = 'Injected';
          entry.injectedAt = at;
          if (r.message) entry.note = r.message;
          if (oneShot.has(r.key)) {
            entry.state = 'Recovered';
            entry.recoveredAt = at;
          }
        } else {
          entry.state = 'Recovered';
          entry.recoveredAt = at;
          if (r.message) entry.lastError = r.message;
        }
      }
    }
    const failed = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failed) {
      const call = scheduled.get(String(failed.scheduledEventId));
      for (const { key } of call?.batch.targets ?? []) {
        const entry = entries.get(key);
        if (!entry) continue;
        entry.lastError = failed.failure?.message ?? 'activity failed';
        if (call?.type === RECOVER && entry.state !== 'Recovered') entry.state = 'RecoveryFailed';
      }
    }

    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'abort' && at) {
      const reason = decode<{ reason?: string }>(signal.input)?.reason;
      markers.push({ at, kind: 'abort', label: `abort${reason ? `: ${reason}` : ''}` });
    }
    if (event.workflowExecutionCancelRequestedEventAttributes && at) {
      const cause = event.workflowExecutionCancelRequestedEventAttributes.cause;
      markers.push({ at, kind: 'cancel', label: `cancellation requested${cause ? `: ${cause}` : ''}` });
    }
  }
  return { ...(plan ? { plan } : {}), faults: [...entries.values()], markers };
}

function eventTime(event: HistoryEvent): string | undefined {
  const ts = event.eventTime;
  if (!ts) return undefined;
  const ms = Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}
