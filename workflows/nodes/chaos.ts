import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { ChaosTemplate, PlanChaos, PlanChaosProbe } from '../../common/plan.js';
import { findCut } from '../cut.js';
import { clusterActivities } from '../activity-stubs.js';
import { resolveSummary } from '../activity-summaries.js';
import { ChaosProbes } from '../chaos-probes.js';
import { holdUntilDeadline, type BodyOutcome, type NodeBody } from '../node-runner.js';
import type { RunContext } from '../run-context.js';

/**
 * Resolve targets (in an activity, so a random choice is recorded), inject one batch per daemon endpoint, hold
 * until the node's deadline, recover. One-shot actions (pod-kill, container-kill) finish right after the inject.
 * Recovery runs on every way out, non-cancellable, before the node reports its end.
 */
export const runChaos: NodeBody<ChaosTemplate> = async (env) =>
  env.template.probes?.length ? runChaosWithProbes(env, env.template.probes) : runChaosAlone(env);

/** A chaos node without probes (every plan before probes existed: its history must replay the same). */
const runChaosAlone: NodeBody<ChaosTemplate> = async ({ run, id, template }) => {
  const { chaos } = template;
  try {
    const error = await injectTargets(run, id, chaos);
    if (error) return { phase: 'Failed', reason: 'Error', error };
    if (chaos.oneShot) {
      run.ledger.settleOneShot(id);
      return { phase: 'Succeeded' };
    }
    await holdUntilDeadline(template);
    return { phase: 'Succeeded' };
  } finally {
    await run.ledger.recover(id);
  }
};

/**
 * A chaos node with probes (`chaos-probes.ts`): Continuous probes from the start, SOT/Edge before the inject
 * (a failed one with stopOnFailure skips the fault), OnChaos while held, the hold cut short by a failed
 * stopOnFailure probe, EOT/Edge after the recover. Any failed probe fails the node, after recovery.
 */
async function runChaosWithProbes(
  { run, id, template, cut }: Parameters<NodeBody<ChaosTemplate>>[0],
  probes: readonly PlanChaosProbe[],
): Promise<BodyOutcome> {
  const { chaos } = template;
  const node = run.node(id);
  const checks = new ChaosProbes(probes, node, run.ref.namespace);
  /** The hold ended on the node's own deadline (its normal end): the probes after it still run. */
  let endedOnDeadline = false;
  checks.startLoops('Continuous');
  try {
    await checks.before();
    if (checks.stopReason) return { phase: 'Failed', reason: 'Error', error: checks.stopReason };
    try {
      const error = await injectTargets(run, id, chaos);
      if (error) return { phase: 'Failed', reason: 'Error', error };
      if (chaos.oneShot) run.ledger.settleOneShot(id);
      else {
        checks.startLoops('OnChaos');
        try {
          await Promise.race([holdUntilDeadline(template), checks.stopped()]);
        } catch (err) {
          const { reason, own } = findCut(cut);
          if (!isCancellation(err) || !own || reason !== 'deadline') throw err;
          endedOnDeadline = true;
        }
      }
    } finally {
      await CancellationScope.nonCancellable(async () => {
        await checks.stopLoops('OnChaos');
        await run.ledger.recover(id);
      });
    }
    await CancellationScope.nonCancellable(() => checks.after());
  } finally {
    await CancellationScope.nonCancellable(() => checks.stopLoops('Continuous'));
  }
  const failure = checks.failure;
  const outcome: BodyOutcome = failure
    ? { phase: 'Failed', reason: 'Error', error: failure }
    : { phase: 'Succeeded' };
  return endedOnDeadline ? { ...outcome, afterOwnDeadline: true } : outcome;
}

/**
 * Resolves the node's targets (an activity, so a random choice is recorded), waits while the run is paused, then
 * injects one batch per daemon endpoint through the ledger. Returns the inject errors, if any.
 */
async function injectTargets(run: RunContext, id: string, chaos: PlanChaos): Promise<string | undefined> {
  // Targets are resolved where they live: on the worker of the chaos's remote cluster, when it names one.
  const { resolveTargets } = clusterActivities(chaos.remoteCluster);
  const { groups, context } = await resolveTargets.executeWithOptions(
    { summary: resolveSummary(id, chaos) },
    [{ run: run.ref, nodeId: id, chaos }],
  );
  run.node(id).targets = groups.flatMap((g) => g.targets.map((t) => t.key));
  await run.whileUnpaused();
  const errors = (
    await Promise.all(groups.map((group) => run.ledger.inject(id, chaos, group, context)))
  ).filter((e): e is string => e !== undefined);
  return errors.length > 0 ? errors.join('; ') : undefined;
}
