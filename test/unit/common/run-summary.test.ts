import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FaultBatch } from '../../../activities/contract.js';
import { runDetails, runSummary } from '../../../common/run-summary.js';
import type { Plan } from '../../../common/plan.js';
import { readManifestFile } from '../../../manifests/index.js';
import {
  faultSummary,
  probeActivitySummary,
  resolveSummary,
  taskSummary,
} from '../../../workflows/activity-summaries.js';

async function examplePlan(name: string): Promise<Plan> {
  const compiled = await readManifestFile(
    fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)),
  );
  expect(compiled.errors).toEqual([]);
  return compiled.plans[0]!;
}

describe('run user metadata', () => {
  it('summarises the README game day in one line', async () => {
    expect(runSummary(await examplePlan('game-day.yaml'))).toBe(
      'Workflow default/game-day: 3 faults, 4 checks',
    );
  });

  it('counts probes attached to chaos nodes as checks (2 StatusChecks and 4 probes)', async () => {
    expect(runSummary(await examplePlan('probes.yaml'))).toBe('Workflow default/probes: 1 fault, 6 checks');
  });

  it('counts stop conditions and lists them and the webhooks in the details', async () => {
    const plan = await examplePlan('stop-conditions.yaml');
    expect(runSummary(plan)).toBe('Workflow default/guarded-partition: 1 fault, 0 checks, 2 stop conditions');
    const details = runDetails(plan);
    expect(details).toContain('- stop condition `error-budget`: alert `ErrorBudgetBurn`, every ');
    expect(details).toContain('- notification `incident-log` (JSON): ');
  });

  it('gives the node tree as Markdown, each template under its parent', async () => {
    const details = runDetails(await examplePlan('game-day.yaml'));
    expect(details.split('\n')).toEqual([
      '**Workflow** `default/game-day`',
      '',
      '- `game-day` Serial, deadline 3m',
      '  - `steady-state` StatusCheck Synchronous HTTP GET `http://10.200.0.2:8080/`, aborts the run when it fails, deadline 30s',
      '  - `partition-and-observe` Parallel, deadline 20s',
      '    - `partition` **NetworkChaos/partition**, deadline 10s',
      '    - `observe-partition` StatusCheck Continuous HTTP GET `http://10.200.0.2:8080/`, deadline 15s',
      '  - `http-delay-and-observe` Parallel, deadline 15s',
      '    - `http-delay` **HTTPChaos**, deadline 8s',
      '    - `observe-http-delay` StatusCheck Continuous HTTP GET `http://10.200.0.2:8080/`, deadline 12s',
      '  - `cpu-stress` **StressChaos**, deadline 10s',
      '  - `recovered` StatusCheck Synchronous HTTP GET `http://10.200.0.2:8080/`, deadline 1m',
      expect.stringMatching(/^$/),
      expect.stringMatching(/^from `.*game-day\.yaml:\d+`$/),
    ]);
  });

  it('keeps names from breaking out of inline code or the line', async () => {
    const plan = await examplePlan('game-day.yaml');
    const evil = 'x`](javascript:alert(1))\n- injected';
    const templates = { ...plan.templates, [evil]: { ...plan.templates['game-day']!, name: evil } };
    const details = runDetails({ ...plan, entry: evil, templates });
    expect(details).toContain("- `x'](javascript:alert(1)) - injected` Serial");
    expect(details.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(1);
  });
});

describe('activity summaries', () => {
  const batch = (targets: string[]): FaultBatch => ({
    run: { workflowId: 'w', namespace: 'default', name: 'game-day' },
    nodeId: 'game-day/partition',
    chaos: { kind: 'NetworkChaos', action: 'partition', oneShot: false, spec: {} as never },
    endpoint: '127.0.0.1:31767',
    targets: targets.map((key) => ({
      target: { key } as FaultBatch['targets'][number]['target'],
      key: `w/${key}`,
    })),
  });

  it('names the fault and its targets', () => {
    expect(faultSummary('inject', batch(['default/demo-0/server']))).toBe(
      'inject NetworkChaos/partition on default/demo-0/server',
    );
    expect(faultSummary('recover', batch(['a/b/c', 'a/d/c', 'a/e/c', 'a/f/c']))).toBe(
      'recover NetworkChaos/partition on a/b/c, a/d/c and 2 more',
    );
  });

  it('names the fault whose targets are resolved, and the command a task runs', async () => {
    expect(resolveSummary('game-day/partition', batch([]).chaos)).toBe(
      'resolve targets of NetworkChaos/partition for game-day/partition',
    );
    const plan = await examplePlan('task-branches.yaml');
    const task = plan.templates['check-then-act'];
    if (task?.type !== 'Task') throw new Error('check-then-act is a Task');
    expect(taskSummary(task.name, task.task)).toBe('task check-then-act: sh -c echo healthy');
  });

  it('names the probe and what it checks', async () => {
    const plan = await examplePlan('game-day.yaml');
    const steady = plan.templates['steady-state']!;
    if (steady.type !== 'StatusCheck') throw new Error('steady-state is a StatusCheck');
    expect(probeActivitySummary('steady-state', steady.check)).toBe(
      'probe steady-state: HTTP GET http://10.200.0.2:8080/',
    );
  });
});
