/**
 * The controller's pure decision for a Workflow or chaos object, case by case: what it does with an invalid
 * manifest, a new object, a running, closed or terminated run, annotations, and deletion.
 */
import { describe, expect, it } from 'vitest';
import { decideRun, type RunObjectView, type RunObservation } from '../../../controller/decide-run.js';
import type { ObjectStatus } from '../../../controller/object-status.js';
import type { Plan } from '../../../common/plan.js';
import type { FaultEntry, RunStatus } from '../../../common/run-status.js';

const plan: Plan = {
  planVersion: 1,
  source: { kind: 'Workflow', apiVersion: 'chaosflow.dev/v1alpha1', namespace: 'shop', name: 'w' },
  entry: 'main',
  templates: {
    main: { type: 'Serial', name: 'main', children: ['gate', 'wait'] },
    gate: { type: 'Suspend', name: 'gate', deadlineMs: 60_000, approval: true },
    wait: { type: 'Suspend', name: 'wait', deadlineMs: 1_000, approval: false },
  },
};
const valid = { ok: true as const, plan, warnings: [] };
const context = {
  runId: 'chaosflow/shop/w/k8s-1',
  url: undefined,
  now: '2026-12-02T00:00:00.000Z',
  refreshMs: 2_000,
};

function object(overrides: Partial<RunObjectView> = {}): RunObjectView {
  return { generation: 1, deleting: false, finalizers: [], annotations: {}, status: undefined, ...overrides };
}

function runStatus(overrides: Partial<RunStatus> = {}): RunStatus {
  return {
    workflowId: context.runId,
    source: { kind: 'Workflow', namespace: 'shop', name: 'w' },
    phase: 'Running',
    paused: false,
    startedAt: context.now,
    entry: 'main',
    nodes: {},
    ...overrides,
  };
}

function running(status: Partial<RunStatus> = {}, faults: FaultEntry[] = []): RunObservation {
  return { state: 'running', faults, status: runStatus(status) };
}

const fault = (state: FaultEntry['state']): FaultEntry => ({
  key: 'k',
  nodeId: 'cut',
  kind: 'NetworkChaos',
  action: 'partition',
  target: 'shop/web-0/app',
  endpoint: 'e',
  state,
  recoverAttempts: 0,
});

describe('the decision for a run object', () => {
  it('runs nothing for an invalid manifest and reports it once per generation', () => {
    const first = decideRun(
      object(),
      { ok: false, errors: ['/spec/entry: no template x'] },
      { state: 'absent' },
      context,
    );
    expect(first.start).toBeUndefined();
    expect(first.finalizer).toBeUndefined();
    expect(first.status?.phase).toBe('Invalid');
    expect(first.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'Invalid']]);
    const again = decideRun(
      object({ status: first.status }),
      { ok: false, errors: ['/spec/entry: no template x'] },
      { state: 'absent' },
      context,
    );
    expect(again.events).toEqual([]);
    expect(again.status).toBeUndefined();
  });

  it('adds the finalizer before it starts the run, and counts the nodes the plan can start', () => {
    const decision = decideRun(object(), valid, { state: 'absent' }, context);
    expect(decision.finalizer).toBe('add');
    expect(decision.start).toBe(plan);
    expect(decision.status).toMatchObject({
      phase: 'Pending',
      runId: context.runId,
      progress: '0/3',
      totalNodes: 3,
    });
    expect(decision.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('sends each message the annotations ask for, once the run needs it', () => {
    const gate = {
      id: 'main/gate',
      template: 'gate',
      type: 'Suspend' as const,
      children: [],
      phase: 'Running' as const,
      attempt: 1,
      errors: [],
      awaitingApproval: true,
    };
    const annotations = {
      'workflow.chaos-mesh.org/abort': 'true',
      'chaosflow.dev/pause': 'true',
      'chaosflow.dev/approve': 'gate, other',
    };
    const decision = decideRun(
      object({ annotations }),
      valid,
      running({ nodes: { 'main/gate': gate } }),
      context,
    );
    expect(decision.messages).toEqual([
      { type: 'abort', reason: 'aborted with an annotation on the object' },
      { type: 'pause' },
      { type: 'approve', node: 'main/gate' },
    ]);
    // Already aborted and paused, no gate waiting: nothing more to say; the annotation removed resumes.
    const settled = decideRun(
      object({ annotations: { 'workflow.chaos-mesh.org/abort': 'true' } }),
      valid,
      running({ abortReason: 'x', paused: true }),
      context,
    );
    expect(settled.messages).toEqual([{ type: 'unpause' }]);
  });

  it('holds a deleted object until the run has closed, and aborts the run once', () => {
    const held = object({ deleting: true, finalizers: ['chaosflow.dev/recovery'] });
    const aborting = decideRun(held, valid, running({}, [fault('Injected')]), context);
    expect(aborting.messages).toEqual([{ type: 'abort', reason: 'the object was deleted' }]);
    expect(aborting.finalizer).toBeUndefined();
    expect(aborting.status?.faultsHeld).toBe(1);
    const stillAborting = decideRun(
      held,
      valid,
      running({ abortReason: 'the object was deleted' }, [fault('Recovering')]),
      context,
    );
    expect(stillAborting.messages).toEqual([]);
    const closed = decideRun(
      held,
      valid,
      { state: 'closed', execution: 'FAILED', status: runStatus({ phase: 'Aborted' }) },
      context,
    );
    expect(closed.finalizer).toBe('remove');
    expect(closed.events.map((e) => e.reason)).toContain('Recovered');
  });

  it('keeps an object whose run was terminated until force-clean, then says which faults may remain', () => {
    const previous: ObjectStatus = {
      faults: [{ key: 'k', target: 'shop/web-0/app', kind: 'NetworkChaos', state: 'Injected' }],
    };
    const held = object({ deleting: true, finalizers: ['chaosflow.dev/recovery'], status: previous });
    const terminated: RunObservation = { state: 'closed', execution: 'TERMINATED', status: undefined };
    const kept = decideRun(held, valid, terminated, context);
    expect(kept.finalizer).toBeUndefined();
    expect(kept.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'RecoveryUnconfirmed']]);
    const forced = decideRun(
      object({ ...held, annotations: { 'chaosflow.dev/force-clean': 'true' } }),
      valid,
      terminated,
      context,
    );
    expect(forced.finalizer).toBe('remove');
    expect(forced.status?.forceCleaned).toBe(true);
    expect(forced.events.find((e) => e.reason === 'ForceCleaned')?.message).toContain(
      'faults may remain on shop/web-0/app',
    );
  });

  it('marks every fault recovered when a run closes on its own, and tells it in events', () => {
    const previous: ObjectStatus = {
      faults: [{ key: 'k', target: 'shop/web-0/app', kind: 'NetworkChaos', state: 'Injected' }],
      faultsHeld: 1,
      phase: 'Running',
    };
    const final = runStatus({ phase: 'Succeeded', endedAt: context.now });
    const decision = decideRun(
      object({ status: previous, finalizers: ['chaosflow.dev/recovery'] }),
      valid,
      { state: 'closed', execution: 'COMPLETED', status: final },
      context,
    );
    expect(decision.status).toMatchObject({ phase: 'Succeeded', faultsHeld: 0, finishedAt: context.now });
    expect(decision.status?.faults?.[0]?.state).toBe('Recovered');
    expect(decision.events.map((e) => e.reason)).toEqual(['FaultRecovered', 'RunSucceeded']);
    expect(decision.events[0]?.pod).toEqual({ namespace: 'shop', name: 'web-0' });
  });
});
