import { CancellationScope } from '@temporalio/workflow';
import type { TerminalPhase } from '../../common/run-status.js';
import type { ParallelTemplate } from '../../common/plan.js';
import { childCut } from '../cut.js';
import type { BodyOutcome, NodeBody, NodeEnv } from '../node-runner.js';
import { childIds } from './child-ids.js';

/**
 * All children at once. When one fails, the others are cut (reason SiblingFailed) and recover their faults; the
 * Parallel waits for all of them before it ends, so nothing it started outlives it.
 */
export const runParallel: NodeBody<ParallelTemplate> = (env) => runAllAtOnce(env, env.template.children);

/** Shared with Task nodes, whose selected branches run like a Parallel. */
export async function runAllAtOnce(env: NodeEnv, children: readonly string[]): Promise<BodyOutcome> {
  const ids = childIds(env.id, children);
  const siblings = childCut(env.cut);
  const scope = new CancellationScope();
  let failed: string | undefined;
  await scope.run(() =>
    Promise.all(
      children.map(async (name, i): Promise<TerminalPhase> => {
        const phase = await env.runChild(name, ids[i]!, siblings);
        if ((phase === 'Failed' || phase === 'RecoveryFailed') && failed === undefined) {
          failed = name;
          siblings.reason = 'sibling-failed';
          scope.cancel();
        }
        return phase;
      }),
    ),
  );
  if (failed !== undefined) return { phase: 'Failed', reason: 'Error', error: `child '${failed}' failed` };
  return { phase: 'Succeeded' };
}
