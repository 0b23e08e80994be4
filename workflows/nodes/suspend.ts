import type { SuspendTemplate } from '../../common/plan.js';
import { holdUntilDeadline, type NodeBody } from '../node-runner.js';

/**
 * A wait that only its deadline ends (Chaos Mesh); with `approval: true`, an approval gate that a `resume` ends
 * early and whose deadline passing without approval fails the node.
 */
export const runSuspend: NodeBody<SuspendTemplate> = async ({ run, id, template }) => {
  if (template.approval) {
    await run.awaitApproval(id);
    return { phase: 'Succeeded' };
  }
  await holdUntilDeadline(template);
  return { phase: 'Succeeded' };
};
