import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../../report/report-model.js';
import { EVIL, at, sampleFaults, samplePlan, sampleStatus } from './sample-run.js';

const generatedAt = at(60);

describe('report model', () => {
  it('orders nodes depth first from the entry, with their depth', () => {
    const report = buildRunReport({ status: sampleStatus(), faults: [], generatedAt });
    expect(report.nodes.map((n) => [n.id, n.depth])).toEqual([
      ['game-day', 0],
      ['game-day/steady', 1],
      [`game-day/${EVIL}`, 1],
    ]);
    expect(report.nodes[2]).toMatchObject({ fault: 'NetworkChaos/partition', durationMs: 24_000 });
  });

  it('lists the plan’s nodes that never started as not run, in their place in the tree', () => {
    const plan = samplePlan();
    plan.templates = {
      ...plan.templates,
      'game-day': { type: 'Serial', name: 'game-day', children: ['steady', EVIL, 'after'] },
      after: { type: 'Parallel', name: 'after', children: ['steady'] },
    };
    const report = buildRunReport({ status: sampleStatus(), plan, faults: [], generatedAt });
    expect(report.nodes.map((n) => [n.id, n.depth, n.ran, n.phase])).toEqual([
      ['game-day', 0, true, 'Aborted'],
      ['game-day/steady', 1, true, 'Succeeded'],
      [`game-day/${EVIL}`, 1, true, 'Aborted'],
      ['game-day/after', 1, false, 'Pending'],
      ['game-day/after/steady', 2, false, 'Pending'],
    ]);
    // Not run is not a reason against the run, and draws no bar.
    expect(report.verdict.reasons.some((r) => r.includes('after'))).toBe(false);
    expect(report.probes.find((p) => p.id === 'game-day/after/steady')?.results).toEqual([]);
  });

  it('weights each probe by its plan weight in the resilience score', () => {
    const report = buildRunReport({ status: sampleStatus(), plan: samplePlan(), faults: [], generatedAt });
    expect(report.probes.map((p) => [p.id, p.probeType, p.mode, p.weight, p.successPct])).toEqual([
      ['game-day/steady', 'HTTP', 'Synchronous', 1, 100],
      [`game-day/${EVIL}#reachable`, 'HTTP', 'SOT', 1, 100],
      [`game-day/${EVIL}#error-rate`, 'Prometheus', 'Continuous', 3, 50],
    ]);
    // (100·1 + 100·1 + 50·3) / 5
    expect(report.score).toEqual({ value: 70, weightTotal: 5, probes: 3 });
  });

  it('counts every probe with weight 1 when the plan is not known', () => {
    const report = buildRunReport({ status: sampleStatus(), faults: [], generatedAt });
    expect(report.score.value).toBe(83.3);
    expect(report.probes.every((p) => p.probeType === undefined && p.weight === 1)).toBe(true);
  });

  it('lists a declared probe that never ran, without counting it', () => {
    const status = sampleStatus();
    delete status.nodes[`game-day/${EVIL}`]!.probeResults!['reachable'];
    const report = buildRunReport({ status, plan: samplePlan(), faults: [], generatedAt });
    const reachable = report.probes.find((p) => p.name === 'reachable')!;
    expect(reachable.results).toEqual([]);
    expect(reachable.successPct).toBeUndefined();
    expect(report.score).toEqual({ value: 62.5, weightTotal: 4, probes: 2 });
  });

  it('puts the stop condition on the timeline and first in the verdict', () => {
    const report = buildRunReport({
      status: sampleStatus(),
      faults: sampleFaults(),
      markers: [{ at: at(24), kind: 'abort', label: 'abort: stop condition error-budget fired' }],
      generatedAt,
    });
    expect(report.markers.map((m) => [m.kind, m.at])).toEqual([
      ['abort', at(24)],
      ['stop-condition', at(25)],
    ]);
    expect(report.verdict.passed).toBe(false);
    expect(report.verdict.headline).toBe('Aborted (stopped by error-budget): every fault recovered (2)');
    expect(report.verdict.reasons[0]).toContain('stopped by stop condition error-budget');
    expect(report.verdict.reasons).toContain(`probe game-day/${EVIL}#error-rate: 1 of 2 results failed`);
  });

  it('lists every webhook delivery in time order, and a delivery given up is a reason in the verdict', () => {
    const report = buildRunReport({ status: sampleStatus(), plan: samplePlan(), faults: [], generatedAt });
    expect(report.notifications.map((n) => [n.notification, n.event, n.ok])).toEqual([
      ['team', 'Started', true],
      ['team', 'Aborted', true],
      ['incidents', 'Aborted', false],
    ]);
    expect(report.verdict.reasons).toContain(
      `notification incidents of Aborted not delivered: HTTP 500 ${EVIL}`,
    );
    expect(report.stopConditions).toEqual(['error-budget']);
  });

  it('takes the janitor’s recoveries of a terminated run into the ledger and the verdict', () => {
    const status = sampleStatus();
    status.phase = 'Running';
    delete status.stoppedBy;
    delete status.abortReason;
    const faults = sampleFaults().map((f) => ({ ...f, state: 'Injected' as const, recoveredAt: undefined }));
    const recovered = { ...faults[0]!, state: 'Recovered' as const, recoveredAt: at(40), recoverAttempts: 1 };
    const report = buildRunReport({
      status,
      faults,
      orphan: {
        orphan: { workflowId: status.workflowId, runId: 'r1', closedAs: 'Terminated', closedAt: at(30) },
        janitorWorkflowId: 'chaosflow-janitor/r1',
        phase: 'RecoveryFailed',
        startedAt: at(35),
        faults: [recovered],
        leftToCurrentRun: 0,
        errors: ['demo-1 unreachable'],
      },
      generatedAt,
    });
    expect(report.faults.map((f) => [f.target, f.state, f.recoveredAt])).toEqual([
      ['default/demo-0/server', 'Recovered', at(40)],
      ['default/demo-1/server', 'Injected', undefined],
    ]);
    expect(report.run.janitor).toEqual({
      workflowId: 'chaosflow-janitor/r1',
      phase: 'RecoveryFailed',
      closedAs: 'Terminated',
      closedAt: at(30),
    });
    expect(report.verdict.reasons[0]).toBe(
      `the run closed Terminated at ${at(30)}; its janitor chaosflow-janitor/r1: RecoveryFailed (demo-1 unreachable)`,
    );
    expect(report.verdict.passed).toBe(false);
  });

  it('keeps per-target inject and recover times and how long each fault was held', () => {
    const report = buildRunReport({ status: sampleStatus(), faults: sampleFaults(), generatedAt });
    expect(report.faults.map((f) => [f.target, f.injectedAt, f.recoveredAt, f.heldMs])).toEqual([
      ['default/demo-0/server', at(6), at(27), 21_000],
      ['default/demo-1/server', at(7), at(27), 20_000],
    ]);
  });

  it('says which faults were left behind, and never passes then', () => {
    const status = sampleStatus();
    status.phase = 'Succeeded';
    delete status.stoppedBy;
    delete status.abortReason;
    const faults = sampleFaults();
    const left = faults[1]!;
    left.state = 'Injected';
    delete left.recoveredAt;
    const report = buildRunReport({ status, faults, generatedAt });
    expect(report.verdict.passed).toBe(false);
    expect(report.verdict.headline).toBe('Succeeded: 1 of 2 faults NOT recovered');
    expect(report.verdict.reasons).toContain(
      'fault NetworkChaos/partition on default/demo-1/server is Injected',
    );
    // Still held: counted to the end of the window (the run's end).
    expect(report.faults[1]!.heldMs).toBe(23_000);
  });

  it('passes a succeeded run that recovered everything', () => {
    const status = sampleStatus();
    status.phase = 'Succeeded';
    delete status.stoppedBy;
    delete status.abortReason;
    delete status.notifications;
    for (const n of Object.values(status.nodes)) n.phase = 'Succeeded';
    const report = buildRunReport({ status, faults: sampleFaults(), generatedAt });
    expect(report.verdict.passed).toBe(true);
    expect(report.verdict.reasons).toEqual([`probe game-day/${EVIL}#error-rate: 1 of 2 results failed`]);
  });

  it('spans the timeline from the start to the last fact, and to now while running', () => {
    const status = sampleStatus();
    expect(buildRunReport({ status, faults: [], generatedAt }).window).toEqual({ start: at(0), end: at(30) });
    delete status.endedAt;
    status.phase = 'Running';
    const running = buildRunReport({ status, faults: [], generatedAt });
    expect(running.window.end).toBe(generatedAt);
    expect(running.verdict.headline).toBe('still Running: 0 of 0 faults recovered so far');
  });
});
