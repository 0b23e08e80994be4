import type { ChaosTemplate } from '../../common/plan.js';
import { resolveTargets } from '../activity-stubs.js';
import { holdUntilDeadline, type NodeBody } from '../node-runner.js';

/**
 * Resolve targets (in an activity, so a random choice is recorded), inject one batch per daemon endpoint, hold
 * until the node's deadline, recover. One-shot actions (pod-kill, container-kill) finish right after the inject.
 * Recovery runs on every way out, non-cancellable, before the node reports its end.
 */
export const runChaos: NodeBody<ChaosTemplate> = async ({ run, id, template }) => {
  const { chaos } = template;
  const node = run.node(id);
  try {
    const { groups, context } = await resolveTargets({ run: run.ref, nodeId: id, chaos });
    node.targets = groups.flatMap((g) => g.targets.map((t) => t.key));
    await run.whileUnpaused();
    const errors = (
      await Promise.all(groups.map((group) => run.ledger.inject(id, chaos, group, context)))
    ).filter((e): e is string => e !== undefined);
    if (errors.length > 0) return { phase: 'Failed', reason: 'Error', error: errors.join('; ') };
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
