import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { FaultBatch, FaultBatchResult } from '../../../activities/contract.js';
import { factsFromHistory, type History } from '../../../report/history-facts.js';
import { at, samplePlan } from './sample-run.js';

const payloads = (value: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(value)] });
const time = (s: number) => ({ seconds: Math.floor(Date.parse(at(s)) / 1000), nanos: (s % 1) * 1e9 });

const RUN = { workflowId: 'chaosflow/default/game-day/x', namespace: 'default', name: 'game-day' };
const target = (key: string) => ({ key }) as FaultBatch['targets'][number]['target'];

function batch(oneShot = false): FaultBatch {
  return {
    run: RUN,
    nodeId: 'game-day/net',
    chaos: { kind: 'NetworkChaos', action: 'partition', oneShot, spec: {} as never },
    endpoint: '127.0.0.1:31767',
    targets: ['default/demo-0/server', 'default/demo-1/server'].map((key) => ({
      target: target(key),
      key: `${RUN.workflowId}/game-day/net/${key}`,
    })),
  };
}

function results(ok: boolean[], message?: string): FaultBatchResult {
  return {
    results: batch().targets.map(({ key }, i) => ({ key, ok: ok[i]!, ...(message ? { message } : {}) })),
  };
}

class HistoryBuilder {
  readonly events: NonNullable<History['events']>[number][] = [];
  add(s: number, attributes: Record<string, unknown>): number {
    const eventId = this.events.length + 1;
    this.events.push({ eventId, eventTime: time(s), ...attributes } as never);
    return eventId;
  }
  started() {
    return this.add(0, {
      workflowExecutionStartedEventAttributes: { input: payloads({ plan: samplePlan() }) },
    });
  }
  scheduled(s: number, name: string, input: FaultBatch) {
    return this.add(s, {
      activityTaskScheduledEventAttributes: { activityType: { name }, input: payloads(input) },
    });
  }
  completed(s: number, scheduledEventId: number, result: FaultBatchResult) {
    return this.add(s, {
      activityTaskCompletedEventAttributes: { scheduledEventId, result: payloads(result) },
    });
  }
  get history(): History {
    return { events: this.events };
  }
}

describe('facts from history', () => {
  it('reads the plan the run started with', () => {
    const h = new HistoryBuilder();
    h.started();
    expect(factsFromHistory(h.history).plan).toEqual(samplePlan());
  });

  it('rebuilds the fault ledger: per target inject and recover times from the activity results', () => {
    const h = new HistoryBuilder();
    h.started();
    const inject = h.scheduled(5, 'injectFaults', batch());
    h.add(5.5, { activityTaskScheduledEventAttributes: { activityType: { name: 'probeHttp' } } });
    h.completed(6, inject, results([true, true]));
    const recover = h.scheduled(20, 'recoverFaults', batch());
    h.completed(21.25, recover, results([true, true], 'target gone: counted as recovered'));
    const faults = factsFromHistory(h.history).faults;
    expect(faults).toHaveLength(2);
    expect(faults[0]).toEqual({
      key: `${RUN.workflowId}/game-day/net/default/demo-0/server`,
      nodeId: 'game-day/net',
      kind: 'NetworkChaos',
      action: 'partition',
      target: 'default/demo-0/server',
      endpoint: '127.0.0.1:31767',
      state: 'Recovered',
      injectedAt: at(6),
      recoveredAt: at(21.25),
      recoverAttempts: 1,
      lastError: 'target gone: counted as recovered',
    });
  });

  it('shows what a run left injected: no recover, or a recover that failed', () => {
    const h = new HistoryBuilder();
    const inject = h.scheduled(5, 'injectFaults', batch());
    h.completed(6, inject, results([true, true]));
    const recover = h.scheduled(20, 'recoverFaults', batch());
    h.completed(21, recover, {
      results: [{ key: batch().targets[0]!.key, ok: false, message: 'daemon said no' }],
    });
    const [first, second] = factsFromHistory(h.history).faults;
    expect(first).toMatchObject({ state: 'RecoveryFailed', lastError: 'daemon said no', recoverAttempts: 1 });
    expect(second).toMatchObject({ state: 'Recovering', injectedAt: at(6) });
    expect(second!.recoveredAt).toBeUndefined();
  });

  it('keeps a target whose inject failed as Injecting with the error (it may have been touched)', () => {
    const h = new HistoryBuilder();
    const inject = h.scheduled(5, 'injectFaults', batch());
    h.add(7, {
      activityTaskFailedEventAttributes: {
        scheduledEventId: inject,
        failure: { message: 'deadline exceeded' },
      },
    });
    const faults = factsFromHistory(h.history).faults;
    expect(faults.map((f) => [f.state, f.lastError])).toEqual([
      ['Injecting', 'deadline exceeded'],
      ['Injecting', 'deadline exceeded'],
    ]);
  });

  it('settles one-shot faults at their inject', () => {
    const h = new HistoryBuilder();
    const inject = h.scheduled(5, 'injectFaults', batch(true));
    h.completed(6, inject, results([true, false], 'no such process'));
    const faults = factsFromHistory(h.history).faults;
    expect(faults.map((f) => [f.state, f.recoveredAt])).toEqual([
      ['Recovered', at(6)],
      ['Injecting', undefined],
    ]);
  });

  it('marks aborts and cancellation requests with their time', () => {
    const h = new HistoryBuilder();
    h.add(12, {
      workflowExecutionSignaledEventAttributes: {
        signalName: 'abort',
        input: payloads({ reason: 'game over' }),
      },
    });
    h.add(13, { workflowExecutionSignaledEventAttributes: { signalName: 'other' } });
    h.add(14, { workflowExecutionCancelRequestedEventAttributes: { cause: '' } });
    expect(factsFromHistory(h.history).markers).toEqual([
      { at: at(12), kind: 'abort', label: 'abort: game over' },
      { at: at(14), kind: 'cancel', label: 'cancellation requested' },
    ]);
  });
});
