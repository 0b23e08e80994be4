/**
 * The recovery campaign at CI size (`npm run campaign` runs 200): random game days on three targets, each
 * disrupted once by every kind of disruption (worker, agent and dev server killed, terminate, abort, halt, the
 * target restarted, nothing), and no target left with a fault afterwards, nor one that only the agent's lease
 * recovered. The seed is printed, so a failure
 * can be replayed with `npm run campaign -- --runs 10 --seed S`.
 */
import { expect, it } from 'vitest';
import { DISRUPTIONS, recoveryFigures, runCampaign } from '../../scripts/campaign/run-campaign.js';
import { describeWithNetns } from '../harness/describe-with-netns.js';
import { requireTool } from '../../embedded/installed-tools.js';

const RUNS = 10;

describeWithNetns('the recovery campaign at CI size', () => {
  it(`${RUNS} random game days, every disruption, no fault left behind`, async () => {
    const seed = Date.now() % 100_000;
    console.log(`campaign seed ${seed}`);
    const runs = await runCampaign({
      runs: RUNS,
      seed,
      temporalExecutable: requireTool('temporal'),
      log: (line) => console.log(line),
    });
    console.log(recoveryFigures(runs).join('\n'));
    expect(runs.length).toBe(RUNS);
    expect(runs.flatMap((r) => r.left)).toEqual([]);
    // Nor one that only the agent's lease recovered (the workflow side left it: a lease is the last resort).
    expect(runs.filter((r) => r.leaseRescues > 0).map((r) => r.name)).toEqual([]);
    // Every disruption was dealt (a run whose faults were never seen held counts as none).
    expect(new Set(runs.map((r) => r.disruption)).size).toBeGreaterThanOrEqual(DISRUPTIONS.length - 1);
  }, 1_500_000);
});
