/**
 * How many nodes a plan's run can start at most: every template instance reachable from the entry (a template
 * referenced twice counts twice; a Task's branches count as if taken). The denominator of the status's
 * `progress`. Iterative, and capped, so no plan can make it slow.
 */
import type { Plan } from '../common/plan.js';

export const PLAN_SIZE_CAP = 10_000;

export function planSize(plan: Plan): number {
  let count = 0;
  const stack = [plan.entry];
  while (stack.length > 0 && count < PLAN_SIZE_CAP) {
    const template = plan.templates[stack.pop() as string];
    if (!template) continue;
    count += 1;
    if (template.type === 'Serial' || template.type === 'Parallel') stack.push(...template.children);
    if (template.type === 'Task') stack.push(...template.branches.map((b) => b.target));
  }
  return count;
}
