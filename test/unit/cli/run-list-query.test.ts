import { describe, expect, it } from 'vitest';
import { runListQuery } from '../../../cli/run-list-query.js';

describe('chaosflow list query', () => {
  it('is every chaosflow run without filters', () => {
    expect(runListQuery({})).toBe("WorkflowType = 'chaosflowRun'");
  });

  it('filters by phase, kind, manifest and schedule through the search attributes', () => {
    expect(
      runListQuery({
        phase: 'failed',
        kind: 'networkchaos',
        name: 'team-a/game-day',
        schedule: 'team-a/nightly',
      }),
    ).toBe(
      "WorkflowType = 'chaosflowRun' AND ChaosflowPhase = 'Failed' AND ChaosflowKind = 'NetworkChaos' AND " +
        "ChaosflowNamespace = 'team-a' AND ChaosflowName = 'game-day' AND ChaosflowSchedule = 'chaosflow/team-a/nightly'",
    );
  });

  it('takes a schedule by name in the default namespace, by full id, or a Schedule node’s id as it is', () => {
    expect(runListQuery({ schedule: 'nightly' })).toContain(
      "ChaosflowSchedule = 'chaosflow/default/nightly'",
    );
    expect(runListQuery({ schedule: 'chaosflow/ops/nightly' })).toContain(
      "ChaosflowSchedule = 'chaosflow/ops/nightly'",
    );
    const node = 'chaosflow/default/drill/20260101T000000Z-abcd/drill/cron';
    expect(runListQuery({ schedule: node })).toContain(`ChaosflowSchedule = '${node}'`);
  });

  it('rejects an unknown phase or kind with the choices', () => {
    expect(() => runListQuery({ phase: 'Done' })).toThrow(
      /--phase Done: use one of Pending, Running, Succeeded/,
    );
    expect(() => runListQuery({ kind: 'Chaos' })).toThrow(/--kind Chaos: use one of Workflow, PodChaos/);
  });

  it('quotes names so they cannot end the string', () => {
    expect(runListQuery({ name: "a' OR WorkflowType != 'x" })).toContain(
      "ChaosflowName = 'a\\' OR WorkflowType != \\'x'",
    );
  });
});
